// Topic rules wired into the gateway: every accepted PUBLISH reaches the rules engine with
// its client id, and stop() drains the actions before the summary is read.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <yaml-cpp/yaml.h>

#include "gateway_fixture.hpp"
#include "rules_engine/engine_config.hpp"
#include "support/child_process.hpp"

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

TEST_CASE("rules: none configured, no summary") {
    wv::test::gateway_fixture g;
    CHECK(g.gw->rules_summary().empty());
}
