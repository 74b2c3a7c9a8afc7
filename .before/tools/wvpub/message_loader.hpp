#pragma once
// Loads the -f and -s payloads before connecting, with mosquitto_pub's limits and texts.
#include <cstdio>
#include <optional>
#include <string>

namespace wv::wvpub {

struct load_error {
    std::string text;  // what mosquitto_pub prints (unless --quiet), newlines included
};

// The whole file as one binary message. Errors: unreadable file, or too large (a directory
// reads as too large, as it does for mosquitto_pub).
std::optional<load_error> load_file(const std::string& path, std::string& out);

// All of `in` (stdin) as one message; an empty input is an error, as in mosquitto_pub.
std::optional<load_error> load_stdin(std::FILE* in, std::string& out);

}  // namespace wv::wvpub
