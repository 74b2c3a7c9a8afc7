#include <doctest/doctest.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "rules_engine/engine_config.hpp"
#include "support/temp_dir.hpp"

using namespace wv::rules_engine;

namespace {

// The error message of loading `yaml`, or "" when it loads.
std::string load_error(const std::string& yaml) {
    wv::test::temp_dir dir;
    const auto file = dir.write("rules.yaml", yaml);
    try {
        (void)load_engine_config(file);
        return "";
    } catch (const std::runtime_error& e) {
        const std::string msg = e.what();
        // Strip the temp folder so expectations read like the file name users see.
        const auto at = msg.find("rules.yaml");
        return at == std::string::npos ? msg : msg.substr(at);
    }
}

}  // namespace

TEST_CASE("config: a full rule with every action") {
    wv::test::temp_dir dir;
    dir.write("decoder.py", "def lambda_handler(event, context):\n    return None\n");
    const auto file = dir.write("rules.yaml", R"(# comment
rules:
  - name: wavelet
    sql: >-
      SELECT clientid() AS client_id, topic() AS topic, encode(*, 'base64') AS data,
      timestamp() AS timestamp FROM 'wv/#'
    sql_version: "2016-03-23"
    actions:
      - validate: {decoder: "python:decoder.py", timeout_ms: 2000, float_tolerance: 1.0e-5,
                   compare: ["/data_samples"]}
      - lambda: {backend: handler, handler: "python:decoder.py", workers: 3, timeout_ms: 900}
      - republish: {topic: 'decoded/${clientid()}', qos: 1}
      - file: {path: out.jsonl}
      - http: {url: "http://127.0.0.1:9/ingest", timeout_ms: 250, connections: 4,
               headers: {X-Api-Key: k}}
  - name: off
    enabled: false
    sql: SELECT * FROM 'x'
    actions: [{file: {path: /tmp/never}}]
rules_queue: {max: 50, threads: 2}
)");
    const auto cfg = load_engine_config(file);
    CHECK(cfg.max_queue == 50);
    CHECK(cfg.threads == 2);
    REQUIRE(cfg.rules.size() == 2);
    const auto& r = cfg.rules[0];
    CHECK(r.name == "wavelet");
    CHECK(r.version == wv::rules::sql_version::v2016_03_23);
    CHECK(r.enabled);
    REQUIRE(r.compiled);
    CHECK(r.compiled->topic_filter() == "wv/#");
    REQUIRE(r.actions.size() == 5);
    const auto& v = std::get<validate_action_config>(r.actions[0]);
    CHECK(v.decoder.kind == wv::backends::backend_kind::handler);
    CHECK(v.decoder.handler.spec == "python:" + (dir.path() / "decoder.py").string() + ":lambda_handler");
    CHECK(v.timeout == std::chrono::milliseconds(2000));
    CHECK(v.float_tolerance == doctest::Approx(1e-5));
    CHECK(v.compare == std::vector<std::string>{"/data_samples"});
    const auto& l = std::get<lambda_action_config>(r.actions[1]);
    CHECK(l.function.handler.workers == 3);
    CHECK(l.timeout == std::chrono::milliseconds(900));
    CHECK(std::get<republish_action_config>(r.actions[2]).qos == 1);
    CHECK(std::get<file_action_config>(r.actions[3]).path == dir.path() / "out.jsonl");
    const auto& h = std::get<http_action_config>(r.actions[4]);
    CHECK(h.connections == 4);
    CHECK(h.headers.at("X-Api-Key") == "k");
    CHECK_FALSE(cfg.rules[1].enabled);
    CHECK(std::string(action_kind(r.actions[4])) == "http");
}

TEST_CASE("config: errors name the file, line and key") {
    const std::string head = "rules:\n  - name: r\n    sql: SELECT * FROM 'a'\n";
    CHECK(load_error(head + "    actions: [{file: {}}]\n") == "rules.yaml:4: rules[0].actions[0].file.path: missing");
    CHECK(load_error(head + "    actions:\n      - smtp: {to: x}\n") ==
          "rules.yaml:5: rules[0].actions[0].smtp: unknown action (expected lambda, republish, file, http or validate)");
    CHECK(load_error(head + "    actions:\n      - republish: {topic: t, qos: 2}\n") ==
          "rules.yaml:5: rules[0].actions[0].republish.qos: must be 0 or 1 (AWS IoT has no QoS 2)");
    CHECK(load_error(head + "    actions:\n      - republish: {topic: t, headers: {contentTyp: x}}\n") ==
          "rules.yaml:5: rules[0].actions[0].republish.headers.contentTyp: unknown key (expected one of: contentType, "
          "correlationData, messageExpiry, payloadFormatIndicator, responseTopic, userProperties)");
    CHECK(load_error(head + "    actions:\n      - http: {url: 'https://x/'}\n") ==
          "rules.yaml:5: rules[0].actions[0].http.url: only http:// URLs are supported");
    CHECK(load_error(head + "    actions:\n      - validate: {decoder: 'ruby:x.rb'}\n") ==
          "rules.yaml:5: rules[0].actions[0].validate.decoder: expected python:FILE, node:FILE or a backend map");
    CHECK(load_error(head + "    actions:\n      - validate:\n          decoder: {backend: static, credentials: []}\n")
              .find("decoder.backend: a function must be lambda or handler, not static") != std::string::npos);
    CHECK(load_error(head + "    actions: []\n") == "rules.yaml:4: rules[0].actions: expected a list of at least one action");
    CHECK(load_error(head + "    colour: red\n    actions: [{file: {path: x}}]\n")
              .rfind("rules.yaml:4: rules[0].colour: unknown key", 0) == 0);
    CHECK(load_error("rules:\n  - name: bad-name\n    sql: SELECT * FROM 'a'\n    actions: [{file: {path: x}}]\n") ==
          "rules.yaml:2: rules[0].name: 'bad-name' must be letters, digits and _ (as AWS rule names)");
    CHECK(load_error(head + "    actions: [{file: {path: x}}]\n  - name: r\n    sql: SELECT * FROM 'b'\n"
                            "    actions: [{file: {path: y}}]\n") == "rules.yaml:5: rules[1].name: 'r' is used twice");
    CHECK(load_error(head + "    sql_version: '2017-01-01'\n    actions: [{file: {path: x}}]\n") ==
          "rules.yaml:4: rules[0].sql_version: '2017-01-01' is not 2015-10-08, 2016-03-23 or beta");
    CHECK(load_error("rules_queue: {max: 0}\n") == "rules.yaml:1: rules_queue.max: must be at least 1");
    CHECK(load_error("rules: [1, 2\n").rfind("rules.yaml:", 0) == 0);
}

