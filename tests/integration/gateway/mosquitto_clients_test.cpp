// mosquitto_pub / mosquitto_sub (real TLS, ALPN mqtt, the Wavelet login in the user name)
// against the in-process gateway.
#include <doctest/doctest.h>

#include <csignal>

#include "gateway_fixture.hpp"
#include "support/child_process.hpp"

using namespace std::chrono_literals;
using wv::test::child_process;
using wv::test::gateway_fixture;
using wv::test::run;

namespace {

std::vector<std::string> with(std::vector<std::string> args, std::initializer_list<std::string> more) {
    args.insert(args.end(), more);
    return args;
}

// Publishes until `sub` has exited (it exits after its first message): no sleeps, no races
// between SUBACK and the first publish.
void publish_until_received(const gateway_fixture& g, child_process& sub, const std::string& topic,
                            const std::string& payload) {
    for (int i = 0; i < 100 && sub.running(); ++i) {
        const auto r = run(with(g.mosquitto_args(WV_MOSQUITTO_PUB, "pub1", "dev1", "pw1"),
                                {"-t", topic, "-m", payload, "-q", "1"}),
                           {}, 10s);
        CHECK_MESSAGE(r.exit_code == 0, r.err);
        if (sub.wait(200ms)) break;
    }
}

}  // namespace

TEST_CASE("right password connects; PUBLISH QoS 1 is routed to a subscriber") {
    gateway_fixture g;
    child_process sub(with(g.mosquitto_args(WV_MOSQUITTO_SUB, "sub1", "dev1", "pw1"),
                           {"-t", "wv/#", "-q", "1", "-C", "1", "-W", "30"}));
    REQUIRE(g.wait_for_log({"\"eventType\":\"Subscribe\"", "\"clientId\":\"sub1\""}));
    publish_until_received(g, sub, "wv/d1/1/samp/p1", "hello");
    REQUIRE(sub.wait(10s) == 0);
    CHECK(sub.out() == "hello\n");
    const auto s = g.gw->stats();
    CHECK(s.connects_accepted >= 2);
    CHECK(s.messages_in >= 1);
    CHECK(s.messages_out >= 1);
    CHECK(g.log().find("\"eventType\":\"Connect\"") != std::string::npos);
}

TEST_CASE("wrong password: closed without CONNACK, the log says the authorizer denied") {
    gateway_fixture g;
    const auto r = run(with(g.mosquitto_args(WV_MOSQUITTO_PUB, "bad1", "dev1", "wrong"), {"-t", "wv/x", "-m", "x"}),
                       {}, 20s);
    CHECK(r.exit_code != 0);
    CHECK(g.gw->stats().connects_auth_failed == 1);
    CHECK(g.gw->stats().connects_accepted == 0);
    CHECK(g.wait_for_log({"\"eventType\":\"Connect\"", "AUTHORIZATION_FAILURE", "\"clientId\":\"bad1\""}));
}

TEST_CASE("unknown authorizer named in the user name: closed without CONNACK") {
    gateway_fixture g;
    auto args = g.mosquitto_args(WV_MOSQUITTO_PUB, "bad2", "dev1", "pw1");
    for (auto& a : args)
        if (a.find("x-amz-customauthorizer-name=auth") != std::string::npos) a = "dev1?x-amz-customauthorizer-name=nope";
    const auto r = run(with(args, {"-t", "wv/x", "-m", "x"}), {}, 20s);
    CHECK(r.exit_code != 0);
    CHECK(g.wait_for_log({"AuthorizerInvocation", "nope"}));
}

TEST_CASE("a publish outside the policy disconnects the client") {
    gateway_fixture g;
    // dev2's policy allows only wv/<its client id>/...
    const auto ok = run(with(g.mosquitto_args(WV_MOSQUITTO_PUB, "c2", "dev2", "pw2"),
                             {"-t", "wv/c2/1/samp", "-m", "x", "-q", "1"}),
                        {}, 20s);
    CHECK_MESSAGE(ok.exit_code == 0, ok.err);
    // Another client id: reconnecting as c2 at once would be throttled (1 CONNECT/s per id).
    const auto bad = run(with(g.mosquitto_args(WV_MOSQUITTO_PUB, "c3", "dev2", "pw2"),
                              {"-t", "wv/other/1/samp", "-m", "x", "-q", "1"}),
                         {}, 20s);
    CHECK(bad.exit_code != 0);
    CHECK(g.wait_for_log({"\"eventType\":\"Disconnect\"", "AUTH_ERROR", "\"clientId\":\"c3\""}));
    CHECK(g.gw->stats().policy_denials >= 1);
}

