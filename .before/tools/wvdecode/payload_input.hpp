#pragma once
// How wvdecode turns its input into payloads: one argument, or a stream (file or stdin) that is
// either one raw binary payload or text with one payload per line, in hex or base64.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wv::wvdecode {

enum class input_encoding { auto_detect, raw, base64, hex };

// One item to decode: its bytes (or the reason it has none) and where it came from.
struct payload_item {
    std::string label;               // "argument", "line 3", "<file>" for error messages
    std::optional<std::string> data; // decoded bytes; nullopt when the text was not valid
    std::string error;               // why data is missing ("not valid hex: odd digit count")
};

// Decodes one textual payload. auto_detect tries hex (even count of hex digits), then base64,
// then takes the text as raw bytes.
payload_item decode_text_payload(std::string_view text, input_encoding enc, std::string label);

// Splits a stream into payloads. raw: the whole stream is one payload. base64/hex: one per
// non-empty line. auto_detect: a stream holding bytes other than printable ASCII and
// whitespace is one raw payload, otherwise one auto-detected payload per non-empty line.
std::vector<payload_item> split_stream(const std::string& content, input_encoding enc);

// Non-empty lines with their 1-based numbers (for --event and --encode).
std::vector<std::pair<std::size_t, std::string_view>> non_empty_lines(std::string_view content);

}  // namespace wv::wvdecode
