// The engine with the actions that need no other process: file, republish, and the queue
// bound. Function-backed actions (lambda, validate) and http are in tests/integration.
#include <doctest/doctest.h>

#include <future>
#include <mutex>
#include <sstream>

#include "rules_engine/engine.hpp"
#include "support/temp_dir.hpp"

using namespace wv::rules_engine;
using namespace std::chrono_literals;

namespace {

rule_config rule(std::string name, std::string sql, std::vector<action_config> actions,
                 wv::rules::sql_version v = wv::rules::sql_version::v2016_03_23) {
    rule_config r;
    r.name = std::move(name);
    r.sql = std::move(sql);
    r.version = v;
    r.actions = std::move(actions);
    return r;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

struct log_capture {
    std::mutex m;
    std::vector<std::string> lines;
    log_fn fn() {
        return [this](const std::string& l) {
            std::lock_guard lock(m);
            lines.push_back(l);
        };
    }
    bool contains(const std::string& s) {
        std::lock_guard lock(m);
        for (const auto& l : lines)
            if (l.find(s) != std::string::npos) return true;
        return false;
    }
};

}  // namespace

TEST_CASE("engine: the file action writes the SELECT output, one JSON line per matched message") {
    wv::test::temp_dir dir;
    engine_config cfg;
    cfg.rules.push_back(rule("wavelet",
                             "SELECT clientid() AS client_id, topic() AS topic, encode(*, 'base64') AS data, "
                             "timestamp() AS timestamp FROM 'wv/#' WHERE topic(4) = 'samp'",
                             {file_action_config{dir / "out.jsonl"}}));
    engine e(std::move(cfg));
    CHECK(e.on_message({.topic = "wv/AKID-0/1/samp/p1", .payload = std::string_view("\x08\x01", 2),
                        .client_id = "AKID-0", .timestamp_ms = 1621953222194}) == 1);
    CHECK(e.on_message({.topic = "wv/AKID-0/1/reportend/p1", .payload = "x", .client_id = "AKID-0"}) == 0);  // WHERE
    CHECK(e.on_message({.topic = "other/AKID-0", .payload = "x", .client_id = "AKID-0"}) == 0);             // FROM
    CHECK(e.on_message({.topic = "/wv/AKID-0/1/samp/p1", .payload = "x"}) == 0);  // leading slash: another topic
    CHECK(e.on_message({.topic = "wv/n/1/samp/p1", .payload = "", .timestamp_ms = 5}) == 1);
    REQUIRE(e.drain(10s));
    const auto lines = lines_of(wv::test::read_file(dir / "out.jsonl"));
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] ==
          R"({"client_id":"AKID-0","topic":"wv/AKID-0/1/samp/p1","data":"CAE=","timestamp":1621953222194})");
    // No MQTT client id: clientid() is "n/a", as AWS gives for HTTPS publishes.
    CHECK(lines[1] == R"({"client_id":"n/a","topic":"wv/n/1/samp/p1","data":"","timestamp":5})");
    const auto st = e.stats();
    CHECK(st.matched == 2);
    CHECK(st.ok == 2);
    CHECK(st.failed == 0);
    CHECK(e.metrics().render().find("wv_rules_matched_total{rule=\"wavelet\"} 2") != std::string::npos);
}

TEST_CASE("engine: SELECT * of a binary payload writes {\"base64\": ...}; of JSON, the object") {
    wv::test::temp_dir dir;
    engine_config cfg;
    cfg.rules.push_back(rule("all", "SELECT * FROM 'a/+'", {file_action_config{dir / "all.jsonl"}}));
    engine e(std::move(cfg));
    e.on_message({.topic = "a/1", .payload = std::string_view("\xff\x00", 2)});
    e.on_message({.topic = "a/2", .payload = R"({"t": 21.5})"});
    REQUIRE(e.drain(10s));
    const auto lines = lines_of(wv::test::read_file(dir / "all.jsonl"));
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == R"({"base64":"/wA="})");
    CHECK(lines[1] == R"({"t":21.5})");
}

