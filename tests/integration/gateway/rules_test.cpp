// Topic rules wired into the gateway: every accepted PUBLISH reaches the rules engine with
// its client id, and stop() drains the actions before the summary is read.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <yaml-cpp/yaml.h>

#include "gateway_fixture.hpp"
#include "rules_engine/engine_config.hpp"
#include "support/child_process.hpp"
#include "support/http_get.hpp"

using namespace std::chrono_literals;

namespace {

std::string events_file;  // the fixture's tweak is a plain function: it reads this

void add_wavelet_rule(wv::gate::gateway_config& c) {
    const auto rules = YAML::Load(
        "- name: wavelet\n"
        "  sql: \"SELECT clientid() as client_id, topic() as topic, encode(*, 'base64') as data FROM 'wv/#'\"\n"
        "  sql_version: '2016-03-23'\n"
        "  actions:\n"
        "    - file: {path: '" + events_file + "'}\n");
    c.rules = wv::rules_engine::parse_engine_config(rules, YAML::Node(), "test.yaml");
}

}  // namespace

TEST_CASE("rules: an accepted PUBLISH reaches the rule; the file action gets the decoder Lambda's event") {
    wv::test::temp_dir out;
    events_file = (out / "events.jsonl").string();
    wv::test::gateway_fixture g(add_wavelet_rule);
    // One client id per publish: reconnecting with one id at once would be throttled.
    int n = 0;
    for (const auto* topic : {"wv/d1/1/samp/p1", "wv/d1/1/reportend/p1"}) {
        auto a = g.mosquitto_args(WV_MOSQUITTO_PUB, "r" + std::to_string(++n), "dev1", "pw1");
        a.insert(a.end(), {"-t", topic, "-m", "hello", "-q", "1"});
        const auto r = wv::test::run(a, {}, 20s);
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    }
    g.gw->stop();  // drains the rules engine

    std::istringstream lines(wv::test::read_file(events_file));
    std::vector<nlohmann::json> events;
    for (std::string line; std::getline(lines, line);) events.push_back(nlohmann::json::parse(line));
    REQUIRE(events.size() == 2);
    CHECK(events[0] == nlohmann::json{{"client_id", "r1"}, {"topic", "wv/d1/1/samp/p1"}, {"data", "aGVsbG8="}});
    CHECK(events[1]["topic"] == "wv/d1/1/reportend/p1");
    const auto summary = g.gw->rules_summary();
    CHECK_MESSAGE(summary.find("matched 2") != std::string::npos, summary);
}

namespace {
void add_wavelet_rule_and_metrics(wv::gate::gateway_config& c) {
    add_wavelet_rule(c);
    c.metrics_port = 0;  // the kernel picks
}

// The value of the series `series` (name and labels, as rendered) on a /metrics page; -1: absent.
double metric_value(const std::string& page, const std::string& series) {
    const auto at = page.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(page.substr(at + series.size() + 2));
}
}  // namespace

