// bench_payload: how fast reports are encoded and decoded, on one core, ours beside libprotobuf
// in the same run (ratios matter more than absolute numbers on a shared machine).
//
//   bench_payload [--json] [--seconds S]
//
// Rows: the default report (3 TEMP channels) and the 50-channel mixed profile
// (config/profiles/mixed-50.yaml). Our encoder also generates the values each time; the
// libprotobuf rows only serialize a message built beforehand (setting report_id), so they
// are, if anything, flattered.
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "payload/lambda_json.hpp"
#include "payload/report_encoder.hpp"
#include "payload/samples_decoder.hpp"
#include "samples_message.pb.h"

using namespace wv::payload;

namespace {

volatile std::size_t sink;

struct row {
    std::string report, operation;
    std::size_t bytes;
    double per_s;
};

// Best of three timed rounds of `seconds` / 3 each; op(i) does one operation.
double rate(double seconds, const std::function<std::size_t(std::uint64_t)>& op) {
    using clock = std::chrono::steady_clock;
    double best = 0;
    std::uint64_t i = 0;
    for (int round = 0; round < 3; ++round) {
        const auto start = clock::now();
        const auto budget = std::chrono::duration<double>(seconds / 3);
        std::uint64_t n = 0;
        std::size_t acc = 0;
        clock::duration elapsed{};
        do {
            for (int k = 0; k < 256; ++k, ++n) acc += op(++i);
            elapsed = clock::now() - start;
        } while (elapsed < budget);
        sink = sink + acc;
        best = std::max(best, static_cast<double>(n) / std::chrono::duration<double>(elapsed).count());
    }
    return best;
}

void bench_report(const std::string& name, const report_profile& profile, double seconds, std::vector<row>& rows) {
    constexpr std::uint64_t now = 1'700'000'000'000;
    report_encoder enc(profile);
    std::vector<std::byte> out;
    out.reserve(enc.max_encoded_size());
    enc.encode(1, now, out);
    const std::string wire(reinterpret_cast<const char*>(out.data()), out.size());
    const std::size_t size = wire.size();

    std::vector<std::byte> copy(size);
    rows.push_back({name, "memcpy of the report (baseline)", size, rate(seconds, [&](std::uint64_t) {
        std::memcpy(copy.data(), out.data(), size);
        return static_cast<std::size_t>(copy[size / 2]);
    })});
    rows.push_back({name, "encode: wv report_encoder (values + bytes)", size, rate(seconds, [&](std::uint64_t i) {
        enc.encode(static_cast<std::int64_t>(i), now + i, out);
        return out.size();
    })});
    akproto1::SamplesBatchMessage msg;
    msg.ParseFromString(wire);
    std::vector<std::uint8_t> pb_out(size + 32);
    rows.push_back({name, "encode: libprotobuf SerializeToArray", size, rate(seconds, [&](std::uint64_t i) {
        msg.set_report_id(static_cast<std::int64_t>(i & 0x7f));  // same varint size as ours
        const auto n = msg.ByteSizeLong();
        msg.SerializeToArray(pb_out.data(), static_cast<int>(n));
        return n;
    })});
    rows.push_back({name, "decode: wv decode_samples_batch", size, rate(seconds, [&](std::uint64_t) {
        const auto b = decode_samples_batch(std::string_view(wire));
        return b->samples_batch.size();
    })});
    akproto1::SamplesBatchMessage parsed;
    rows.push_back({name, "decode: libprotobuf ParseFromArray", size, rate(seconds, [&](std::uint64_t) {
        parsed.ParseFromArray(wire.data(), static_cast<int>(size));
        return static_cast<std::size_t>(parsed.samples_batch_size());
    })});
    rows.push_back({name, "to Lambda JSON: wv (decode + data_samples)", size, rate(seconds, [&](std::uint64_t) {
        const auto j = decode_samples_to_lambda_json(out);
        return j->size();
    })});
    google::protobuf::util::JsonPrintOptions jo;
    jo.always_print_primitive_fields = true;
    rows.push_back({name, "to JSON: libprotobuf Parse + MessageToJsonString", size, rate(seconds, [&](std::uint64_t) {
        parsed.ParseFromArray(wire.data(), static_cast<int>(size));
        std::string s;
        (void)google::protobuf::util::MessageToJsonString(parsed, &s, jo);
        return s.size();
    })});
}

}  // namespace

int main(int argc, char** argv) {
    bool json_out = false;
    double seconds = 1.5;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--json") json_out = true;
        else if (a == "--seconds" && i + 1 < argc) seconds = std::stod(argv[++i]);
        else if (a == "--help" || a == "-h") {
            std::printf("usage: bench_payload [--json] [--seconds S]   (S per measurement, default 1.5)\n");
            return 0;
        } else {
            std::fprintf(stderr, "bench_payload: unknown argument %s (try --help)\n", a.c_str());
            return 2;
        }
    }
    std::vector<row> rows;
    bench_report("default (3 ch)", default_profile(), seconds, rows);
    bench_report("mixed-50 (50 ch)", load_profile(std::string(WV_SOURCE_DIR_PATH) + "/config/profiles/mixed-50.yaml"),
                 seconds, rows);

    if (json_out) {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& r : rows)
            j.push_back({{"report", r.report}, {"operation", r.operation}, {"bytes", r.bytes},
                         {"per_second", r.per_s}, {"mb_per_second", r.per_s * static_cast<double>(r.bytes) / 1e6}});
        std::printf("%s\n", j.dump(2).c_str());
        return 0;
    }
    std::printf("%-18s %-50s %7s %14s %10s\n", "report", "operation", "bytes", "reports/s", "MB/s");
    for (const auto& r : rows)
        std::printf("%-18s %-50s %7zu %14.0f %10.1f\n", r.report.c_str(), r.operation.c_str(), r.bytes, r.per_s,
                    r.per_s * static_cast<double>(r.bytes) / 1e6);
    return 0;
}
