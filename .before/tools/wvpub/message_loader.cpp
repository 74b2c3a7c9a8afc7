#include "message_loader.hpp"

#include <filesystem>

namespace wv::wvpub {
namespace {

constexpr std::size_t max_payload = 268435455;  // MQTT's largest remaining length

}  // namespace

std::optional<load_error> load_file(const std::string& path, std::string& out) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return load_error{"Error: Unable to open file \"" + path + "\".\nError loading input file \"" + path + "\".\n"};
    std::error_code ec;
    const bool too_large = std::filesystem::is_directory(path, ec) || std::filesystem::file_size(path, ec) > max_payload;
    if (too_large) {
        std::fclose(f);
        return load_error{"Error: File must be less than 268435455 bytes.\n\nError loading input file \"" + path + "\".\n"};
    }
    out.clear();
    char buf[65536];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    std::fclose(f);
    return std::nullopt;
}

std::optional<load_error> load_stdin(std::FILE* in, std::string& out) {
    out.clear();
    char buf[65536];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, in)) > 0) {
        out.append(buf, n);
        if (out.size() > max_payload)
            return load_error{"Error: Message length must be less than 268435455 bytes.\nError loading input from stdin.\n"};
    }
    if (out.empty()) return load_error{"Error: Zero length input.\nError loading input from stdin.\n"};
    return std::nullopt;
}

}  // namespace wv::wvpub
