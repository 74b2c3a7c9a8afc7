// The chart library both HTML reports draw with: round ticks, log axes, bands, legends that
// no series crosses, gaps for missing seconds, a note instead of empty axes.
#include <doctest/doctest.h>

#include <cmath>

#include "report_html/axis.hpp"
#include "report_html/chart.hpp"
#include "report_html/page.hpp"
#include "support/chart_checks.hpp"
#include "support/html_tree.hpp"

using namespace wv::report_html;

TEST_CASE("linear axes tick at 1, 2 or 5 x 10^k and cover the data") {
    struct row {
        double hi;
        double step;
        double top;
    };
    for (const auto& r : {row{1.05 * 97, 20, 120}, row{0.37, 0.1, 0.4}, row{4711, 1000, 5000}, row{1, 0.2, 1},
                          row{12'345'678, 2'000'000, 14'000'000}, row{3, 0.5, 3}}) {
        CAPTURE(r.hi);
        const auto a = linear_axis(0, r.hi);
        CHECK(a.ticks.front() == 0);
        CHECK(a.hi == doctest::Approx(r.top));
        CHECK(a.ticks[1] - a.ticks[0] == doctest::Approx(r.step));
        CHECK(a.hi >= r.hi);
        CHECK(a.ticks.size() <= 8);
        for (double t : a.ticks) CHECK(std::fabs(t / r.step - std::round(t / r.step)) < 1e-9);
    }
    // The old charts' ticks were ymax * 1.05 * i / 4: 25.46, 50.92... never round.
    CHECK_FALSE(is_round(97 * 1.05 / 4));
    CHECK(is_round(0.02));
    CHECK(is_round(5000));
    CHECK_FALSE(is_round(3));
    CHECK(nice_step(0, 5) == 1);
}

TEST_CASE("log axes run from a power of ten to a power of ten; a short range gets 2 and 5 between") {
    auto a = log_axis(0.8, 5200);  // ms: 0.8 ms .. 5.2 s
    CHECK(a.log);
    CHECK(a.ticks == std::vector<double>{0.1, 1, 10, 100, 1000, 10000});
    a = log_axis(1.5, 30);
    CHECK(a.ticks == std::vector<double>{1, 2, 5, 10, 20, 50, 100});
    a = log_axis(0, 7);  // no positive low end: three decades under the top
    CHECK(a.lo == doctest::Approx(0.001));
    CHECK(a.hi == doctest::Approx(10));
}

TEST_CASE("time axes step in seconds, then minutes") {
    CHECK(time_axis(10).ticks == std::vector<double>{0, 2, 4, 6, 8, 10});
    CHECK(time_axis(61).ticks.back() == 70);
    CHECK(time_axis(3600).ticks[1] == 600);
    CHECK(time_label(30) == "30 s");
    CHECK(time_label(90) == "90 s");
    CHECK(time_label(600) == "10 min");
    CHECK(time_label(5400) == "1 h 30 min");
    CHECK(tick_label(0.1) == "0.1");
    CHECK(tick_label(250) == "250");
    CHECK(tick_label(20000) == "20k");
    CHECK(tick_label(1500000) == "1.5M");
    CHECK(tick_label(0.02) == "0.02");
}

namespace {
chart_spec busy_chart() {
    chart_spec c;
    c.title = "latency <p99> & co";
    c.y_unit = "ms";
    c.scale = y_scale::log;
    for (int i = 1; i <= 30; ++i) c.x.push_back(i);
    std::vector<double> p50, p99;
    for (int i = 1; i <= 30; ++i) {
        p50.push_back(i == 12 ? 4800 : 2.0 + (i % 3) * 0.1);
        p99.push_back(i == 12 ? 5000 : 9.0 + (i % 5));
    }
    p50[20] = std::nan("");  // a second without samples
    p99[20] = std::nan("");
    c.bands = {{"p50..p99", color::light_blue, p50, p99}};
    c.lines = {{"p50 of a long name that takes room", color::blue, p50}, {"p99", "#0d3d66", p99}};
    c.references = {{"--expect p99<200ms", color::red, 200}};
    return c;
}
}  // namespace

TEST_CASE("a chart: well-formed SVG, legends clear of every series, gaps for missing seconds") {
    const auto svg = line_chart(busy_chart());
    const auto doc = wv::test::parse_html(svg);
    CHECK(wv::test::chart_problems(*doc).empty());
    const auto* s = doc->find("svg").at(0);
    CHECK(s->attr("data-scale") == "log");
    CHECK(s->attr("width") == "100%");
    // The NaN second splits each line in two and the band in two.
    CHECK(doc->find("polyline", "series").size() == 4);
    CHECK(doc->find("polygon", "band").size() == 2);
    CHECK(doc->find("g", "legend").size() == 4);
    CHECK(doc->find("line", "reference").size() == 1);
    // Escaped title.
    CHECK(doc->find("figcaption").at(0)->all_text() == "latency <p99> & co");
    // One slow second does not flatten the rest: on the log axis an ordinary second's p50
    // (2.1 ms) and p99 (10 ms) stay apart under a 5 s spike; a linear axis would put both on
    // the axis, 0.2% of the height apart.
    const auto p50 = wv::test::series_heights(*s, color::blue);
    const auto p99 = wv::test::series_heights(*s, "#0d3d66");
    REQUIRE(p50.size() > 5);
    REQUIRE(p99.size() > 5);
    CHECK(p99[0] - p50[0] > 0.12);
}

