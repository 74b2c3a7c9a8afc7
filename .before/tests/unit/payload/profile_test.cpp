// Report profiles: YAML and JSON, defaults, errors that name file, line and field, and the
// example files shipped in config/profiles/.
#include <doctest/doctest.h>

#include <filesystem>

#include "payload/report_encoder.hpp"
#include "payload/report_profile.hpp"

using namespace wv::payload;

namespace {

std::string error_of(std::string_view text) {
    try {
        parse_profile(text, "p.yaml");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    FAIL("expected an error for: " << text);
    return {};
}

}  // namespace

TEST_CASE("profile: YAML with defaults and repeat") {
    const auto p = parse_profile(R"(
name: mixed
seed: 42
channels:
  - {type: TEMP, number: 1}
  - {type: GPS_CHANNEL_TYPE, number: 10, mode: sparse, samples: 4, kind: gps, interval_ms: 60000}
  - {type: 13, number: 20, kind: sint64, min: -5, max: 5, repeat: 3}
)");
    CHECK(p.name == "mixed");
    CHECK(p.seed == 42);
    REQUIRE(p.channels.size() == 5);
    CHECK(p.channels[0].type == channel_type::temp);
    CHECK(p.channels[0].kind == value_kind::uint64);
    CHECK(p.channels[0].max == 10000);
    CHECK(p.channels[1].mode == sampling::sparse);
    CHECK(p.channels[1].samples == 4);
    CHECK(p.channels[1].interval_ms == 60000);
    CHECK(p.channels[2].type == channel_type::adc_s32);
    CHECK(p.channels[4].number == 22);
    CHECK(p.channels[4].min == -5);
}

TEST_CASE("profile: JSON is read by the same parser") {
    const auto p = parse_profile(R"({"channels": [{"type": "temp", "number": 3, "kind": "double", "min": -1.5, "max": 2}]})");
    REQUIRE(p.channels.size() == 1);
    CHECK(p.channels[0].kind == value_kind::float64);
    CHECK(p.seed == 1);
}

TEST_CASE("profile: errors name the file, line and field") {
    CHECK(error_of("channels:\n  - {type: TEMP}\n  - {type: TEMP, kind: int}\n") ==
          "p.yaml:3: channels[1].kind: unknown value 'int'; expected one of uint64, sint64, float, double, bool, gps, jpg");
    CHECK(error_of("channels:\n  - {type: HUMIDITY}\n") ==
          "p.yaml:2: channels[0].type: unknown channel type 'HUMIDITY' (e.g. TEMP, GPS, BLOB, or 0..15)");
    CHECK(error_of("channels:\n  - type: TEMP\n    sample: 3\n") ==
          "p.yaml:3: channels[0].sample: unknown key; expected type, number, mode, samples, kind, min, max, "
          "interval_ms, jpg_bytes, repeat");
    CHECK(error_of("channels:\n  - {number: -1}\n") == "p.yaml:2: channels[0].number: '-1' is not a uint32");
    CHECK(error_of("channels:\n  - {min: 9, max: 1}\n") == "p.yaml:2: channels[0]: min must be <= max");
    CHECK(error_of("channels:\n  - {kind: jpg}\n") == "p.yaml:2: channels[0]: kind jpg needs jpg_bytes > 0");
    CHECK(error_of("seed: 1\n") == "p.yaml:1: channels: expected a list of channels");
    CHECK(error_of("chanels: []\n").starts_with("p.yaml:1: chanels: unknown key"));
    CHECK(error_of("channels: [\n").starts_with("p.yaml:"));
    CHECK(error_of("- 1\n") == "p.yaml:1: (top level): expected a mapping with a `channels` list");
    CHECK(error_of(std::string(20000, '[')).starts_with("p.yaml:"));  // nesting bomb: yaml-cpp's depth limit
    CHECK(error_of("channels:\n  - {samples: 2000000}\n") == "p.yaml:2: channels[0]: samples above 1000000");
    CHECK_THROWS_WITH_AS(load_profile("/nonexistent/p.yaml"), "/nonexistent/p.yaml: cannot open", std::runtime_error);
}

TEST_CASE("profile: the shipped examples load and encode") {
    const std::filesystem::path dir = std::filesystem::path(WV_SOURCE_DIR_PATH) / "config" / "profiles";
    REQUIRE(std::filesystem::exists(dir / "default.yaml"));
    int n = 0;
    for (const auto& f : std::filesystem::directory_iterator(dir)) {
        CAPTURE(f.path());
        const auto p = load_profile(f.path());
        report_encoder enc(p);
        std::vector<std::byte> out;
        enc.encode(1, 1'700'000'000'000, out);
        CHECK(!out.empty());
        ++n;
    }
    CHECK(n >= 3);
    const auto d = load_profile(dir / "default.yaml");
    const auto e = default_profile();
    REQUIRE(d.channels.size() == e.channels.size());
    for (std::size_t i = 0; i < d.channels.size(); ++i) {
        CHECK(d.channels[i].type == e.channels[i].type);
        CHECK(d.channels[i].number == e.channels[i].number);
        CHECK(d.channels[i].max == e.channels[i].max);
        CHECK(d.channels[i].interval_ms == e.channels[i].interval_ms);
    }
    CHECK(load_profile(dir / "mixed-50.yaml").channels.size() == 50);
}
