#include <doctest/doctest.h>

#include "device_result.hpp"
#include "paho_socket.hpp"

using namespace wv::sim;

TEST_CASE("unsent reports are counted per device, with the reason a user can act on") {
    // 4 devices, one report a second from a phase in [0, 1), no jitter: 10 due each over 10 s.
    const timetable tt({.devices = 4, .interval = run_time(1.0), .jitter = 0, .duration = run_time(10)});
    std::vector<device_result> devs(4);
    devs[0] = {.last_sent = 10, .ever_connected = true, .first = outcome::connected, .last_end = outcome::clean_stop};
    devs[1] = {.last_sent = 0, .ever_connected = false, .first = outcome::tcp_refused};
    devs[2] = {.last_sent = 4, .ever_connected = true, .first = outcome::connected,
               .last_end = outcome::disconnected_after_publish};
    devs[3] = {.last_sent = 7, .ever_connected = true, .first = outcome::connected, .last_end = outcome::clean_stop};
    run_report r;
    tally_reports(r, tt, devs, 10.0);
    CHECK(r.reports_due == 40);
    CHECK(r.unsent.at("never_connected") == 10);
    CHECK(r.unsent.at("connection_lost") == 6);
    CHECK(r.unsent.at("behind_at_end") == 3);
    CHECK(r.reports_skipped == 19);

    // Reports stop coming due at a Ctrl-C: by 5 s each device has 5 due (phases are under 1 s).
    run_report half;
    tally_reports(half, tt, devs, 5.0);
    CHECK(half.reports_due == 20);
    CHECK(half.unsent.at("never_connected") == 5);
    CHECK(half.unsent.at("connection_lost") == 1);
    CHECK_FALSE(half.unsent.contains("behind_at_end"));  // device 3 sent 7 > 5 due
}

TEST_CASE("unsent reasons: a failed churn reconnect is a lost connection") {
    CHECK(unsent_reason({.ever_connected = false}) == "never_connected");
    CHECK(unsent_reason({.ever_connected = true, .last_end = outcome::churned}) == "connection_lost");
    CHECK(unsent_reason({.ever_connected = true, .last_end = outcome::keep_alive_timeout}) == "connection_lost");
    CHECK(unsent_reason({.ever_connected = true, .last_end = outcome::killed}) == "behind_at_end");
    CHECK(unsent_reason({.ever_connected = true, .last_end = outcome::clean_stop}) == "behind_at_end");
}

TEST_CASE("Paho's protocol trace names each CONNECT's socket") {
    // As Paho C 1.3.11 writes it (trace level PROTOCOL).
    const auto c = paho_socket::parse_trace_line("19700101 000000.000 17 2453AC035CBCBC9A -> CONNECT version 4 clean: 1 (0)");
    REQUIRE(c);
    CHECK(c->fd == 17);
    CHECK(c->client_id == "2453AC035CBCBC9A");
    CHECK_FALSE(paho_socket::parse_trace_line("19700101 000000.000 17 AKID1 <- CONNACK rc: 0"));
    CHECK_FALSE(paho_socket::parse_trace_line("19700101 000000.000 17 AKID1 -> PUBLISH msgid: 1 qos: 1"));
    CHECK_FALSE(paho_socket::parse_trace_line("x AKID1 -> CONNECT version 4"));
    CHECK_FALSE(paho_socket::parse_trace_line(" -> CONNECT "));
    CHECK_FALSE(paho_socket::parse_trace_line("1 -1 AKID -> CONNECT "));
}

TEST_CASE("down at the end: connected once, and the last session ended against the device's will") {
    CHECK_FALSE(down_at_end({.ever_connected = false}));
    CHECK(down_at_end({.ever_connected = true, .last_end = outcome::churned}));  // the reconnect failed for good
    CHECK(down_at_end({.ever_connected = true, .last_end = outcome::closed_by_server}));
    CHECK_FALSE(down_at_end({.killed = true, .ever_connected = true, .last_end = outcome::killed}));
    CHECK_FALSE(down_at_end({.ever_connected = true, .last_end = outcome::clean_stop}));
    const timetable tt({.devices = 2, .interval = run_time(1.0), .jitter = 0, .duration = run_time(4)});
    std::vector<device_result> devs{{.last_sent = 4, .ever_connected = true, .last_end = outcome::clean_stop},
                                    {.last_sent = 1, .ever_connected = true, .last_end = outcome::churned}};
    run_report r;
    tally_reports(r, tt, devs, 4.0);
    CHECK(r.devices_down_at_end == 1);
}
