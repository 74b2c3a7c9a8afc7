#pragma once
// wvdecode's output modes, one function each. Every function prints its result to `out` and
// any problem to `err` (prefixed with the item's label), and returns false when the input was
// malformed, so main can carry on with the next item and exit 3 at the end.
#include <iosfwd>
#include <string>
#include <string_view>

#include "payload_input.hpp"

namespace wv::wvdecode {

enum class message_type { auto_detect, samples, reportend };
enum class output_encoding { base64, hex, raw };

struct mode_options {
    message_type type = message_type::auto_detect;
    bool strict = false;   // unknown fields and wrong wire types are errors
    bool pretty = false;   // indented JSON instead of one line per item
};

// --lambda: the data_samples object (or, for a ReportEndMessage, its protobuf JSON mapping).
bool print_lambda(const payload_item& item, const mode_options& opt, std::ostream& out, std::ostream& err);

// --text: protobuf text format, items separated by a blank line.
bool print_text(const payload_item& item, const mode_options& opt, std::ostream& out, std::ostream& err);

// --event: one rule event (JSON) in, the Lambda's full result out; `null` for ignored topics.
bool print_event(std::string_view event_json, const std::string& label, const mode_options& opt,
                 std::ostream& out, std::ostream& err);

// --encode: one JSON (protobuf JSON mapping) or text-format document in, payload bytes out.
bool encode_document(std::string_view doc, const std::string& label, const mode_options& opt,
                     output_encoding enc, std::ostream& out, std::ostream& err);

}  // namespace wv::wvdecode
