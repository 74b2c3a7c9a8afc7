// Feeds arbitrary bytes to every payload decoder. Beyond "no crash, no leak, no hang" (ASan,
// UBSan, libFuzzer's limits), it checks our verdict against libprotobuf's: the reference
// decoder must accept exactly what the Lambda's parser accepts, and print the same JSON
// (compared with libprotobuf's JSON printer plus the Lambda's flattening), or it is not a
// reference.
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <span>
#include <string>

#include "payload/lambda_json.hpp"
#include "payload/report_end.hpp"
#include "libprotobuf_lambda.hpp"
#include "report_end_message.pb.h"
#include "samples_message.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = std::as_bytes(std::span{data, size});
    const auto ours = wv::payload::decode_samples_to_lambda_json(in);
    if (ours) (void)ours.value().dump();
    else if (ours.error().offset > size) std::abort();
    const auto strict = wv::payload::decode_samples_batch(in, {.strict = true});
    if (strict && !ours) std::abort();  // strict accepts a subset of lenient

    akproto1::SamplesBatchMessage theirs;
    if (theirs.ParseFromArray(data, static_cast<int>(size)) != ours.has_value()) {
        std::fprintf(stderr, "verdict differs from libprotobuf: ours %s\n",
                     ours ? "accepts" : ours.error().message().c_str());
        std::abort();
    }

    if (ours && ours.value() != wv::payload::test::libprotobuf_lambda_json(
                                    std::string_view(reinterpret_cast<const char*>(data), size))) {
        std::fprintf(stderr, "JSON differs from libprotobuf's: ours %s\n", ours.value().dump().c_str());
        std::abort();
    }

    const auto end = wv::payload::decode_report_end(in);
    akproto1::ReportEndMessage theirs_end;
    if (theirs_end.ParseFromArray(data, static_cast<int>(size)) != end.has_value()) std::abort();
    if (end && (end->report_id != theirs_end.report_id() || end->reason != theirs_end.reason() ||
                end->priority != theirs_end.report_priority()))
        std::abort();
    return 0;
}
