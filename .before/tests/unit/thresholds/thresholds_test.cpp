// --expect expressions: one parser and evaluator for wvsim and `wvauthz bench`.
#include <doctest/doctest.h>

#include "thresholds/thresholds.hpp"

using namespace wv::thresholds;

namespace {
const catalogue cat{{"connack.p99", kind::duration, "CONNACK p99"},
                    {"connack.p99.9", kind::duration, "CONNACK p99.9"},
                    {"acked", kind::percent, "acked of due"},
                    {"rate", kind::rate, "msg/s"},
                    {"connect_failures", kind::count, "failed connects"}};

std::string error_of(const std::string& e) {
    try {
        (void)parse(e, cat);
    } catch (const parse_error& x) {
        return x.what();
    }
    return "no error";
}
}  // namespace

TEST_CASE("expressions: metric, operator, number, unit") {
    struct row {
        const char* text;
        const char* metric;
        op o;
        double bound;
    };
    for (const auto& r : {row{"connack.p99<200ms", "connack.p99", op::lt, 200'000},
                          row{" connack.p99 <= 1.5 s ", "connack.p99", op::le, 1'500'000},
                          row{"connack.p99.9>750us", "connack.p99.9", op::gt, 750},
                          row{"acked>=99.9%", "acked", op::ge, 99.9},
                          row{"rate >= 500/s", "rate", op::ge, 500},
                          row{"rate>500", "rate", op::gt, 500},
                          row{"connect_failures==0", "connect_failures", op::eq, 0}}) {
        CAPTURE(r.text);
        const auto t = parse(r.text, cat);
        CHECK(t.metric == r.metric);
        CHECK(t.o == r.o);
        CHECK(t.bound == doctest::Approx(r.bound));
    }
}

TEST_CASE("bad expressions say what is wrong; an unknown metric lists the known ones") {
    CHECK(error_of("conack.p99<200ms") ==
          "--expect 'conack.p99<200ms': unknown metric 'conack.p99'; known: connack.p99, connack.p99.9, acked, rate, "
          "connect_failures");
    CHECK(error_of("connack.p99<200") == "--expect 'connack.p99<200': 'connack.p99' is a duration: give us, ms or s, e.g. 200ms");
    CHECK(error_of("connack.p99<200min").find("(not 'min')") != std::string::npos);
    CHECK(error_of("acked>=99.9") == "--expect 'acked>=99.9': 'acked' is a percentage: give %, e.g. 99.9%");
    CHECK(error_of("connect_failures<1%").find("is a count") != std::string::npos);
    CHECK(error_of("acked=100%") == "--expect 'acked=100%': use == for equality");
    CHECK(error_of("acked 100%").find("expected an operator") != std::string::npos);
    CHECK(error_of("acked>=").find("expected a number") != std::string::npos);
    CHECK(error_of("acked>=lots").find("is not a number") != std::string::npos);
    CHECK(error_of("<5").find("expected a metric name") != std::string::npos);
}

TEST_CASE("checking: each operator, a missing value fails, the summary lists every expression") {
    std::vector<threshold> ts;
    for (const char* e : {"connack.p99<200ms", "acked>=99.9%", "connect_failures==0", "rate>1000", "connack.p99.9<1s"})
        ts.push_back(parse(e, cat));
    const values v{{"connack.p99", 312'000}, {"acked", 99.95}, {"connect_failures", 0}, {"rate", 999.9}};
    const auto rs = check(ts, v);
    REQUIRE(rs.size() == 5);
    CHECK_FALSE(rs[0].passed);
    CHECK(rs[0].actual == "312.00 ms");
    CHECK(rs[1].passed);
    CHECK(rs[1].actual == "99.950%");
    CHECK(rs[2].passed);
    CHECK_FALSE(rs[3].passed);
    CHECK_FALSE(rs[4].passed);
    CHECK(rs[4].actual.starts_with("no value"));
    CHECK_FALSE(all_passed(rs));
    CHECK(all_passed({}));
    CHECK(failed_list(rs) ==
          "connack.p99<200ms (was 312.00 ms); rate>1000 (was 999.9/s); connack.p99.9<1s (was no value (nothing measured "
          "it in this run))");
    const auto text = summary(rs);
    CHECK(text.starts_with("Thresholds (--expect): 3 of 5 failed\n"));
    CHECK(text.find("  FAILED  connack.p99<200ms     actual 312.00 ms\n") != std::string::npos);
    CHECK(text.find("  ok      acked>=99.9%          actual 99.950%\n") != std::string::npos);
    CHECK(results_from_json(to_json(rs)).size() == 5);
    CHECK(results_from_json(to_json(rs))[0].actual == "312.00 ms");
    CHECK_THROWS_AS(results_from_json(nlohmann::json::object()), std::invalid_argument);
    // Boundaries: < is strict, <= is not.
    CHECK_FALSE(check({parse("connack.p99<200ms", cat)}, {{"connack.p99", 200'000}})[0].passed);
    CHECK(check({parse("connack.p99<=200ms", cat)}, {{"connack.p99", 200'000}})[0].passed);
    CHECK(format_value(99.999, kind::percent) == "99.999%");
    CHECK(format_value(100, kind::percent) == "100.00%");
    CHECK(format_value(812, kind::duration) == "812 us");
    CHECK(format_value(1.2e6, kind::duration) == "1.20 s");
}

TEST_CASE("help lists every metric with its unit") {
    const auto h = help_text(cat);
    CHECK(h.find("  connack.p99       [us|ms|s] CONNACK p99\n") != std::string::npos);
    CHECK(h.find("  acked             [%]       acked of due\n") != std::string::npos);
}

TEST_CASE("duration bounds: what a chart draws for the thresholds on one metric family") {
    const auto rs = check({parse("connack.p99<200ms", cat), parse("acked>=99%", cat), parse("connack.p99.9<=1s", cat)},
                          {{"connack.p99", 250'000}, {"connack.p99.9", 10}});
    const auto b = duration_bounds(rs, cat, "connack.");
    REQUIRE(b.size() == 2);
    CHECK(b[0].expression == "connack.p99<200ms");
    CHECK(b[0].bound_us == 200'000);
    CHECK_FALSE(b[0].passed);
    CHECK(b[1].bound_us == 1'000'000);
    CHECK(b[1].passed);
    CHECK(duration_bounds(rs, cat, "puback.").empty());
    CHECK(duration_bounds({{"latency.p99<1ms", "1 ms", true}}, cat, "").empty());  // another tool's metric
}
