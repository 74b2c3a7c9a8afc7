#pragma once
// Encodes akproto1.SamplesBatchMessage reports from a report_profile, fast.
//
// The protobuf wire format is written by hand, back to front into a buffer sized once for the
// worst case (so each length prefix is known when it is written, in one pass); the bytes
// are exactly those libprotobuf's SerializeToString produces for the same message (fields in
// number order, default-valued scalars omitted, packed nothing: there are no repeated scalars).
// Values are a pure function of (profile.seed, device_index, report_id, channel, sample):
// two encoders with the same inputs produce the same bytes, on any machine.
//
// Values: integers uniform in [min, max]; float/double uniform in [min, max); bool a fair
// coin; GPS a valid fix within ~0.001 degrees of 32.0853 N, 34.7818 E (1e-7 degree units),
// altitude 0..119 m, hdop 50..199, 4..12 satellites; JPG 640x480, total_size = jpg_bytes,
// image_data deterministic noise between the FF D8 and FF D9 markers. Sparse samples sit
// interval_ms apart, each up to half an interval early.
//
// Threading: an encoder owns scratch space, so one encoder per thread; encode() allocates
// nothing once `out` has grown to the report size.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "payload/report_profile.hpp"

namespace wv::payload {

class report_encoder {
public:
    // Throws std::invalid_argument if validate(profile) does.
    explicit report_encoder(report_profile profile, std::uint32_t device_index = 0);

    // Replaces `out` with the encoded report. report_id counts up from 1 in the sample
    // client; now_ms is the device clock (ms since the Unix epoch): periodic channels start at
    // now_ms - (samples - 1) * interval_ms, so the last sample is "now".
    void encode(std::int64_t report_id, std::uint64_t now_ms, std::vector<std::byte>& out);

    // Writes into `out` and returns the byte count, or 0 (and writes nothing) if `out` is
    // too small; max_encoded_size() is always enough.
    std::size_t encode(std::int64_t report_id, std::uint64_t now_ms, std::span<std::byte> out);

    // An upper bound on any report this encoder produces.
    std::size_t max_encoded_size() const noexcept { return max_size_; }

    const report_profile& profile() const noexcept { return profile_; }
    std::uint32_t device_index() const noexcept { return device_index_; }
    // Makes the next encode() write the values of device `i`: a thread's one encoder serves
    // every device on that thread, each with values of its own.
    void set_device_index(std::uint32_t i) noexcept { device_index_ = i; }

private:
    // Encodes into the tail of buf_; returns the size (the report is the last n bytes).
    std::size_t encode_tail(std::int64_t report_id, std::uint64_t now_ms);

    report_profile profile_;
    std::uint32_t device_index_;
    std::size_t max_size_ = 0;
    std::vector<std::byte> buf_;  // max_size_ bytes, reused by every encode()
};

}  // namespace wv::payload