TEST_CASE("the Will is delivered when a client dies without DISCONNECT") {
    gateway_fixture g;
    child_process watcher(with(g.mosquitto_args(WV_MOSQUITTO_SUB, "watch", "dev1", "pw1"),
                               {"-t", "wv/will/w1", "-q", "1", "-C", "1", "-W", "30"}));
    REQUIRE(g.wait_for_log({"\"eventType\":\"Subscribe\"", "\"clientId\":\"watch\""}));
    child_process victim(with(g.mosquitto_args(WV_MOSQUITTO_SUB, "w1", "dev1", "pw1"),
                              {"-t", "wv/w1/in", "--will-topic", "wv/will/w1", "--will-payload", "gone",
                               "--will-qos", "1"}));
    REQUIRE(g.wait_for_log({"\"eventType\":\"Subscribe\"", "\"clientId\":\"w1\""}));
    victim.signal(SIGKILL);
    REQUIRE(watcher.wait(15s) == 0);
    CHECK(watcher.out() == "gone\n");
    CHECK(g.wait_for_log({"\"eventType\":\"Disconnect\"", "CONNECTION_LOST", "\"clientId\":\"w1\""}));
}

TEST_CASE("retained: delivered to a late exact-topic subscriber, not to a wildcard one") {
    gateway_fixture g;
    const auto r = run(with(g.mosquitto_args(WV_MOSQUITTO_PUB, "rp", "dev1", "pw1"),
                            {"-t", "wv/ret/a", "-m", "kept", "-q", "1", "-r"}),
                       {}, 20s);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const auto exact = run(with(g.mosquitto_args(WV_MOSQUITTO_SUB, "rs1", "dev1", "pw1"),
                                {"-t", "wv/ret/a", "-C", "1", "-W", "10", "-v"}),
                           {}, 20s);
    CHECK(exact.exit_code == 0);
    CHECK(exact.out == "wv/ret/a kept\n");
    // AWS sends retained messages only for exact-topic filters.
    const auto wild = run(with(g.mosquitto_args(WV_MOSQUITTO_SUB, "rs2", "dev1", "pw1"),
                               {"-t", "wv/ret/#", "-C", "1", "-W", "2"}),
                          {}, 20s);
    CHECK(wild.out.empty());
}

TEST_CASE("no ALPN offered on the 443 listener: the connection is HTTP, so raw MQTT gets nowhere, as on AWS") {
    gateway_fixture g;
    auto args = g.mosquitto_args(WV_MOSQUITTO_PUB, "noalpn", "dev1", "pw1");
    std::vector<std::string> no_alpn;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--tls-alpn") { ++i; continue; }
        no_alpn.push_back(args[i]);
    }
    const auto r = run(with(no_alpn, {"-t", "wv/x", "-m", "x"}), {}, 20s);
    // 443 without ALPN serves MQTT over WebSocket and HTTPS (spec 3.1): the CONNECT bytes are
    // not an HTTP request, so the gateway answers 400 and closes; no MQTT session starts.
    CHECK(r.exit_code != 0);
    CHECK(g.gw->stats().tls_handshake_failures == 0);
    CHECK(g.wait_for_log({"\"protocol\":\"HTTP\"", "\"httpStatus\":400"}));
    CHECK(g.gw->stats().connects_accepted == 0);
}

TEST_CASE("lifecycle events: connected and disconnected with AWS's JSON and reason") {
    gateway_fixture g([](wv::gate::gateway_config& c) { c.authorizers[0].default_policies = {wv::gate::allow_all_policy()}; });
    child_process sub(with(g.mosquitto_args(WV_MOSQUITTO_SUB, "life", "dev1", "pw1"),
                           {"-t", "$aws/events/presence/+/lc1", "-q", "1", "-C", "2", "-W", "30", "-v"}));
    REQUIRE(g.wait_for_log({"\"eventType\":\"Subscribe\"", "\"clientId\":\"life\""}));
    const auto r = run(with(g.mosquitto_args(WV_MOSQUITTO_PUB, "lc1", "dev1", "pw1"), {"-t", "wv/x", "-m", "x"}), {}, 20s);
    CHECK(r.exit_code == 0);
    REQUIRE(sub.wait(15s) == 0);
    const auto out = sub.out();
    CHECK(out.find("$aws/events/presence/connected/lc1 {\"clientId\":\"lc1\"") != std::string::npos);
    CHECK(out.find("\"eventType\":\"connected\"") != std::string::npos);
    CHECK(out.find("\"principalIdentifier\":\"dev1\"") != std::string::npos);
    CHECK(out.find("$aws/events/presence/disconnected/lc1") != std::string::npos);
    CHECK(out.find("\"clientInitiatedDisconnect\":true") != std::string::npos);
    CHECK(out.find("\"disconnectReason\":\"CLIENT_INITIATED_DISCONNECT\"") != std::string::npos);
}
