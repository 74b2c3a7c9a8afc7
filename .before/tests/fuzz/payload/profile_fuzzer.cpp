// Feeds arbitrary text to the report-profile parser: it must return a profile or throw
// std::runtime_error with a message, and any profile it returns must encode.
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "payload/report_encoder.hpp"
#include "payload/report_profile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        auto p = wv::payload::parse_profile(text, "fuzz.yaml");
        // Keep the encode cheap: huge sample counts and images are valid but slow.
        std::size_t work = 0;
        for (const auto& c : p.channels) work += std::size_t{c.samples} * (c.jpg_bytes + 16);
        if (work > 1'000'000) return 0;
        wv::payload::report_encoder enc(std::move(p));
        std::vector<std::byte> out;
        enc.encode(1, 1'700'000'000'000, out);
        if (out.size() > enc.max_encoded_size()) std::abort();
    } catch (const std::runtime_error&) {
    }
    return 0;
}
