// Replays the fuzz corpus (tests/fuzz/corpus/payload) under the normal compiler, so findings
// saved there stay fixed even where clang/libFuzzer is not available.
#include <doctest/doctest.h>

#include "payload/lambda_json.hpp"
#include "payload/report_end.hpp"
#include "payload_test_helpers.hpp"
#include "support/corpus.hpp"

using namespace wv::payload;

TEST_CASE("fuzz corpus replays cleanly and agrees with libprotobuf") {
    const auto files = wv::test::read_corpus("payload");
    for (const auto& f : files) {
        const auto in = f.as_bytes();
        CAPTURE(f.path.filename());
        const auto ours = decode_samples_to_lambda_json(in);
        const auto theirs = test::libprotobuf_lambda_json(f.bytes);
        CHECK(ours.has_value() == !theirs.is_null());
        if (ours && !theirs.is_null()) CHECK(ours.value() == theirs);
        (void)decode_samples_batch(in, {.strict = true});
        (void)decode_report_end(in);
    }
    CHECK(!files.empty());
}
