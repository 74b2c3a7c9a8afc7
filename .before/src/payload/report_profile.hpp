#pragma once
// What a simulated device reports: the channels of each SamplesBatchMessage, how many samples
// each carries, what kind of values and in which range. Loaded once at start-up; plain values,
// freely copied and shared read-only between threads.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "payload/channel_type.hpp"

namespace wv::payload {

enum class sampling { periodic, sparse };
enum class value_kind { uint64, sint64, float32, float64, boolean, gps, jpg };

struct channel_profile {
    payload::channel_type type = channel_type::temp;
    std::uint32_t number = 1;
    sampling mode = sampling::periodic;
    std::uint32_t samples = 1;       // samples per report on this channel (0 allowed)
    value_kind kind = value_kind::uint64;
    double min = 0;                  // value range, inclusive, for numeric kinds
    double max = 10000;
    std::uint64_t interval_ms = 500; // periodic interval; mean spacing of sparse samples
    std::uint32_t jpg_bytes = 0;     // image_data size for value_kind::jpg
};

struct report_profile {
    std::string name = "default";
    std::uint64_t seed = 1;          // with the device index and report_id, fixes every value
    std::vector<channel_profile> channels;
};

// What Ayyeka's sample client sends: three TEMP channels (numbers 1, 2, 3), each one periodic
// uint64 sample in 0..10000, interval 500 ms.
report_profile default_profile();

// Reads a profile from YAML or JSON (JSON is YAML, so one parser reads both). Format:
//   name: mixed            # optional
//   seed: 42               # optional, default 1
//   channels:
//     - {type: TEMP, number: 1, mode: periodic, samples: 1, kind: uint64, min: 0, max: 10000,
//        interval_ms: 500}
//     - {type: GPS, number: 2, kind: gps}
//     - {type: BLOB, number: 3, kind: jpg, jpg_bytes: 2048}
//   Optional keys per channel take channel_profile's defaults; `repeat: N` on a channel expands
//   it to N channels with consecutive numbers.
// Throws std::runtime_error naming the file, line and field ("p.yaml:7: channels[2].kind:
// unknown value 'int'; expected one of uint64, sint64, float, double, bool, gps, jpg").
report_profile load_profile(const std::filesystem::path& path);
// Same, from text; `source` names it in errors.
report_profile parse_profile(std::string_view text, std::string_view source = "<profile>");

// Throws std::invalid_argument when the profile cannot be encoded (min > max, a negative
// min for uint64, jpg without jpg_bytes, ...). load_profile calls it.
void validate(const report_profile& p);

std::string_view to_string(value_kind k) noexcept;
std::string_view to_string(sampling m) noexcept;

}  // namespace wv::payload
