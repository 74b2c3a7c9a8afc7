#include "options_file.hpp"

#include <cstdlib>
#include <fstream>

namespace wv::wvpub {

std::vector<std::filesystem::path> options_file_paths() {
    std::filesystem::path dir;
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME")) dir = xdg;
    else if (const char* home = std::getenv("HOME")) dir = std::filesystem::path(home) / ".config";
    else return {};
    return {dir / "mosquitto_pub", dir / "wvpub"};
}

std::vector<std::string> split_options_line(std::string line) {
    if (!line.empty() && line[0] == '#') return {};
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    // strtok(line, " "): skip leading spaces, the word ends at the next space.
    const auto start = line.find_first_not_of(' ');
    if (start == std::string::npos) return {};
    const auto end = line.find(' ', start);
    if (end == std::string::npos) return {line.substr(start)};
    // strtok(NULL, ""): the rest after the one delimiter it consumed, if not empty.
    auto rest = line.substr(end + 1);
    if (rest.empty()) return {line.substr(start, end - start)};
    return {line.substr(start, end - start), rest};
}

parse_outcome apply_options_file(const std::filesystem::path& file, pub_options& opts) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return {};
    std::string line;
    while (std::getline(in, line)) {
        const auto args = split_options_line(line);
        if (args.empty()) continue;
        if (auto r = apply_arguments(args, opts); r.status != parse_status::ok) return r;
    }
    return {};
}

}  // namespace wv::wvpub
