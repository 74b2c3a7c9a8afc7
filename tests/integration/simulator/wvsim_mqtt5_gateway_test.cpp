// wvsim --mqtt 5 against its embedded wvgate (which speaks MQTT 5 as AWS does): a custom
// authorizer's refusals as CONNACK reason codes with AWS's reason string in the taxonomy, a
// policy deny as PUBACK 0x87 per report (the connection stays), and reports on a Topic Alias
// observed by the gateway's verifier on their full topic.
#include <doctest/doctest.h>

#include <sstream>

#include "gateway/gateway.hpp"
#include "sim_helpers.hpp"

using namespace wv;

TEST_CASE("--mqtt 5 at the embedded gateway: the authorizer's refusals are CONNACK 0x87 with AWS's reason string") {
    test::temp_dir dir;
    std::ostringstream gw;
    gw << "endpoint_host: localhost\n"
       << "log: {level: off}\n"
       << "listeners:\n  - {name: sim, kind: aws-443, address: 127.0.0.1, port: 0}\n"
       << "default_authorizer: auth\n"
       << "authorizers:\n  - name: auth\n    backend: static\n"
       << "    default_policies:\n      - '" << gate::own_topics_policy("wv") << "'\n"
       << "    credentials:\n";
    for (int i = 1; i <= 3; ++i) gw << "      - {username: u" << i << ", password: good" << i << "}\n";
    const auto gw_file = dir.write("gw.yaml", gw.str());
    const auto csv = dir.write("devices.csv",
                               "akid,username,password,authorizer,expected\n"
                               "D1,u1,good1,auth,allow\n"
                               "D2,u2,good2,auth,allow\n"
                               "D3,u3,WRONG,auth,deny\n"
                               "D4,nobody,x,auth,deny\n");
    const auto s = simtest::run_wvsim(dir, "creds5", {"--credentials", csv.string(), "--gateway-config", gw_file.string(),
                                                      "--duration", "2", "--mqtt", "5", "--verify"});
    INFO(s.r.out);
    INFO(s.r.err);
    CHECK(s.r.exit_code == 0);  // every expectation held
    REQUIRE(s.report.is_object());
    CHECK(s.report["mqtt_version"] == "5");
    CHECK(simtest::outcome_count(s.report, "connected") == 2);
    CHECK(simtest::count_prefix(s.report["connect_outcomes"],
                       "connack_refused:0x87:CONNACK:Client is not authenticated/authorized to send the message:") == 2);
    CHECK(s.report["expectations"]["met"] == 4);
    CHECK(s.r.out.find("MQTT 5 CONNACK refused 0x87 Not authorized: CONNACK:Client is not authenticated/authorized") !=
          std::string::npos);
    // Reports on Topic Alias 1 (the gateway announces a maximum of 8), seen on their full topic.
    CHECK(s.report["topic_alias"] == true);
    CHECK(s.report["verify"]["ok"] == true);
    CHECK(s.report["reports"]["acked"].get<std::uint64_t>() > 0);
}

TEST_CASE("--mqtt 5 at the embedded gateway: a publish outside the policy is PUBACK 0x87 per report, the session stays") {
    test::temp_dir dir;
    const auto s = simtest::run_wvsim(dir, "deny5", {"--devices", "2", "--duration", "3", "--interval", "0.5", "--topic",
                                                     "other/{akid}/samp", "--mqtt", "5"});
    INFO(s.r.out);
    CHECK(s.r.exit_code == 1);  // refused reports fail the run
    REQUIRE(s.report.is_object());
    CHECK(simtest::outcome_count(s.report, "connected") == 2);
    const auto refused = simtest::count_prefix(s.report["refused"], "puback_refused:0x87");
    CHECK(refused > 0);
    CHECK(refused == s.report["reports"]["sent"].get<std::uint64_t>());
    CHECK(s.report["reports"]["acked"] == 0);
    CHECK(s.report["session_ends"]["clean_stop"] == 2);  // not disconnected_after_publish as at 3.1.1
}