TEST_CASE("a chart with nothing finite says why instead of drawing empty axes") {
    chart_spec c;
    c.title = "CONNACK";
    c.x = {1, 2, 3};
    c.lines = {{"p50", color::green, {std::nan(""), std::nan(""), std::nan("")}}};
    c.empty_note = "No device connected";
    const auto doc = wv::test::parse_html(line_chart(c));
    CHECK(doc->find("svg").empty());
    REQUIRE(doc->find("p", "empty").size() == 1);
    CHECK(doc->find("p", "empty")[0]->all_text() == "No device connected");
}

TEST_CASE("the page: header with command line, start time, versions, target; verdict; escaping") {
    run_header h{.tool = "wvsim",
                 .title = "3 devices",
                 .command_line = shell_quote({"wvsim", "--expect", "connack.p99<200ms", "--devices", "3"}),
                 .started_at = "2026-12-06T10:00:00Z",
                 .target = "127.0.0.1:8883",
                 .versions = {{"wvsim", "0.1.0"}, {"OpenSSL", "3.0.15"}},
                 .ok = false,
                 .verdict = "FAILED: <why> (exit 1)"};
    const auto page = page_begin(h) + section("x", "X", table({"a", "n"}, {{{"r<1>", "12"}, "bad"}})) +
                      bars({{"closed", 3, color::red, "no"}}) + page_end();
    const auto doc = wv::test::parse_html(page);
    CHECK(doc->find("dd", "command").at(0)->all_text() == "wvsim --expect 'connack.p99<200ms' --devices 3");
    CHECK(doc->find("dd", "started").at(0)->all_text() == "2026-12-06T10:00:00Z");
    CHECK(doc->find("dd", "versions").at(0)->all_text() == "wvsim 0.1.0, OpenSSL 3.0.15");
    CHECK(doc->find("dd", "target").at(0)->all_text() == "127.0.0.1:8883");
    CHECK(doc->by_id("verdict")->has_class("bad"));
    CHECK(doc->by_id("verdict")->all_text() == "FAILED: <why> (exit 1)");
    CHECK(doc->find("tr", "bad").size() == 1);
    CHECK(page.find("<script") == std::string::npos);
    CHECK(page.find("http") == std::string::npos);
    CHECK(shell_quote({"a b", "it's", "x=1"}) == "'a b' 'it'\\''s' x=1");
    CHECK(utc_now_iso8601().size() == 20);
}

TEST_CASE("the test parser refuses what is not well-formed") {
    CHECK_THROWS(wv::test::parse_html("<svg><g></svg>"));
    CHECK_THROWS(wv::test::parse_html("<p>a < b</p>"));
    CHECK_THROWS(wv::test::parse_html("<p class=x>a</p>"));
    CHECK_THROWS(wv::test::parse_html("<p>&nbsp;</p>"));
    CHECK_NOTHROW(wv::test::parse_html("<!doctype html><html><head><meta charset='utf-8'></head><body><br></body></html>"));
}

TEST_CASE("a band of one second at the right edge stays inside the plot") {
    chart_spec c;
    c.title = "edge";
    c.x = {1, 2, 3};
    const double nan = std::nan("");
    c.bands = {{"p50..p99", color::light_blue, {1, nan, 2}, {3, nan, 4}}};
    c.lines = {{"p50", color::blue, {1, nan, 2}}};
    const auto doc = wv::test::parse_html(line_chart(c));
    CHECK(doc->find("polygon", "band").size() == 2);
    CHECK(wv::test::chart_problems(*doc).empty());
}

TEST_CASE("a linear chart of nothing but zeros shows its note") {
    chart_spec c;
    c.title = "connected";
    c.x = {1, 2};
    c.lines = {{"connected", color::blue, {0, 0}}};
    c.empty_note = "No device was connected at any time.";
    const auto doc = wv::test::parse_html(line_chart(c));
    CHECK(doc->find("svg").empty());
    CHECK(doc->find("p", "empty").at(0)->all_text() == "No device was connected at any time.");
    c.lines[0].y = {0, 1};
    CHECK(wv::test::parse_html(line_chart(c))->find("svg").size() == 1);
}

TEST_CASE("a chart with its own x ticks (latency by percentile): labels as given, the range from first to last tick") {
    chart_spec c;
    c.title = "steps by percentile";
    c.y_unit = "ms";
    c.scale = y_scale::log;
    c.x_ticks = {{0, "min"}, {0.301, "p50"}, {1, "p90"}, {2, "p99"}, {3, "p99.9"}};
    for (int i = 0; i <= 60; ++i) c.x.push_back(i * 0.05);
    std::vector<double> y;
    for (double x : c.x) y.push_back(1 + 10 * x);
    c.lines = {{"register", color::orange, y}};
    const auto svg = line_chart(c);
    const auto doc = wv::test::parse_html(svg);
    CHECK(wv::test::chart_problems(*doc).empty());
    std::vector<std::string> labels;
    for (const auto* t : doc->find("g", "xaxis").at(0)->find("text")) labels.push_back(t->all_text());
    CHECK(labels == std::vector<std::string>{"min", "p50", "p90", "p99", "p99.9"});
    CHECK(svg.find(" s<") == std::string::npos);  // no time labels ("30 s")
    CHECK(doc->find("polyline", "series").size() == 1);
}
