#pragma once
// AWS IoT Core's own topic rules on top of MQTT's syntax (spec 5.1, 5.2, 5.5, 5.7): where the
// broker differs from the MQTT 3.1.1 specification, this file is the difference.
//   - `#` matches the level it stands for and everything below, but NOT the parent:
//     `sensor/#` matches `sensor/` and `sensor/x`, never `sensor` (MQTT says it does).
//   - Topic names: at most 256 bytes and 7 slashes; the `$aws/rules/<rule>/` prefix of Basic
//     Ingest is not counted.
//   - `$`-topics are reserved: clients use only the names AWS defines, and only in the
//     direction AWS allows (Basic Ingest is publish-only; presence events are subscribe-only).
// Syntax (UTF-8, wildcard placement) is the codec's job and is checked before these.
//
// Pure; thread-safe.
#include <cstddef>
#include <string_view>

namespace wv::gate {

// AWS's matching of a subscription filter against a topic name. A filter starting with a
// wildcard never matches a `$` topic (MQTT 4.7.2).
bool aws_filter_matches(std::string_view filter, std::string_view topic) noexcept;

bool has_wildcard(std::string_view filter) noexcept;

enum class topic_verdict {
    ok,
    too_long,         // over max_topic_bytes
    too_many_levels,  // over max_topic_slashes
    reserved,         // a `$` topic AWS does not let a client use this way
};
const char* to_string(topic_verdict v) noexcept;

struct topic_limits {
    std::size_t max_bytes = 256;
    std::size_t max_slashes = 7;
};

// A PUBLISH topic (also a will topic). `retained`: AWS refuses retained publishes to `$` topics.
topic_verdict check_publish_topic(std::string_view topic, bool retained, const topic_limits& lim) noexcept;
// A SUBSCRIBE filter.
topic_verdict check_subscribe_filter(std::string_view filter, const topic_limits& lim) noexcept;

}  // namespace wv::gate
