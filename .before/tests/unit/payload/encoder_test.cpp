// The report encoder: byte-exact against hand-written vectors, libprotobuf and `protoc --encode`.
#include <doctest/doctest.h>

#include "payload/lambda_json.hpp"
#include "payload/report_encoder.hpp"
#include "payload/samples_decoder.hpp"
#include "payload_test_helpers.hpp"

using namespace wv::payload;
using namespace wv::payload::test;

namespace {

constexpr std::uint64_t now_ms = 1'700'000'000'123;

report_profile one_channel(channel_profile c, std::uint64_t seed = 1) {
    return report_profile{.name = "t", .seed = seed, .channels = {c}};
}

// Every profile must encode to exactly what libprotobuf and protoc produce.
void check_against_protobuf(const report_profile& p, std::int64_t report_id) {
    report_encoder enc(p, 3);
    std::vector<std::byte> out;
    enc.encode(report_id, now_ms, out);
    REQUIRE(out.size() <= enc.max_encoded_size());
    const auto wire = str(out);
    INFO("profile " << p.name << ", report " << report_id);
    CHECK(libprotobuf_reserialize(wire) == wire);
    CHECK(protoc_encode("SamplesBatchMessage", libprotobuf_text(wire)) == wire);
    const auto ours = decode_samples_to_lambda_json(out, {.strict = true});
    REQUIRE(ours.has_value());
    CHECK(ours.value() == libprotobuf_lambda_json(wire));
}

}  // namespace

