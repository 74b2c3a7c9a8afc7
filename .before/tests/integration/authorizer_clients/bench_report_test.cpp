// `wvauthz bench --expect` and --html as a user runs them: exit 1 when a threshold fails, 2 on a
// typo, the thresholds in the table, the JSON and a well-formed page.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "support/chart_checks.hpp"
#include "support/child_process.hpp"
#include "support/html_tree.hpp"
#include "support/temp_dir.hpp"

namespace {
wv::test::run_result bench(std::vector<std::string> extra) {
    std::vector<std::string> args{WVAUTHZ_BIN, "bench", "--static", "dev1:pw1", "--rate", "200", "--duration", "0.5",
                                  "--username", "dev1", "--password", "pw1", "--client-id", "dev1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return wv::test::run(args, {}, std::chrono::seconds(60));
}
}  // namespace

TEST_CASE("bench --expect: passing, failing, a typo; listed in the table, the JSON and the page") {
    wv::test::temp_dir dir;
    const auto html = (dir / "b.html").string();
    auto r = bench({"--expect", "latency.p99<5s", "--expect", "errors==0%", "--html", html});
    CHECK_MESSAGE(r.exit_code == 0, r.out, r.err);
    CHECK(r.out.find("Thresholds (--expect): all 2 passed") != std::string::npos);
    auto d = wv::test::parse_html(wv::test::read_file(html));
    CHECK(d->by_id("verdict")->has_class("ok"));
    CHECK(d->find("dd", "command").at(0)->all_text().find("--expect 'latency.p99<5s'") != std::string::npos);
    CHECK(d->find("dd", "started").at(0)->all_text().size() == 20);
    const auto problems = wv::test::chart_problems(*d);
    for (const auto& p : problems) INFO(p);
    CHECK_MESSAGE(problems.empty(), problems.front());

    r = bench({"--expect", "latency.p50<1us", "--json", "--html", html});
    CHECK_MESSAGE(r.exit_code == 1, r.out, r.err);
    const auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["thresholds"].size() == 1);
    CHECK(j["thresholds"][0]["passed"] == false);
    d = wv::test::parse_html(wv::test::read_file(html));
    CHECK(d->by_id("verdict")->has_class("bad"));
    CHECK(d->by_id("failures")->all_text().find("latency.p50<1us") != std::string::npos);

    r = bench({"--expect", "latency.p98<1ms"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("unknown metric 'latency.p98'; known: latency.p50") != std::string::npos);
}
