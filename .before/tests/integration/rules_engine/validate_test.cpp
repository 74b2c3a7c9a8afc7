// The validate action end to end: a rule with encode(*, 'base64') feeds a python decoder run by
// the handler backend, and the reference decoder, on generated reports.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "report_batch.hpp"
#include "reference_decoder_py.hpp"
#include "rules_engine/engine.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

using namespace wv::rules_engine;
using namespace wv::rules_engine_test;
using namespace std::chrono_literals;

namespace {

constexpr const char* wavelet_sql =
    "SELECT clientid() AS client_id, topic() AS topic, encode(*, 'base64') AS data, timestamp() AS timestamp "
    "FROM 'wv/#'";

struct log_capture {
    std::mutex m;
    std::vector<std::string> lines;
    log_fn fn() {
        return [this](const std::string& l) {
            std::lock_guard lock(m);
            lines.push_back(l);
        };
    }
    std::size_t count(const std::string& s) {
        std::lock_guard lock(m);
        std::size_t n = 0;
        for (const auto& l : lines) n += l.find(s) != std::string::npos;
        return n;
    }
    std::string first(const std::string& s) {
        std::lock_guard lock(m);
        for (const auto& l : lines)
            if (l.find(s) != std::string::npos) return l;
        return "";
    }
};

// A rules file with one validate rule whose decoder is `decoder` (python:FILE) with BUG=bug.
engine_config validate_config(const wv::test::temp_dir& dir, const std::string& decoder, const std::string& bug,
                              int timeout_ms = 10000, const std::string& extra = "") {
    const auto file = dir.write("rules.yaml", "rules:\n"
                                              "  - name: wavelet\n"
                                              "    sql: \"" + std::string(wavelet_sql) + "\"\n"
                                              "    sql_version: '2016-03-23'\n"
                                              "    actions:\n"
                                              "      - validate:\n"
                                              "          timeout_ms: " + std::to_string(timeout_ms) + "\n"
                                              "          decoder:\n"
                                              "            backend: handler\n"
                                              "            handler: '" + decoder + "'\n"
                                              "            workers: 2\n"
                                              "            environment: {BUG: '" + bug + "'}\n" + extra);
    return load_engine_config(file);
}

void feed(engine& e, const std::vector<report>& batch) {
    for (const auto& r : batch)
        REQUIRE(e.on_message({.topic = r.topic, .payload = r.payload, .client_id = r.client_id,
                              .timestamp_ms = 1'700'000'000'123}) == 1);
}

std::uint64_t kind_count(const validate_counts& c, const char* name) {
    for (std::size_t k = 0; k < validate_kind_count; ++k)
        if (std::string(validate_kind_name(k)) == name) return c.by_kind[k];
    return ~0ULL;
}

}  // namespace

TEST_CASE("validate: a correct decoder matches the reference on every report") {
    wv::test::temp_dir dir;
    dir.write("decoder.py", plain_python_decoder);
    log_capture logs;
    engine e(validate_config(dir, "python:decoder.py", ""), {.log = logs.fn()});
    const auto batch = report_batch(60);
    feed(e, batch);
    // A last-will report end: both decoders ignore topics without "samp".
    REQUIRE(e.on_message({.topic = "wv/AKID-0/1/reportend/p1", .payload = "\x08\x01", .client_id = "AKID-0"}) == 1);
    REQUIRE(e.drain(90s));
    const auto c = e.validation("wavelet").value();
    INFO(logs.first("validate"));
    CHECK(c.validated == 61);
    CHECK(c.matched == 61);
    CHECK(c.mismatched == 0);
    CHECK(c.errors == 0);
    CHECK(c.timeouts == 0);
    CHECK(c.latency_count == 61);
    const auto summary = e.summary();
    INFO(summary);
    CHECK(summary.find("messages validated 61: matched 61, mismatched 0, errors 0, timeouts 0") != std::string::npos);
    CHECK(summary.find("decoder latency: p50 ") != std::string::npos);
    CHECK(summary.find("decoder output: returned 60, from its log 0 (the last JSON object each call logged), none 1") !=
          std::string::npos);
    CHECK(c.output_returned == 60);
    CHECK(e.metrics().render().find(R"(wv_rules_validate_messages_total{rule="wavelet",outcome="matched"} 61)") !=
          std::string::npos);
}