TEST_CASE("encoder: byte-exact one-channel report") {
    report_encoder enc(one_channel({.type = channel_type::temp, .number = 1, .min = 42, .max = 42}));
    std::vector<std::byte> out;
    enc.encode(7, 1000, out);
    CHECK(out == bytes({0x08, 0x07,                    // report_id 7
                        0x12, 0x12,                    // samples_batch, 18 bytes
                        0x12, 0x04,                    //   type_and_number, 4 bytes
                        0x08, 0x01,                    //     channel_number 1
                        0x10, 0x04,                    //     channel_type TEMP_CHANNEL_TYPE
                        0x1a, 0x0a,                    //   periodic, 10 bytes
                        0x08, 0xe8, 0x07,              //     first_timestamp 1000
                        0x10, 0xf4, 0x03,              //     interval 500
                        0x1a, 0x02, 0x08, 0x2a}));     //     data: uint64_value 42
    CHECK(protoc_encode("SamplesBatchMessage", R"(
        report_id: 7
        samples_batch { type_and_number { channel_number: 1 channel_type: TEMP_CHANNEL_TYPE }
                        periodic { first_timestamp: 1000 interval: 500 data { uint64_value: 42 } } })") == str(out));
}

TEST_CASE("encoder: oneof members are written even at their default") {
    // uint64_value 0, channel 0 of ADC_4_20: proto3 omits plain scalars at 0, never a set oneof.
    report_encoder enc(one_channel({.type = channel_type::adc_4_20, .number = 0, .min = 0, .max = 0, .interval_ms = 0}));
    std::vector<std::byte> out;
    enc.encode(0, 0, out);
    CHECK(out == bytes({0x12, 0x08,                // samples_batch, 8 bytes (report_id 0 omitted)
                        0x12, 0x00,                //   type_and_number, empty but present
                        0x1a, 0x04,                //   periodic (timestamps 0 omitted)
                        0x1a, 0x02, 0x08, 0x00})); //     data: uint64_value 0
    CHECK(libprotobuf_reserialize(str(out)) == str(out));
}

TEST_CASE("encoder: the default profile is what the sample client sends") {
    const auto p = default_profile();
    REQUIRE(p.channels.size() == 3);
    report_encoder enc(p);
    std::vector<std::byte> out;
    for (std::int64_t id = 1; id <= 200; ++id) {
        enc.encode(id, now_ms + static_cast<std::uint64_t>(id) * 1000, out);
        const auto b = decode_samples_batch(out, {.strict = true});
        REQUIRE(b.has_value());
        CHECK(b->report_id == id);
        REQUIRE(b->samples_batch.size() == 3);
        for (std::size_t i = 0; i < 3; ++i) {
            const auto& m = b->samples_batch[i];
            CHECK(m.type_and_number->channel_type == static_cast<int>(channel_type::temp));
            CHECK(m.type_and_number->channel_number == i + 1);
            const auto& per = std::get<periodic_samples>(m.samples);
            CHECK(per.first_timestamp == now_ms + static_cast<std::uint64_t>(id) * 1000);
            CHECK(per.interval == 500);
            REQUIRE(per.data.size() == 1);
            CHECK(std::get<std::uint64_t>(per.data[0]) <= 10000);
        }
    }
    check_against_protobuf(p, 1);
}

TEST_CASE("encoder: every value kind, periodic and sparse, equals libprotobuf and protoc") {
    const value_kind kinds[] = {value_kind::uint64, value_kind::sint64, value_kind::float32, value_kind::float64,
                                value_kind::boolean, value_kind::gps, value_kind::jpg};
    for (auto kind : kinds)
        for (auto mode : {sampling::periodic, sampling::sparse}) {
            channel_profile c{.type = channel_type::modbus_f32, .number = 300, .mode = mode, .samples = 5, .kind = kind,
                              .min = kind == value_kind::uint64 ? 0 : -5e9, .max = 5e12, .interval_ms = 1000,
                              .jpg_bytes = 300};
            if (kind == value_kind::float32) c.min = -1e6, c.max = 1e6;
            CAPTURE(to_string(kind));
            CAPTURE(to_string(mode));
            for (std::int64_t id : {1, 2, 1000000}) check_against_protobuf(one_channel(c), id);
        }
}

TEST_CASE("encoder: extremes (negative report_id, full 64-bit ranges, zero samples)") {
    report_profile p{.name = "extremes", .seed = 99, .channels = {
        {.number = 1, .samples = 3, .kind = value_kind::uint64, .min = 0, .max = 18446744073709551615.0},
        {.number = 2, .samples = 3, .kind = value_kind::sint64, .min = -9223372036854775808.0, .max = 9223372036854775807.0},
        {.number = 3, .samples = 0},
        {.number = 4, .mode = sampling::sparse, .samples = 0},
        {.type = channel_type::lora_signal, .number = 4294967295u, .samples = 2, .kind = value_kind::sint64, .min = -10, .max = -1}}};
    for (std::int64_t id : {std::int64_t{-1}, INT64_MIN, INT64_MAX, std::int64_t{0}}) check_against_protobuf(p, id);
    report_encoder enc(p);
    std::vector<std::byte> out;
    enc.encode(-1, now_ms, out);
    const auto b = decode_samples_batch(out).value();
    CHECK(b.report_id == -1);
    for (const auto& v : std::get<periodic_samples>(b.samples_batch[4].samples).data) {
        CHECK(std::get<std::int64_t>(v) >= -10);
        CHECK(std::get<std::int64_t>(v) <= -1);
    }
}

TEST_CASE("encoder: deterministic in (seed, device, report_id), different otherwise") {
    const auto p = default_profile();
    std::vector<std::byte> a, b;
    report_encoder e1(p, 5), e2(p, 5), e3(p, 6);
    e1.encode(10, now_ms, a);
    e2.encode(10, now_ms, b);
    CHECK(a == b);
    e3.encode(10, now_ms, b);
    CHECK(a != b);
    e1.encode(11, now_ms, b);
    CHECK(a != b);
    auto q = p;
    q.seed = 2;
    report_encoder e4(q, 5);
    e4.encode(10, now_ms, b);
    CHECK(a != b);
}

TEST_CASE("encoder: span output and steady-state reuse") {
    report_encoder enc(default_profile());
    std::vector<std::byte> v;
    enc.encode(1, now_ms, v);
    std::vector<std::byte> exact(v.size());
    CHECK(enc.encode(1, now_ms, std::span(exact)) == v.size());
    CHECK(exact == v);
    std::vector<std::byte> small(v.size() - 1, std::byte{0x55});
    CHECK(enc.encode(1, now_ms, std::span(small)) == 0);
    CHECK(small == std::vector<std::byte>(v.size() - 1, std::byte{0x55}));

    v.reserve(enc.max_encoded_size());
    const auto* data = v.data();
    for (std::int64_t id = 1; id < 1000; ++id) enc.encode(id, now_ms, v);
    CHECK(v.data() == data);  // no reallocation once grown
}

TEST_CASE("encoder: invalid profiles are refused at construction") {
    CHECK_THROWS_AS(report_encoder(one_channel({.min = 5, .max = 1})), std::invalid_argument);
    CHECK_THROWS_AS(report_encoder(one_channel({.kind = value_kind::uint64, .min = -1, .max = 1})), std::invalid_argument);
    CHECK_THROWS_AS(report_encoder(one_channel({.kind = value_kind::jpg})), std::invalid_argument);
}
