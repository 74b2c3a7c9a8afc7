// The --onboard jitr report: the JSON object from a result, and the summary block from the JSON
// (what `wvsim merge` and --json readers see), byte for byte.
#include <doctest/doctest.h>

#include "onboard_jitr.hpp"

using namespace wv::sim;

TEST_CASE("onboarding (jitr): JSON from a result, summary text from the JSON") {
    jitr_result r;
    r.devices = 3;
    r.attempts = 7;
    r.seconds = 4.25;
    r.device_outcomes = {{"active_after_retry", 2}, {"never_active", 1}};
    r.attempt_outcomes = {{"connected", 2}, {"x509_inactive", 5}};
    r.attempts_to_active = {{2, 1}, {3, 1}};
    r.time_to_active.record_us(1'500'000);
    r.time_to_active.record_us(2'500'000);
    r.attempt_time.record_us(20'000, 7);
    CHECK(r.active() == 2);
    const auto j = jitr_to_json(r);
    CHECK(j["mode"] == "jitr");
    CHECK(j["active"] == 2);
    CHECK(j["attempts_to_active"]["3"] == 1);
    CHECK(j["time_to_active_us"]["count"] == 2);
    CHECK(j["time_to_active_us"]["max"] == 2'500'000);
    const auto text = jitr_summary_text(j);
    CHECK(text.starts_with("\nOnboarding (jitr): 2 of 3 devices active in 4.2 s, 7 connect attempts\n"
                           "  active_after_retry: 2\n"
                           "  never_active: 1\n"));
    CHECK(text.find("  attempts until active: 2 x1 3 x1\n") != std::string::npos);
    CHECK(text.find("  attempts by outcome: connected 2; x509_inactive 5;\n") != std::string::npos);
    CHECK(text.find("max 2.50 s (first attempt to CONNACK 0)") != std::string::npos);
    CHECK(text.find("one attempt (TCP, TLS, CONNECT to CONNACK or close): p50 20.") != std::string::npos);
    CHECK(text.find("never_active: the certificate was still refused at the deadline") != std::string::npos);
}

TEST_CASE("onboarding (jitr): an empty result prints no percentiles and no advice") {
    jitr_result r;
    const auto text = jitr_summary_text(jitr_to_json(r));
    CHECK(text == "\nOnboarding (jitr): 0 of 0 devices active in 0.0 s, 0 connect attempts\n  attempts by outcome:\n");
}

TEST_CASE("onboarding (jitr): wvsim merge adds the shards and takes percentiles from the merged histograms") {
    jitr_result a, b;
    a.devices = 2;
    a.attempts = 4;
    a.seconds = 3;
    a.device_outcomes = {{"active_after_retry", 2}};
    a.attempt_outcomes = {{"connected", 2}, {"x509_inactive", 2}};
    a.attempts_to_active = {{2, 2}};
    a.time_to_active.record_us(1'000'000, 2);
    b.devices = 1;
    b.attempts = 3;
    b.seconds = 5;
    b.device_outcomes = {{"active_after_retry", 1}};
    b.attempt_outcomes = {{"connected", 1}, {"x509_inactive", 2}};
    b.attempts_to_active = {{3, 1}};
    b.time_to_active.record_us(4'000'000);
    wv::metrics::histogram tta = a.time_to_active, attempts;
    tta.merge(b.time_to_active);
    const auto m = merge_jitr_json(jitr_to_json(a), jitr_to_json(b), tta, attempts);
    CHECK(m["devices"] == 3);
    CHECK(m["active"] == 3);
    CHECK(m["attempts"] == 7);
    CHECK(m["seconds"] == 5.0);
    CHECK(m["attempt_outcomes"]["x509_inactive"] == 4);
    CHECK(m["attempts_to_active"]["2"] == 2);
    CHECK(m["attempts_to_active"]["3"] == 1);
    CHECK(m["time_to_active_us"]["count"] == 3);
    CHECK(m["time_to_active_us"]["max"] == 4'000'000);
    CHECK(merge_jitr_json(nullptr, jitr_to_json(b), tta, attempts) == jitr_to_json(b));
}
