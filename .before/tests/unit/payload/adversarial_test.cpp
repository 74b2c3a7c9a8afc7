// Hostile bytes: clear errors with offsets and field paths, never a crash, and the same
// accept/reject verdict as libprotobuf (the Lambda's parser).
#include <doctest/doctest.h>

#include <random>

#include "payload/lambda_json.hpp"
#include "payload/report_encoder.hpp"
#include "payload/samples_decoder.hpp"
#include "payload_test_helpers.hpp"

using namespace wv::payload;
using namespace wv::payload::test;

namespace {

decode_error error_of(const std::vector<std::byte>& in, decode_options opt = {}) {
    const auto r = decode_samples_batch(in, opt);
    REQUIRE_FALSE(r.has_value());
    return r.error();
}

// Our verdict and, when both accept, our JSON must equal libprotobuf's.
void check_same_as_libprotobuf(const std::vector<std::byte>& in) {
    const auto ours = decode_samples_to_lambda_json(in);
    const auto theirs = libprotobuf_lambda_json(str(in));
    CHECK_MESSAGE(ours.has_value() == !theirs.is_null(), (ours ? std::string("we accept") : ours.error().message()));
    if (ours && !theirs.is_null()) CHECK(ours.value() == theirs);
    if (!ours) CHECK(ours.error().offset <= in.size());
}

std::vector<std::byte> mixed_report() {
    report_profile p{.name = "mixed", .seed = 7, .channels = {
        {.number = 1, .samples = 2},
        {.type = channel_type::gps, .number = 2, .mode = sampling::sparse, .samples = 2, .kind = value_kind::gps},
        {.type = channel_type::blob, .number = 3, .kind = value_kind::jpg, .jpg_bytes = 20},
        {.number = 4, .mode = sampling::sparse, .samples = 2, .kind = value_kind::float64, .min = -1, .max = 1}}};
    report_encoder enc(p);
    std::vector<std::byte> out;
    enc.encode(123456, 1'700'000'000'000, out);
    return out;
}

std::vector<std::byte> wrap(std::uint8_t tag, const std::vector<std::byte>& body) {
    std::vector<std::byte> out{std::byte{tag}};
    std::size_t n = body.size();
    for (; n >= 0x80; n >>= 7) out.push_back(std::byte{static_cast<unsigned char>(n | 0x80)});
    out.push_back(std::byte{static_cast<unsigned char>(n)});
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

}  // namespace

TEST_CASE("adversarial: truncated varints name the field and offset") {
    auto e = error_of(bytes({0x08, 0xff, 0xff}));
    CHECK(e.code == payload_errc::truncated_varint);
    CHECK(e.offset == 1);
    CHECK(e.field_path == "report_id");
    CHECK(e.message() == "truncated varint at byte 1 in report_id");

    e = error_of(bytes({0x12, 0x06, 0x1a, 0x04, 0x08, 0x01, 0x10, 0x80}));  // periodic.interval cut
    CHECK(e.code == payload_errc::truncated_varint);
    CHECK(e.offset == 7);
    CHECK(e.field_path == "samples_batch[0].periodic.interval");

    e = error_of(bytes({0x80}));  // a tag cut short
    CHECK(e.code == payload_errc::truncated_varint);
    CHECK(e.offset == 0);
    CHECK(e.field_path.empty());
}

TEST_CASE("adversarial: varint length limits (10 bytes for values, 5 for tags)") {
    // 10-byte varint: accepted, bits past 64 dropped (libprotobuf does the same).
    check_same_as_libprotobuf(bytes({0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}));
    const auto e = error_of(bytes({0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
    CHECK(e.code == payload_errc::varint_too_long);
    CHECK(e.offset == 1);
    CHECK(error_of(bytes({0x88, 0x80, 0x80, 0x80, 0x80, 0x00})).code == payload_errc::varint_too_long);
    check_same_as_libprotobuf(bytes({0x88, 0x80, 0x80, 0x80, 0x80, 0x00}));
    check_same_as_libprotobuf(bytes({0x88, 0x80, 0x80, 0x80, 0x00, 0x01}));  // 5-byte padded tag: fine
}

TEST_CASE("adversarial: wrong and invalid wire types") {
    // report_id sent as fixed64: libprotobuf keeps it as an unknown field; strict mode refuses.
    const auto wrong = bytes({0x09, 1, 2, 3, 4, 5, 6, 7, 8, 0x08, 0x05});
    CHECK(decode_samples_batch(wrong).value().report_id == 5);
    check_same_as_libprotobuf(wrong);
    auto e = error_of(wrong, {.strict = true});
    CHECK(e.code == payload_errc::wrong_wire_type);
    CHECK(e.offset == 0);
    e = error_of(bytes({0x12, 0x02, 0x18, 0x01}), {.strict = true});  // SamplesMessage field 3 as varint
    CHECK(e.code == payload_errc::wrong_wire_type);
    CHECK(e.field_path == "samples_batch[0]");
    CHECK(e.offset == 2);
    e = error_of(bytes({0x78, 0x01}), {.strict = true});
    CHECK(e.code == payload_errc::unknown_field);
    check_same_as_libprotobuf(bytes({0x78, 0x01}));

    for (int wt : {6, 7}) {
        const auto in = bytes({0x08, 0x01, 0x10 | wt});
        e = error_of(in);
        CHECK(e.code == payload_errc::invalid_wire_type);
        CHECK(e.offset == 2);
        check_same_as_libprotobuf(in);
    }
    CHECK(error_of(bytes({0x00})).code == payload_errc::field_number_zero);
    CHECK(error_of(bytes({0x01, 0, 0, 0, 0, 0, 0, 0, 0})).code == payload_errc::field_number_zero);
    CHECK(error_of(bytes({0x0c})).code == payload_errc::unmatched_end_group);
    check_same_as_libprotobuf(bytes({0x00}));
    check_same_as_libprotobuf(bytes({0x0c}));
}

TEST_CASE("adversarial: lengths past the end") {
    auto e = error_of(bytes({0x12, 0x05, 0x12, 0x00}));
    CHECK(e.code == payload_errc::length_past_end);
    CHECK(e.offset == 1);
    CHECK(e.field_path == "samples_batch[0]");
    CHECK(e.detail == "length 5, 2 bytes left");
    // A nested length that fits the input but not its parent.
    e = error_of(bytes({0x12, 0x02, 0x1a, 0x05, 0x08, 0x01, 0x08, 0x01, 0x08}));
    CHECK(e.code == payload_errc::length_past_end);
    CHECK(e.field_path == "samples_batch[0].periodic");
    CHECK(e.offset == 3);
    e = error_of(bytes({0x12, 0xff, 0xff, 0xff, 0xff, 0x0f}));  // 4 GiB claimed
    CHECK(e.code == payload_errc::length_past_end);
    check_same_as_libprotobuf(bytes({0x12, 0xff, 0xff, 0xff, 0xff, 0x0f}));
}

TEST_CASE("adversarial: group nesting bombs stop at libprotobuf's limit") {
    for (int depth : {1, 50, 99, 100, 101, 5000}) {
        std::vector<std::byte> in;
        for (int i = 0; i < depth; ++i) in.push_back(std::byte{0x7b});  // field 15, START_GROUP
        for (int i = 0; i < depth; ++i) in.push_back(std::byte{0x7c});  // field 15, END_GROUP
        CAPTURE(depth);
        const auto r = decode_samples_batch(in);
        CHECK(r.has_value() == (depth <= 100));
        if (!r) CHECK(r.error().code == payload_errc::nesting_too_deep);
        check_same_as_libprotobuf(in);
    }
    // Groups inside the deepest known message count too: batch > samples > periodic > data > gps.
    for (int groups : {96, 97}) {
        std::vector<std::byte> gps_body(static_cast<std::size_t>(groups), std::byte{0x7b});
        gps_body.insert(gps_body.end(), static_cast<std::size_t>(groups), std::byte{0x7c});
        const auto in = wrap(0x12, wrap(0x1a, wrap(0x1a, wrap(0x32, gps_body))));
        CAPTURE(groups);
        CHECK(decode_samples_batch(in).has_value() == (groups == 96));
        check_same_as_libprotobuf(in);
    }
    // Mismatched and unterminated groups.
    CHECK(error_of(bytes({0x7b, 0x74})).code == payload_errc::unmatched_end_group);
    CHECK(error_of(bytes({0x7b, 0x08, 0x01})).code == payload_errc::unterminated_group);
    check_same_as_libprotobuf(bytes({0x7b, 0x74}));
    check_same_as_libprotobuf(bytes({0x7b, 0x08, 0x01}));
    check_same_as_libprotobuf(bytes({0x7b, 0x08, 0x01, 0x7c}));
}

TEST_CASE("adversarial: truncation ladder of a real report agrees with libprotobuf") {
    const auto full = mixed_report();
    for (std::size_t n = 0; n <= full.size(); ++n) {
        CAPTURE(n);
        check_same_as_libprotobuf({full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n)});
    }
}

TEST_CASE("adversarial: 128 KB random buffers and random mutations") {
    std::mt19937_64 rng(20261125);
    for (int round = 0; round < 40; ++round) {
        std::vector<std::byte> in(128 * 1024);
        for (auto& b : in) b = std::byte{static_cast<unsigned char>(rng())};
        check_same_as_libprotobuf(in);
    }
    // Mutations of a valid report reach deep into the schema, unlike pure noise.
    const auto base = mixed_report();
    for (int round = 0; round < 3000; ++round) {
        auto in = base;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < edits; ++k) {
            const auto at = rng() % in.size();
            switch (rng() % 3) {
            case 0: in[at] = std::byte{static_cast<unsigned char>(rng())}; break;
            case 1: in.erase(in.begin() + static_cast<std::ptrdiff_t>(at)); break;
            default: in.insert(in.begin() + static_cast<std::ptrdiff_t>(at), std::byte{static_cast<unsigned char>(rng())});
            }
            if (in.empty()) in.push_back(std::byte{0});
        }
        check_same_as_libprotobuf(in);
    }
}

TEST_CASE("adversarial: max_samples bounds what a payload can make us allocate") {
    std::vector<std::byte> body;
    for (int i = 0; i < 10; ++i) body.insert(body.end(), {std::byte{0x1a}, std::byte{0x00}});  // empty SampleData
    const auto in = wrap(0x12, wrap(0x1a, body));
    CHECK(decode_samples_batch(in, {.max_samples = 10}).has_value());
    CHECK(decode_samples_batch(in).has_value());
    const auto e = error_of(in, {.max_samples = 9});
    CHECK(e.code == payload_errc::too_many_samples);
    CHECK(e.offset == 4 + 2 * 9);
    CHECK(e.field_path == "samples_batch[0].periodic.data[9]");
    CHECK(e.message() == "too many samples at byte 22 in samples_batch[0].periodic.data[9] (limit 9)");
    const auto sparse = wrap(0x12, wrap(0x22, {std::byte{0x0a}, std::byte{0x00}, std::byte{0x0a}, std::byte{0x00}}));
    CHECK(error_of(sparse, {.max_samples = 1}).field_path == "samples_batch[0].sparse.samples[1]");
}
