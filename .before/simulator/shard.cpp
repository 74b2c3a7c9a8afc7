#include "shard.hpp"

#include <charconv>
#include <string>

#include "identity.hpp"

namespace wv::sim {

std::uint32_t shard::first(std::uint32_t devices) const noexcept {
    return static_cast<std::uint32_t>(std::uint64_t{devices} * index / count);
}
std::uint32_t shard::last(std::uint32_t devices) const noexcept {
    return static_cast<std::uint32_t>(std::uint64_t{devices} * (index + 1) / count);
}

shard parse_shard(std::string_view text) {
    const auto fail = [&] {
        throw config_error("--shard '" + std::string(text) + "': expected i/N with 0 <= i < N, e.g. 0/4");
    };
    const auto slash = text.find('/');
    if (slash == std::string_view::npos) fail();
    shard s;
    const auto a = text.substr(0, slash), b = text.substr(slash + 1);
    if (a.empty() || b.empty()) fail();
    const auto [pa, ea] = std::from_chars(a.data(), a.data() + a.size(), s.index);
    const auto [pb, eb] = std::from_chars(b.data(), b.data() + b.size(), s.count);
    if (ea != std::errc{} || eb != std::errc{} || pa != a.data() + a.size() || pb != b.data() + b.size() ||
        s.count == 0 || s.index >= s.count)
        fail();
    return s;
}

}  // namespace wv::sim
