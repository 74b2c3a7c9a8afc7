// wvsim --transport wss: MQTT over WebSocket against the embedded gateway (the same fleet,
// reports and verification as MQTT over TLS), a refused upgrade as its own outcome bucket with
// its HTTP status, and the flags that do not combine with it.
#include <doctest/doctest.h>

#include "sim_helpers.hpp"

using namespace wv;

TEST_CASE("wvsim --transport wss: the fleet connects, reports and verifies over WebSocket") {
    test::temp_dir dir;
    const auto s = simtest::run_wvsim(dir, "wss", {"--transport", "wss", "--devices", "30", "--duration", "3",
                                                   "--kill", "0.1", "--verify"});
    INFO(s.r.err);
    REQUIRE(s.r.exit_code == 0);
    CHECK(simtest::outcome_count(s.report, "connected") == 30);
    CHECK(s.report["transport"] == "wss");
    CHECK(s.report["verify"]["ok"] == true);
    CHECK(s.report["reports"]["acked"].get<int>() > 30);
    CHECK(s.r.out.find("MQTT over WebSocket") != std::string::npos);
}

TEST_CASE("wvsim --transport wss: an upgrade the server refuses is counted with its HTTP status") {
    test::temp_dir dir;
    // The gateway serves WebSocket at /mqtt only: another path is 404, before any MQTT.
    const auto s = simtest::run_wvsim(dir, "refused", {"--transport", "wss", "--ws-path", "/elsewhere", "--devices",
                                                       "5", "--duration", "2"});
    INFO(s.r.err);
    CHECK(s.r.exit_code != 0);  // nobody connected: the run did not hold
    CHECK(simtest::outcome_count(s.report, "ws_upgrade_refused:404") == 5);
    CHECK(simtest::outcome_count(s.report, "connected") == 0);
}

TEST_CASE("wvsim --transport wss: flags that do not go with it are refused with exit 2") {
    test::temp_dir dir;
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--transport", "wss", "--engine", "paho"},
             {"--transport", "wss", "--ws-path", "mqtt"},
             {"--ws-path", "/mqtt"}}) {
        const auto s = simtest::run_wvsim(dir, "bad", args);
        CHECK(s.r.exit_code == 2);
    }
}