TEST_CASE("engine: republish calls the gateway back with the substituted topic") {
    std::mutex m;
    std::vector<republish_request> got;
    engine_config cfg;
    cfg.rules.push_back(rule("echo", "SELECT topic(2) AS device, t FROM 'sensors/+/temp'",
                             {republish_action_config{.topic = "decoded/${clientid()}/${topic(2)}", .qos = 1}}));
    engine e(std::move(cfg), {.republish = [&](republish_request r) {
                                  std::lock_guard lock(m);
                                  got.push_back(std::move(r));
                                  return std::string{};
                              }});
    e.on_message({.topic = "sensors/s7/temp", .payload = R"({"t": 3})", .client_id = "c1"});
    REQUIRE(e.drain(10s));
    REQUIRE(got.size() == 1);
    CHECK(got[0].topic == "decoded/c1/s7");
    CHECK(got[0].payload == R"({"device":"s7","t":3})");
    CHECK(got[0].qos == 1);
    CHECK(got[0].rule == "echo");
}

TEST_CASE("engine: republish with MQTT 5 headers (AWS's republish headers), templates expanded per message") {
    std::mutex m;
    std::vector<republish_request> got;
    engine_config cfg;
    republish_headers h;
    h.payload_format_indicator = "UTF8_DATA";
    h.content_type = "${get_mqtt_property('content_type')}";
    h.response_topic = "reply/${topic(2)}";
    h.correlation_data = "${get_mqtt_property('correlation_data')}";
    h.message_expiry = "${ttl}";
    h.user_properties = {{"device", "${topic(2)}"}, {"sites", "${get_user_properties('site')}"}};
    cfg.rules.push_back(rule("h", "SELECT t FROM 'sensors/+/temp'",
                             {republish_action_config{.topic = "out/${topic(2)}", .qos = 0, .headers = h}}));
    log_capture logs;
    engine e(std::move(cfg), {.republish =
                                  [&](republish_request r) {
                                      std::lock_guard lock(m);
                                      got.push_back(std::move(r));
                                      return std::string{};
                                  },
                              .log = logs.fn()});
    wv::rules::mqtt5_properties in;
    in.content_type = "application/json";
    in.correlation_data = std::string("\x00\x01", 2);
    in.user_properties = {{"site", "lab-3"}, {"site", "lab-4"}};
    e.on_message({.topic = "sensors/s7/temp", .payload = R"({"t": 3, "ttl": 60})", .client_id = "c1", .properties = &in});
    // Without properties: the headers whose templates come out empty are left out.
    e.on_message({.topic = "sensors/s8/temp", .payload = R"({"t": 4})", .client_id = "c1"});
    // A header that is not valid fails the action, with the reason.
    e.on_message({.topic = "sensors/s9/temp", .payload = R"({"t": 5, "ttl": "soon"})", .client_id = "c1"});
    REQUIRE(e.drain(10s));
    REQUIRE(got.size() == 2);
    const auto& a = got[0].topic == "out/s7" ? got[0] : got[1];
    const auto& b = got[0].topic == "out/s7" ? got[1] : got[0];
    CHECK(a.properties.payload_format_indicator == 1u);
    CHECK(a.properties.content_type == "application/json");
    CHECK(a.properties.response_topic == "reply/s7");
    CHECK(a.properties.correlation_data == std::string("\x00\x01", 2));
    CHECK(a.message_expiry_s == 60u);
    CHECK(a.properties.user_properties ==
          std::vector<std::pair<std::string, std::string>>{{"device", "s7"}, {"sites", R"(["lab-3","lab-4"])"}});
    CHECK(b.properties.payload_format_indicator == 1u);
    CHECK_FALSE(b.properties.content_type);
    CHECK_FALSE(b.properties.correlation_data);
    CHECK_FALSE(b.message_expiry_s);
    CHECK(b.properties.response_topic == "reply/s8");
    CHECK(e.stats().failed == 1);
    CHECK(logs.contains("headers.messageExpiry 'soon' is not a number of seconds"));
}

