#pragma once
// A decoded akproto1.SamplesBatchMessage, field for field (proto3 semantics: scalars default to
// zero, message fields and oneofs can be absent).
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace wv::payload {

struct gps_data {
    std::int32_t latitude = 0;
    std::int32_t longitude = 0;
    std::int32_t altitude = 0;
    std::uint32_t hdop = 0;
    std::uint32_t number_of_satellites = 0;
    bool is_valid_fix = false;
    friend bool operator==(const gps_data&, const gps_data&) = default;
};

struct jpg_data {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::uint32_t compression_ratio = 0;
    std::uint32_t total_size = 0;
    std::uint32_t color_channels = 0;
    std::string image_data;  // raw bytes
    friend bool operator==(const jpg_data&, const jpg_data&) = default;
};

// SampleData's oneof `value`; monostate when no member is set. The alternatives are in field
// order: index() - 1 is (field number - 1).
using sample_value = std::variant<std::monostate, std::uint64_t /*uint64_value*/, std::int64_t /*sint64_value*/,
                                  float, double, bool, gps_data, jpg_data>;

struct stamped_sample {
    std::uint64_t timestamp = 0;
    std::optional<sample_value> data;  // absent when the StampedSample has no `data` field
};

struct periodic_samples {
    std::uint64_t first_timestamp = 0;
    std::uint64_t interval = 0;
    std::vector<sample_value> data;
};

struct sparse_samples {
    std::vector<stamped_sample> samples;
};

struct channel_type_and_number {
    std::uint32_t channel_number = 0;
    std::int32_t channel_type = 0;  // akcommon.ChannelType; proto3 keeps unknown numbers
};

struct samples_message {
    std::optional<channel_type_and_number> type_and_number;          // oneof source
    std::variant<std::monostate, periodic_samples, sparse_samples> samples;  // oneof samples
};

struct samples_batch {
    std::int64_t report_id = 0;
    std::vector<samples_message> samples_batch;
};

}  // namespace wv::payload
