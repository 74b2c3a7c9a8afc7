// Replays the fuzz corpus (tests/fuzz/corpus/payload) under the normal compiler, so findings
// saved there stay fixed even where clang/libFuzzer is not available.
#include <doctest/doctest.h>

#include <filesystem>

#include "payload/lambda_json.hpp"
#include "payload/report_end.hpp"
#include "payload_test_helpers.hpp"
#include "support/temp_dir.hpp"

using namespace wv::payload;

TEST_CASE("fuzz corpus replays cleanly and agrees with libprotobuf") {
    const std::filesystem::path dir = std::filesystem::path(WV_SOURCE_DIR_PATH) / "tests/fuzz/corpus/payload";
    REQUIRE(std::filesystem::is_directory(dir));
    int files = 0;
    for (const auto& f : std::filesystem::directory_iterator(dir)) {
        const auto data = wv::test::read_file(f.path());
        const auto in = std::as_bytes(std::span(data.data(), data.size()));
        CAPTURE(f.path().filename());
        const auto ours = decode_samples_to_lambda_json(in);
        const auto theirs = test::libprotobuf_lambda_json(data);
        CHECK(ours.has_value() == !theirs.is_null());
        if (ours && !theirs.is_null()) CHECK(ours.value() == theirs);
        (void)decode_samples_batch(in, {.strict = true});
        (void)decode_report_end(in);
        ++files;
    }
    CHECK(files > 0);
}