TEST_CASE("validate: a decoder that drops a field is caught") {
    wv::test::temp_dir dir;
    dir.write("decoder.py", plain_python_decoder);
    log_capture logs;
    engine e(validate_config(dir, "python:decoder.py", "drop_field"), {.log = logs.fn()});
    const auto batch = report_batch(10);
    feed(e, batch);
    REQUIRE(e.drain(60s));
    const auto c = e.validation("wavelet").value();
    CHECK(c.validated == 10);
    CHECK(c.mismatched == 10);
    CHECK(kind_count(c, "missing_field") == 10);
    CHECK(kind_count(c, "type_mismatch") == 0);
    // The log line says where, and carries the payload to reproduce it.
    const auto line = logs.first("mismatch [missing_field]");
    INFO(line);
    CHECK(line.find("/data_samples/samples/0/channelType missing_field (expected \"TEMP_CHANNEL_TYPE\", got nothing)") !=
          std::string::npos);
    CHECK(line.find("payload_base64=") != std::string::npos);
    CHECK(e.summary().find("mismatched by kind: missing_field 10") != std::string::npos);
    CHECK(e.metrics().render().find(R"(wv_rules_validate_mismatches_total{rule="wavelet",kind="missing_field"} 10)") !=
          std::string::npos);
}

TEST_CASE("validate: timestamps as numbers are a type mismatch, not a match") {
    wv::test::temp_dir dir;
    dir.write("decoder.py", plain_python_decoder);
    log_capture logs;
    engine e(validate_config(dir, "python:decoder.py", "numeric_timestamps"), {.log = logs.fn()});
    feed(e, report_batch(5));
    REQUIRE(e.drain(60s));
    const auto c = e.validation("wavelet").value();
    CHECK(c.mismatched == 5);
    CHECK(kind_count(c, "type_mismatch") == 5);
    CHECK(kind_count(c, "missing_field") == 0);
    CHECK(logs.first("mismatch [type_mismatch]").find("/data_samples/samples/0/timestamp type_mismatch (expected \"1") !=
          std::string::npos);
}

TEST_CASE("validate: a decoder that raises lands in errors, with its exception") {
    wv::test::temp_dir dir;
    dir.write("decoder.py", plain_python_decoder);
    log_capture logs;
    engine e(validate_config(dir, "python:decoder.py", "raise"), {.log = logs.fn()});
    feed(e, report_batch(4));
    REQUIRE(e.drain(60s));
    const auto c = e.validation("wavelet").value();
    CHECK(c.validated == 4);
    CHECK(c.errors == 4);
    CHECK(c.mismatched == 0);
    CHECK(c.errors_by_reason.at("function_error") == 4);
    const auto line = logs.first("decoder error (function_error");
    INFO(line);
    CHECK(line.find("decoder bug") != std::string::npos);
    CHECK(line.find("payload_base64=") != std::string::npos);
    // The engine's line for the action counts the same messages: none of them is "ok" (it said
    // "ok 4" beside "errors 4"), and each failure is logged once, by validate.
    CHECK(e.stats().ok == 0);
    CHECK(e.stats().failed == 4);
    INFO(e.summary());
    CHECK(e.summary().find("ok 0, failed 4, dropped 0") != std::string::npos);
    CHECK(logs.count(" failed: ") == 0);
}

TEST_CASE("validate: the engine's ok/failed for the action are matched / the rest, and add up") {
    wv::test::temp_dir dir;
    dir.write("decoder.py", plain_python_decoder);
    log_capture logs;
    engine e(validate_config(dir, "python:decoder.py", "drop_field"), {.log = logs.fn()});
    feed(e, report_batch(6));
    REQUIRE(e.on_message({.topic = "wv/AKID-0/1/reportend/p1", .payload = "\x08\x01", .client_id = "AKID-0"}) == 1);
    REQUIRE(e.drain(60s));
    const auto c = e.validation("wavelet").value();
    CHECK(c.mismatched == 6);
    CHECK(c.matched == 1);
    CHECK(e.stats().ok == c.matched);
    CHECK(e.stats().failed == c.mismatched + c.errors + c.timeouts);
    CHECK(e.summary().find("ok 1, failed 6, dropped 0") != std::string::npos);
}

TEST_CASE("validate: a decoder that hangs lands in timeouts and the engine carries on") {
    wv::test::temp_dir dir;
    dir.write("decoder.py", plain_python_decoder);
    log_capture logs;
    engine e(validate_config(dir, "python:decoder.py", "hang", 800), {.log = logs.fn()});
    feed(e, report_batch(2));
    REQUIRE(e.drain(60s));
    const auto c = e.validation("wavelet").value();
    CHECK(c.validated == 2);
    CHECK(c.timeouts == 2);
    CHECK(c.errors == 0);
    CHECK(logs.count("decoder timeout after 800 ms") == 2);
    MESSAGE(e.summary());
    CHECK(e.summary().find("timeouts 2") != std::string::npos);
}

