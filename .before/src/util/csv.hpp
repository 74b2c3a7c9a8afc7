#pragma once
// CSV records as the project's device and things files use them: comma separated, one record
// per line (no newlines inside quotes), fields optionally in double quotes with "" for a quote.
// Unquoted fields are trimmed of spaces, tabs and a trailing CR; quoted fields are kept as
// written, so a password with edge spaces can be quoted.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wv::util {

// The fields of one line, or nullopt when a double quote is left open (the caller knows the
// file and line to name in its error).
std::optional<std::vector<std::string>> split_csv_record(std::string_view line);

}  // namespace wv::util
