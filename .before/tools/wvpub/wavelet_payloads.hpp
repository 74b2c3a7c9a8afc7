#pragma once
// The Wavelet payloads wvpub generates, on the payload library: a SamplesBatchMessage for
// --wavelet and pub.py mode, and the ReportEnd (TERMINATED) last will for --wavelet-will.
#include <cstdint>
#include <optional>
#include <string>

#include "payload/report_profile.hpp"

namespace wv::wvpub {

// default_profile() (pub.py's three TEMP channels) or the profile file. Values vary per run
// (a random seed), as pub.py's random values do. Throws std::runtime_error naming the file
// and line on a bad profile.
payload::report_profile wavelet_profile(const std::optional<std::string>& profile_file);

// One encoded SamplesBatchMessage; now_ms is the first (for one sample: only) timestamp.
std::string encode_samples(const payload::report_profile& profile, std::int64_t report_id, std::uint64_t now_ms);

// The ReportEnd a device leaves as its last will: TERMINATED, for the report it was sending.
std::string encode_terminated_will(std::uint64_t report_id);

std::uint64_t unix_now_ms();

}  // namespace wv::wvpub