TEST_CASE("engine: republish failures are counted and logged with the reason") {
    log_capture logs;
    engine_config cfg;
    cfg.rules.push_back(rule("r", "SELECT * FROM 'a/#'", {republish_action_config{.topic = "b/${x}"}}));
    SUBCASE("no gateway attached") {
        engine e(std::move(cfg), {.log = logs.fn()});
        e.on_message({.topic = "a/1", .payload = "{}"});
        REQUIRE(e.drain(10s));
        CHECK(e.stats().failed == 1);
        CHECK(logs.contains("rules: r republish b/${x} failed: no gateway attached"));
    }
    SUBCASE("the gateway refuses") {
        engine e(std::move(cfg), {.republish = [](republish_request) { return std::string("not authorized"); },
                                  .log = logs.fn()});
        e.on_message({.topic = "a/1", .payload = R"({"x": "y"})"});
        REQUIRE(e.drain(10s));
        CHECK(e.stats().failed == 1);
        CHECK(logs.contains("failed: not authorized"));
    }
    SUBCASE("a substitution that makes a wildcard topic") {
        engine e(std::move(cfg), {.republish = [](republish_request) { return std::string{}; }, .log = logs.fn()});
        e.on_message({.topic = "a/1", .payload = R"({"x": "#"})"});
        REQUIRE(e.drain(10s));
        CHECK(e.stats().failed == 1);
        CHECK(logs.contains("contains a wildcard"));
    }
}

TEST_CASE("engine: a full queue drops and counts without blocking the caller") {
    log_capture logs;
    std::promise<void> release;
    auto released = release.get_future().share();
    engine_config cfg;
    cfg.max_queue = 4;
    cfg.threads = 1;
    cfg.rules.push_back(rule("slow", "SELECT * FROM 'q/#'", {republish_action_config{.topic = "out"}}));
    engine e(std::move(cfg), {.republish =
                                  [released](republish_request) {
                                      released.wait();  // a stuck consumer: the worker blocks here
                                      return std::string{};
                                  },
                              .log = logs.fn()});
    // Every call returns although the only worker is stuck: 4 jobs are taken, the rest dropped.
    for (int i = 0; i < 20; ++i) CHECK(e.on_message({.topic = "q/1", .payload = "{}"}) == 1);
    auto st = e.stats();
    CHECK(st.matched == 20);
    CHECK(st.dropped == 16);
    CHECK(st.in_flight == 4);
    CHECK(logs.contains("rules: action queue full (4 jobs): dropped"));
    CHECK(e.metrics().render().find(
              R"(wv_rules_actions_total{rule="slow",action="republish0",outcome="dropped"} 16)") != std::string::npos);
    release.set_value();
    REQUIRE(e.drain(10s));
    st = e.stats();
    CHECK(st.ok == 4);
    CHECK(st.in_flight == 0);
}

TEST_CASE("engine: start-up errors name the rule and action") {
    engine_config cfg;
    cfg.rules.push_back(rule("f", "SELECT * FROM 'a'", {file_action_config{"/nonexistent-dir/x.jsonl"}}));
    CHECK_THROWS_WITH_AS(engine(std::move(cfg)), doctest::Contains("rule 'f' actions[0] (file): file action: /nonexistent-dir/x.jsonl: cannot open"),
                         std::runtime_error);
    engine_config bad_sql;
    bad_sql.rules.push_back(rule("s", "SELECT encode(*, 'base64') FROM 'a'", {file_action_config{"/tmp/x"}},
                                 wv::rules::sql_version::v2015_10_08));
    CHECK_THROWS_WITH_AS(engine(std::move(bad_sql)), doctest::Contains("2016-03-23"), std::runtime_error);
    engine_config bad_url;
    bad_url.rules.push_back(rule("h", "SELECT * FROM 'a'", {http_action_config{.url = "http://:80/"}}));
    CHECK_THROWS_WITH_AS(engine(std::move(bad_url)), doctest::Contains("rule 'h' actions[0] (http)"), std::runtime_error);
}

TEST_CASE("engine: disabled rules do nothing; summary lists the enabled ones") {
    wv::test::temp_dir dir;
    engine_config cfg;
    auto off = rule("off", "SELECT * FROM 'a'", {file_action_config{dir / "off.jsonl"}});
    off.enabled = false;
    cfg.rules.push_back(std::move(off));
    cfg.rules.push_back(rule("on", "SELECT * FROM 'a'", {file_action_config{dir / "on.jsonl"}}));
    engine e(std::move(cfg));
    CHECK(e.rule_count() == 1);
    CHECK(e.on_message({.topic = "a", .payload = "{}"}) == 1);
    REQUIRE(e.drain(10s));
    const auto s = e.summary();
    CHECK(s.find("rule on: matched 1 message(s)") != std::string::npos);
    CHECK(s.find("file " + (dir / "on.jsonl").string() + ": ok 1, failed 0, dropped 0") != std::string::npos);
    CHECK(s.find("rule off") == std::string::npos);
}