TEST_CASE("validate: a rule whose SELECT is not the decoder event fails without calling the decoder") {
    wv::test::temp_dir dir;
    dir.write("decoder.py", plain_python_decoder);
    const auto file = dir.write("rules.yaml", R"(rules:
  - name: wrong
    sql: SELECT topic() AS topic FROM 'wv/#'
    actions:
      - validate: {decoder: "python:decoder.py"}
)");
    log_capture logs;
    engine e(load_engine_config(file), {.log = logs.fn()});
    feed(e, report_batch(3));
    REQUIRE(e.drain(30s));
    CHECK(e.stats().failed == 3);
    CHECK(e.validation("wrong")->validated == 0);
    CHECK(logs.count("the rule's SELECT does not give the decoder event") >= 1);
}

namespace {

// A validate rule on the log_only decoder with `output_from_log: <mode>` (none: the default).
std::string log_only_rule(const std::string& name, const std::string& mode) {
    return "  - name: " + name + "\n"
           "    sql: \"" + std::string(wavelet_sql) + "\"\n"
           "    sql_version: '2016-03-23'\n"
           "    actions:\n"
           "      - validate:\n" +
           (mode.empty() ? "" : "          output_from_log: '" + mode + "'\n") +
           "          decoder: {backend: handler, handler: 'python:decoder.py', workers: 1,"
           " environment: {BUG: log_only}}\n";
}

}  // namespace

// Decoder Lambdas that log their result and return nothing (Ayyeka's logs
// "<client>:Lambda Output:{json}") were all no_output: the output is read from the call's log.
TEST_CASE("validate: a decoder that logs its output and returns nothing is validated from its log") {
    wv::test::temp_dir dir;
    dir.write("decoder.py", plain_python_decoder);
    log_capture logs;
    const auto extra = log_only_rule("marker", "Lambda Output:") + log_only_rule("off", "off") +
                       log_only_rule("other_marker", "Decoded:");
    engine e(validate_config(dir, "python:decoder.py", "log_only", 10000, extra), {.log = logs.fn()});
    for (const auto& r : report_batch(8))
        REQUIRE(e.on_message({.topic = r.topic, .payload = r.payload, .client_id = r.client_id,
                              .timestamp_ms = 1'700'000'000'123}) == 4);
    // It logs the event of an ignored topic too: that is not its output.
    REQUIRE(e.on_message({.topic = "wv/AKID-0/1/reportend/p1", .payload = "\x08\x01", .client_id = "AKID-0"}) == 4);
    REQUIRE(e.drain(90s));
    const auto summary = e.summary();
    INFO(summary);
    INFO(logs.first("validate"));

    // Default: the last JSON object logged, the event it logged first skipped.
    const auto c = e.validation("wavelet").value();
    CHECK(c.validated == 9);
    CHECK(c.matched == 9);
    CHECK(c.output_logged == 8);
    CHECK(c.output_none == 1);
    CHECK(summary.find("decoder output: returned 0, from its log 8 (the last JSON object each call logged), none 1") !=
          std::string::npos);

    const auto m = e.validation("marker").value();
    CHECK(m.matched == 9);
    CHECK(m.output_logged == 8);
    CHECK(summary.find("decoder output: returned 0, from its log 8 (the JSON after marker 'Lambda Output:'), none 1") !=
          std::string::npos);

    // Off: the return value only, so every report is no_output, as before.
    const auto off = e.validation("off").value();
    CHECK(off.mismatched == 8);
    CHECK(kind_count(off, "no_output") == 8);
    CHECK(summary.find("decoder output: returned 0, none 9 (output_from_log: off)") != std::string::npos);

    // A marker the function never logs: no output, and the finding names the marker.
    const auto o = e.validation("other_marker").value();
    CHECK(kind_count(o, "no_output") == 8);
    CHECK(logs.first("validate other_marker: mismatch [no_output]").find("logged no line with marker 'Decoded:'") !=
          std::string::npos);
}

