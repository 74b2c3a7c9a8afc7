#include <doctest/doctest.h>

#include "options.hpp"
#include "verdict.hpp"
#include "support/temp_dir.hpp"

using namespace wv::sim;

namespace {
parse_outcome parse(std::vector<std::string> args) {
    args.insert(args.begin(), "wvsim");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    return parse_options(static_cast<int>(argv.size()), argv.data());
}
}  // namespace

TEST_CASE("flags of the issue parse into typed options") {
    const auto p = parse({"--host", "example.com", "--devices", "500", "--connect-rate", "200", "--max-connecting",
                          "50", "--rate", "100", "--duration", "12", "--jitter", "0.3", "--churn", "20", "--kill", "0.1",
                          "--qos", "0", "--shard", "1/4", "--akid", "AKID{n:4}", "--alpn", "mqtt,x-amzn-mqtt-ca",
                          "--engine", "paho", "--quiet"});
    REQUIRE(p.kind == parse_outcome::run);
    const auto& o = p.options;
    CHECK(o.host == "example.com");
    CHECK(o.sni == "example.com");
    CHECK(o.devices == 500);
    CHECK(o.connect_rate == 200);
    CHECK(o.max_connecting == 50);
    CHECK(o.rate == 100);
    CHECK(o.duration_s == 12);
    CHECK(o.jitter == doctest::Approx(0.3));
    CHECK(o.churn_s == 20);
    CHECK(o.kill == doctest::Approx(0.1));
    CHECK(o.qos == 0);
    CHECK(o.part.index == 1);
    CHECK(o.part.count == 4);
    CHECK(o.ids.akid == "AKID{n:4}");
    CHECK(o.alpn == std::vector<std::string>{"mqtt", "x-amzn-mqtt-ca"});
    CHECK(o.engine == engine_kind::paho);
    CHECK(o.quiet);
    CHECK(parse({"--alpn", "none"}).options.alpn.empty());
}

TEST_CASE("a YAML config file, overridden by the command line") {
    wv::test::temp_dir dir;
    const auto f = dir.write("sim.yaml", "devices: 300\nconnect_rate: 50\nquiet: true\nalpn: [mqtt]\n");
    const auto p = parse({"--config", f.string(), "--devices", "7"});
    REQUIRE(p.kind == parse_outcome::run);
    CHECK(p.options.devices == 7);
    CHECK(p.options.connect_rate == 50);
    CHECK(p.options.quiet);
}

TEST_CASE("usage and config errors exit 2, --help exits 0") {
    wv::test::temp_dir dir;
    CHECK(parse({"--help"}).kind == parse_outcome::exit);
    CHECK(parse({"--help"}).exit_code == 0);
    CHECK(parse({"--devices", "0"}).exit_code == 2);
    CHECK(parse({"--kill", "2"}).exit_code == 2);
    CHECK(parse({"--bogus"}).exit_code == 2);
    CHECK(parse({"--akid", "X{q}"}).exit_code == 2);
    CHECK(parse({"--shard", "3/3"}).exit_code == 2);
    CHECK(parse({"--cafile", "/nonexistent.pem"}).exit_code == 2);
    CHECK(parse({"--host", "h", "--gateway-config", "g.yaml"}).exit_code == 2);
    const auto bad_key = dir.write("bad.yaml", "devices: 3\nnot_a_flag: 1\n");
    CHECK(parse({"--config", bad_key.string()}).exit_code == 2);
    const auto bad_yaml = dir.write("broken.yaml", "devices: [1,\n");
    CHECK(parse({"--config", bad_yaml.string()}).exit_code == 2);
    CHECK(parse({"--config", "/nonexistent.yaml"}).exit_code == 2);
}

TEST_CASE("merge subcommand and the message budget") {
    wv::test::temp_dir dir;
    const auto a = dir.write("a.json", "{}");
    const auto m = parse({"merge", a.string(), "--json", (dir / "m.json").string()});
    CHECK(m.kind == parse_outcome::merge);
    CHECK(m.merge_inputs.size() == 1);
    CHECK(parse({"merge"}).exit_code == 2);
    // --messages without --duration runs until the budget is spent.
    const auto p = parse({"--messages", "5", "--interval", "2", "--devices", "10"});
    CHECK(p.options.duration_s >= 10);
}

TEST_CASE("a report path that cannot be written is a usage error before the run, not after it") {
    wv::test::temp_dir dir;
    auto p = parse({"--json", (dir / "no-such-dir" / "r.json").string()});
    CHECK(p.kind == parse_outcome::exit);
    CHECK(p.exit_code == 2);
    p = parse({"--html", dir.path().string()});
    CHECK(p.exit_code == 2);
    p = parse({"--json", (dir / "r.json").string(), "--html", "r.html"});
    CHECK(p.kind == parse_outcome::run);
    p = parse({"merge", "--json", (dir / "nope" / "m.json").string(), (dir / "r.json").string()});
    CHECK(p.exit_code == 2);
}

TEST_CASE("--help documents the exit codes scripts rely on") {
    const std::string help = exit_codes_help;  // the footer of `wvsim --help` and `wvsim merge --help`
    CHECK(help.find("  0  everything held") != std::string::npos);
    CHECK(help.find("  1  the run finished but something did not hold") != std::string::npos);
    CHECK(help.find("  2  usage or configuration error") != std::string::npos);
}
