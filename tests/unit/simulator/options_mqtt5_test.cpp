// wvsim's MQTT 5 flags: parsed from the command line and a --config file; the combinations that
// cannot work are refused naming the flag.
#include <doctest/doctest.h>

#include "options.hpp"
#include "support/temp_dir.hpp"

using namespace wv::sim;

namespace {
parse_outcome parse5(std::vector<std::string> args) {
    args.insert(args.begin(), "wvsim");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    return parse_options(static_cast<int>(argv.size()), argv.data());
}
}  // namespace

TEST_CASE("--mqtt 5 with session expiry, user properties and the topic alias; 3.1.1 by default") {
    CHECK(!parse5({}).options.mqtt5());
    const auto p = parse5({"--mqtt", "5", "--session-expiry", "600", "--user-property", "site=lab-{n:3}",
                           "--user-property", "fw=2.1=b", "--topic-alias", "off"});
    REQUIRE(p.kind == parse_outcome::run);
    CHECK(p.options.mqtt5());
    CHECK(p.options.session_expiry_s == 600);
    CHECK(p.options.user_properties == std::vector<std::string>{"site=lab-{n:3}", "fw=2.1=b"});
    CHECK(!p.options.topic_alias);
}

TEST_CASE("--mqtt 5 from a config file") {
    wv::test::temp_dir dir;
    const auto f = dir.write("sim.yaml", "mqtt: 5\nsession-expiry: 60\nuser-property: [site=a, fw=2]\n");
    const auto p = parse5({"--config", f.string()});
    REQUIRE(p.kind == parse_outcome::run);
    CHECK(p.options.mqtt5());
    CHECK(p.options.session_expiry_s == 60);
    CHECK(p.options.user_properties == std::vector<std::string>{"site=a", "fw=2"});
    CHECK(p.options.topic_alias);
}

TEST_CASE("MQTT 5 flags without --mqtt 5, a malformed user property, a bad template: exit 2") {
    for (const auto& args : std::vector<std::vector<std::string>>{{"--session-expiry", "5"},
                                                                  {"--user-property", "a=b"},
                                                                  {"--topic-alias", "off"},
                                                                  {"--mqtt", "4"},
                                                                  {"--mqtt", "5", "--user-property", "novalue"},
                                                                  {"--mqtt", "5", "--user-property", "=v"},
                                                                  {"--mqtt", "5", "--user-property", "site={site}"}}) {
        const auto p = parse5(args);
        CHECK_MESSAGE(p.kind == parse_outcome::exit, args.back());
        CHECK(p.exit_code == 2);
    }
}
