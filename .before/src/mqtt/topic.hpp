#pragma once
// Topic names and topic filters (4.7), in one place for the codec, routing and policy code.
//
// A topic name is what a PUBLISH (or a Will) is sent to: at least one character, no '+' or '#'.
// A topic filter is what a SUBSCRIBE asks for: '+' stands for exactly one level and must be a
// whole level; '#' stands for any number of levels including none (so "a/#" matches "a") and
// must be the last character and a whole level. Neither checks UTF-8; the decoders do that first.
// All functions are pure and thread-safe.
#include <string_view>
#include <system_error>

namespace wv::mqtt {

// Errors: empty_topic_name, wildcard_in_topic_name.
std::error_code validate_topic_name(std::string_view name) noexcept;

// Errors: empty_topic_filter, misplaced_multi_level_wildcard, misplaced_single_level_wildcard.
std::error_code validate_topic_filter(std::string_view filter) noexcept;

// True when filter contains '+' or '#'.
bool is_wildcard(std::string_view filter) noexcept;

// True when the valid filter matches the valid name under MQTT 3.1.1 rules, including:
// "a/#" matches "a"; "+" matches an empty level ("a/+" matches "a/"); and a filter starting with
// '+' or '#' does not match a name starting with '$' [MQTT-4.7.2-1]. Invalid input never
// crashes; it just matches whatever the rules above say.
bool topic_matches(std::string_view filter, std::string_view name) noexcept;

}  // namespace wv::mqtt
