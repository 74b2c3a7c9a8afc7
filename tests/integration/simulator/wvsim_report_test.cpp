// wvsim's reports end to end, against its embedded gateway: --expect decides the exit code and
// is listed everywhere; --metrics-port serves every metric the Grafana dashboard queries while
// the run is going; the HTML page of a real run, passing and failing, is well-formed.
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "sim_helpers.hpp"
#include "support/chart_checks.hpp"
#include "support/grafana_dashboard.hpp"
#include "support/html_tree.hpp"
#include "support/http_get.hpp"

using namespace wv;
using test::http_get;

TEST_CASE("--expect: a passing and a failing threshold decide the exit code; listed in summary, JSON and HTML") {
    test::temp_dir dir;
    const auto html = dir / "r.html";
    auto s = simtest::run_wvsim(dir, "pass", {"--devices", "10", "--duration", "2", "--expect", "connack.p99<10s",
                                              "--expect", "acked>=50%", "--html", html.string()});
    INFO(s.r.out, s.r.err);
    CHECK(s.r.exit_code == 0);
    CHECK(s.r.out.find("Thresholds (--expect): all 2 passed") != std::string::npos);
    REQUIRE(s.report["thresholds"].size() == 2);
    CHECK(s.report["thresholds"][0]["passed"] == true);
    CHECK(s.report["command_line"].get<std::string>().find("--expect 'connack.p99<10s'") != std::string::npos);
    CHECK(s.report["started_at"].get<std::string>().size() == 20);
    {
        const auto d = test::parse_html(test::read_file(html));
        CHECK(d->by_id("verdict")->has_class("ok"));
        CHECK(d->by_id("thresholds") != nullptr);
        CHECK(d->find("dd", "command").at(0)->all_text().find("--expect") != std::string::npos);
        CHECK(d->find("dd", "versions").at(0)->all_text().find("OpenSSL") != std::string::npos);
        CHECK(test::chart_problems(*d).empty());
        CHECK(d->by_id("authorizer-share") != nullptr);  // the embedded gateway timed the authorizer
    }

    s = simtest::run_wvsim(dir, "fail", {"--devices", "10", "--duration", "2", "--expect", "connack.p99<1us",
                                         "--expect", "acked>=50%", "--html", html.string()});
    CHECK(s.r.exit_code == 1);
    CHECK(s.r.out.find("  FAILED  connack.p99<1us") != std::string::npos);
    CHECK(s.r.out.find("Result: FAILED: --expect: connack.p99<1us (was ") != std::string::npos);
    CHECK(s.report["thresholds"][0]["passed"] == false);
    const auto d = test::parse_html(test::read_file(html));
    CHECK(d->by_id("verdict")->has_class("bad"));
    CHECK(d->by_id("failures")->all_text().find("connack.p99<1us") != std::string::npos);

    // `wvsim merge` checks the shards' thresholds again on the whole fleet.
    const auto merged = test::run({WVSIM_PATH, "merge", (dir / "pass.json").string(), (dir / "fail.json").string(),
                                   "--expect", "connect_failures==0"});
    CHECK(merged.exit_code == 1);
    CHECK(merged.out.find("Thresholds (--expect): 1 of 4 failed") != std::string::npos);

    // A typo is a usage error naming the known metrics, before anything runs.
    const auto typo = test::run({WVSIM_PATH, "--devices", "1", "--expect", "conack.p99<200ms"});
    CHECK(typo.exit_code == 2);
    CHECK(typo.err.find("unknown metric 'conack.p99'; known: connack.p50") != std::string::npos);
}

TEST_CASE("--metrics-port: live Prometheus text during the run, every metric the Grafana dashboard queries") {
    test::temp_dir dir;
    test::child_process sim({WVSIM_PATH, "--devices", "20", "--duration", "6", "--metrics-port", "0", "--quiet"});
    // The port is printed on stderr once the listener is up.
    std::uint16_t port = 0;
    const std::regex line("Prometheus metrics on http://127\\.0\\.0\\.1:([0-9]+)/metrics");
    for (int i = 0; i < 200 && !port; ++i) {
        std::smatch m;
        const auto err = sim.err();
        if (std::regex_search(err, m, line)) port = static_cast<std::uint16_t>(std::stoi(m[1]));
        else std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE_MESSAGE(port != 0, sim.err());
    // Scrape until devices are connected and reports acked: the values are live, not final.
    std::string page;
    for (int i = 0; i < 80; ++i) {
        page = http_get(port, "/metrics");
        if (page.find("wvsim_devices_connected 20\n") != std::string::npos &&
            page.find("wvsim_reports_total{state=\"acked\"} 0\n") == std::string::npos)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    INFO(page);
    CHECK(page.starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(page.find("wvsim_devices_connected 20\n") != std::string::npos);
    CHECK(sim.running());  // scraped while the run was going
    const auto names = test::dashboard_metrics(std::string(WV_SOURCE_DIR_PATH) + "/config/grafana/wvsim.json",
                                               "(wvsim|wvgate)_[a-z0-9_]+");
    CHECK(names.count("wvgate_authorizer_latency_seconds"));
    for (const auto& n : names) CHECK_MESSAGE(page.find("\n" + n) != std::string::npos, n);
    CHECK(http_get(port, "/nope").starts_with("HTTP/1.1 404"));
    const auto code = sim.wait(std::chrono::seconds(30));
    REQUIRE(code.has_value());
    CHECK(*code == 0);
    CHECK(http_get(port, "/metrics").empty());  // the listener closes with the run
}