TEST_CASE("validate: a mismatch in a logged output says it came from the log") {
    wv::test::temp_dir dir;
    dir.write("decoder.py", std::string(plain_python_decoder) +
                                "\n_orig = lambda_handler\n"
                                "def lambda_handler(event, context):\n"
                                "    r = _orig(event, context)\n"
                                "    if r: r['data_samples']['totalSamples'] += 1\n"
                                "    print('[INFO]\\t2026-01-01T00:00:00.000Z\\treq\\t%s:Lambda Output:%s' % "
                                "(event['client_id'], json.dumps(r)))\n");
    log_capture logs;
    engine e(validate_config(dir, "python:decoder.py", ""), {.log = logs.fn()});
    feed(e, report_batch(3));
    REQUIRE(e.drain(60s));
    const auto c = e.validation("wavelet").value();
    CHECK(c.mismatched == 3);
    CHECK(kind_count(c, "value_mismatch") == 3);
    const auto line = logs.first("mismatch [value_mismatch]");
    INFO(line);
    CHECK(line.find("[output from its log, line 1 of 1]") != std::string::npos);
}

// The sample decoder users copy (config/decoders/ayyeka_decoder.py) runs on the python protobuf
// module: this cross-checks our reference decoder against protobuf's own JSON mapping.
TEST_CASE("validate: the sample Ayyeka-style decoder agrees with the reference") {
    if (std::system((std::string(WV_PYTHON3) + " -c 'import google.protobuf' 2>/dev/null").c_str()) != 0 ||
        std::string(WV_PROTOC).empty()) {
        MESSAGE("python3-protobuf or protoc missing: skipped (scripts/install-deps.sh installs them)");
        return;
    }
    wv::test::temp_dir dir;
    const std::filesystem::path src = WV_SOURCE_DIR_PATH;
    std::filesystem::copy_file(src / "config/decoders/ayyeka_decoder.py", dir / "ayyeka_decoder.py");
    std::vector<std::string> protoc{WV_PROTOC, "-I", (src / "proto").string(), "--python_out=" + dir.path().string()};
    for (const auto& f : std::filesystem::directory_iterator(src / "proto"))
        if (f.path().extension() == ".proto") protoc.push_back(f.path().string());
    const auto gen = wv::test::run(protoc);
    REQUIRE_MESSAGE(gen.exit_code == 0, gen.err);

    // Two rules on the same messages: the default float tolerance, and none at all, to count the
    // reports where protobuf's python printer and the reference's differ in the last digits.
    const std::string strict = "  - name: exact\n"
                               "    sql: \"" + std::string(wavelet_sql) + "\"\n"
                               "    sql_version: '2016-03-23'\n"
                               "    actions:\n"
                               "      - validate:\n"
                               "          float_tolerance: 0\n"
                               "          max_logged_mismatches: 64\n"
                               "          decoder: {backend: handler, handler: 'python:ayyeka_decoder.py', workers: 2}\n";
    log_capture logs;
    engine e(validate_config(dir, "python:ayyeka_decoder.py", "", 20000, strict), {.log = logs.fn()});
    const auto batch = report_batch(40);
    for (const auto& r : batch)
        REQUIRE(e.on_message({.topic = r.topic, .payload = r.payload, .client_id = r.client_id,
                              .timestamp_ms = 1'700'000'000'123}) == 2);
    REQUIRE(e.drain(90s));
    const auto c = e.validation("wavelet").value();
    INFO(logs.first("validate wavelet"));
    CHECK(c.validated == 40);
    CHECK(c.matched == 40);
    CHECK(c.errors == 0);
    // Like Ayyeka's original, the sample logs "<client>:Lambda Output:{json}" and returns nothing.
    CHECK(c.output_logged == 40);
    MESSAGE(e.summary());
    const auto x = e.validation("exact").value();
    // Every difference the exact rule sees is within 1e-6 relative (the wavelet rule matched
    // all 40), and integers and strings compare exactly: so they are all float values, where
    // python's json_format prints the shortest float32 text (88.02791) and libprotobuf, whose
    // output the reference reproduces, 6 or 9 digits (88.0279083).
    // Report the exact-text disagreements precisely (see config/decoders/README.md).
    MESSAGE("zero tolerance: " << x.matched << " of " << x.validated << " reports identical; value mismatches in "
                               << kind_count(x, "value_mismatch") << "; first: " << logs.first("validate exact"));
    CHECK(x.validated == 40);
    CHECK(x.errors == 0);
    CHECK(kind_count(x, "missing_field") == 0);
    CHECK(kind_count(x, "extra_field") == 0);
    CHECK(kind_count(x, "type_mismatch") == 0);
    CHECK(kind_count(x, "count_mismatch") == 0);
    CHECK(kind_count(x, "order_mismatch") == 0);
}
