#include "wavelet_payloads.hpp"

#include <chrono>
#include <random>
#include <vector>

#include "payload/report_encoder.hpp"
#include "payload/report_end.hpp"

namespace wv::wvpub {

payload::report_profile wavelet_profile(const std::optional<std::string>& profile_file) {
    auto profile = profile_file ? payload::load_profile(*profile_file) : payload::default_profile();
    if (!profile_file) profile.seed = std::random_device{}();
    return profile;
}

std::string encode_samples(const payload::report_profile& profile, std::int64_t report_id, std::uint64_t now_ms) {
    payload::report_encoder encoder(profile);
    std::vector<std::byte> bytes;
    encoder.encode(report_id, now_ms, bytes);
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string encode_terminated_will(std::uint64_t report_id) {
    const auto bytes = payload::encode_report_end(report_id, payload::report_end_reason::terminated);
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::uint64_t unix_now_ms() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

}  // namespace wv::wvpub