TEST_CASE("config: bad SQL is refused at start with its column and a caret") {
    const auto msg = load_error("rules:\n  - name: r\n    sql: SELECT * FORM 'a'\n    actions: [{file: {path: x}}]\n");
    INFO(msg);
    CHECK(msg.rfind("rules.yaml:3: rules[0].sql: column 10:", 0) == 0);
    CHECK(msg.find("\n    SELECT * FORM 'a'\n             ^") != std::string::npos);
}

TEST_CASE("config: encode() under the default SQL version says which version it needs") {
    const auto msg = load_error(
        "rules:\n  - name: r\n    sql: SELECT encode(*, 'base64') AS data FROM 'wv/#'\n    actions: [{file: {path: x}}]\n");
    INFO(msg);
    CHECK(msg.find("2016-03-23") != std::string::npos);
    CHECK(msg.find("(set sql_version: \"2016-03-23\" on the rule)") != std::string::npos);
}

TEST_CASE("config: no rules section is an empty config") {
    wv::test::temp_dir dir;
    const auto cfg = load_engine_config(dir.write("gate.yaml", "listeners: []\n"));
    CHECK(cfg.rules.empty());
    CHECK(cfg.max_queue == 10000);
}

TEST_CASE("config: the shipped example config/rules/wavelet.yaml loads") {
    const auto cfg = load_engine_config(std::filesystem::path(WV_SOURCE_DIR_PATH) / "config/rules/wavelet.yaml");
    REQUIRE(cfg.rules.size() == 2);
    CHECK(cfg.rules[0].name == "wavelet_decoder");
    CHECK(cfg.rules[0].version == wv::rules::sql_version::v2016_03_23);
    REQUIRE(cfg.rules[0].actions.size() == 2);
    const auto& v = std::get<validate_action_config>(cfg.rules[0].actions[0]);
    CHECK(v.decoder.handler.workers == 4);
    CHECK(v.decoder.handler.spec.find("config/rules/../decoders/ayyeka_decoder.py:lambda_handler") != std::string::npos);
    CHECK(v.output_from_log == validate_action_config::log_output::marker);  // the sample logs its result
    CHECK(v.output_marker == "Lambda Output:");
    CHECK_FALSE(cfg.rules[1].enabled);
    CHECK(cfg.rules[1].actions.size() == 3);
}

TEST_CASE("config: validate's output_from_log (default last_json; a marker; off) and a Lambda decoder's log tail") {
    wv::test::temp_dir dir;
    dir.write("decoder.py", "def lambda_handler(event, context):\n    return None\n");
    const auto file = dir.write("rules.yaml", R"(rules:
  - name: r
    sql: SELECT * FROM 'a'
    actions:
      - validate: {decoder: "python:decoder.py"}
      - validate: {decoder: "python:decoder.py", output_from_log: "Lambda Output:"}
      - validate: {decoder: "python:decoder.py", output_from_log: off}
      - validate: {decoder: "python:decoder.py", output_from_log: false}
      - validate: {decoder: {backend: lambda, url: "http://127.0.0.1:9", function: d}}
      - validate: {decoder: {backend: lambda, url: "http://127.0.0.1:9", function: d, tail_logs: false}}
)");
    const auto cfg = load_engine_config(file);
    using lo = validate_action_config::log_output;
    const auto v = [&](std::size_t i) { return std::get<validate_action_config>(cfg.rules[0].actions[i]); };
    CHECK(v(0).output_from_log == lo::last_json);
    CHECK(v(1).output_from_log == lo::marker);
    CHECK(v(1).output_marker == "Lambda Output:");
    CHECK(v(2).output_from_log == lo::off);
    CHECK(v(3).output_from_log == lo::off);
    CHECK(v(4).decoder.lambda.tail_logs);  // asked for, so the log comes back with the reply
    CHECK_FALSE(v(5).decoder.lambda.tail_logs);
    const std::string head = "rules:\n  - name: r\n    sql: SELECT * FROM 'a'\n";
    CHECK(load_error(head + "    actions:\n      - validate: {decoder: 'python:x.py', output_from_log: ''}\n")
              .find("output_from_log: empty") != std::string::npos);
}