TEST_CASE("/metrics: one page with the gateway's and the rules engine's metrics, scraped while a rule runs") {
    wv::test::temp_dir out;
    events_file = (out / "events.jsonl").string();
    wv::test::gateway_fixture g(add_wavelet_rule_and_metrics);
    REQUIRE(g.gw->metrics_port());
    auto a = g.mosquitto_args(WV_MOSQUITTO_PUB, "m1", "dev1", "pw1");
    a.insert(a.end(), {"-t", "wv/d1/1/samp/p1", "-m", "hello", "-q", "1"});
    const auto r = wv::test::run(a, {}, 20s);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    // The rule's file action runs on the engine's threads: scrape until it is counted.
    const std::string ok = R"(wv_rules_actions_total{rule="wavelet",action="file0",outcome="ok"})";
    std::string page;
    for (int i = 0; i < 100; ++i) {
        page = wv::test::http_get(*g.gw->metrics_port(), "/metrics");
        if (metric_value(page, ok) == 1) break;
        std::this_thread::sleep_for(100ms);
    }
    INFO(page);
    CHECK(page.starts_with("HTTP/1.1 200"));
    // The rules engine's, which never reached /metrics before.
    CHECK(metric_value(page, R"(wv_rules_matched_total{rule="wavelet"})") == 1);
    CHECK(metric_value(page, ok) == 1);
    // The gateway's, from the same registry, with their names and labels as before.
    CHECK(metric_value(page, "wvgate_messages_in_total") == 1);
    CHECK(metric_value(page, R"(wvgate_connects_total{outcome="accepted"})") == 1);
    CHECK(metric_value(page, R"(wvgate_authorizer_latency_seconds_count)") == 1);
    CHECK(page.find("# TYPE wvgate_authorizer_latency_seconds summary\n") != std::string::npos);
    // The quantile labels the Grafana dashboard queries (config/grafana/wvsim.json).
    CHECK(page.find(R"(wvgate_authorizer_latency_seconds{quantile="0.99"} )") != std::string::npos);
    CHECK(metric_value(page, R"(wvgate_authorizer_in_flight{authorizer="auth"})") == 0);
    // Each family once: one registry renders the page.
    CHECK(page.find("# TYPE wvgate_messages_in_total") == page.rfind("# TYPE wvgate_messages_in_total"));
}

TEST_CASE("rules: none configured, no summary") {
    wv::test::gateway_fixture g;
    CHECK(g.gw->rules_summary().empty());
}

namespace {

std::string chain_file, loop_file;

// stage1 republishes into stage2's filter; `loop` republishes into its own.
void add_chained_rules(wv::gate::gateway_config& c) {
    const auto rules = YAML::Load(
        "- name: stage1\n"
        "  sql: \"SELECT temp AS doubled FROM 'wv/+/in'\"\n"
        "  actions:\n"
        "    - republish: {topic: 'wv/stage2/${topic(2)}'}\n"
        "- name: stage2\n"
        "  sql: \"SELECT topic() AS topic, clientid() AS cid, doubled FROM 'wv/stage2/#'\"\n"
        "  actions:\n"
        "    - file: {path: '" + chain_file + "'}\n"
        "- name: loop\n"
        "  sql: \"SELECT * FROM 'wv/loop'\"\n"
        "  actions:\n"
        "    - republish: {topic: 'wv/loop'}\n"
        "    - file: {path: '" + loop_file + "'}\n");
    c.rules = wv::rules_engine::parse_engine_config(rules, YAML::Node(), "test.yaml");
}

std::size_t lines_in(const std::string& file) {
    std::istringstream in(wv::test::read_file(file));
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) n += !line.empty();
    return n;
}

}  // namespace

TEST_CASE("rules: a republished message runs through the topic rules again; a rule loop stops after 8 hops, logged") {
    wv::test::temp_dir out;
    chain_file = (out / "chain.jsonl").string();
    loop_file = (out / "loop.jsonl").string();
    wv::test::gateway_fixture g(add_chained_rules);
    int n = 0;
    for (const auto& [topic, payload] : {std::pair{"wv/d7/in", R"({"temp": 21})"}, std::pair{"wv/loop", R"({"x": 1})"}}) {
        auto a = g.mosquitto_args(WV_MOSQUITTO_PUB, "chain" + std::to_string(++n), "dev1", "pw1");
        a.insert(a.end(), {"-t", topic, "-m", payload, "-q", "1"});
        const auto r = wv::test::run(a, {}, 20s);
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    }
    CHECK(g.wait_for_log({"RULE_LOOP", "\"ruleName\":\"loop\"", "republished 8 times"}));
    g.gw->stop();  // drains the rules engine

    std::istringstream lines(wv::test::read_file(chain_file));
    std::string line;
    REQUIRE(std::getline(lines, line));
    CHECK(nlohmann::json::parse(line) == nlohmann::json{{"topic", "wv/stage2/d7"}, {"cid", "n/a"}, {"doubled", 21}});
    CHECK_FALSE(std::getline(lines, line));
    // The device's message and the first 7 republished ones were evaluated; the 8th only delivered.
    CHECK(lines_in(loop_file) == 8);
}
