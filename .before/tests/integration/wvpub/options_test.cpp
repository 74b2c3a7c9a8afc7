// The pure parts of wvpub: mosquitto_pub's option grammar and texts, options-file lines, the
// --akid/--authorizer extensions, AWS warnings and pub.py's identifiers. No network.
#include <doctest/doctest.h>

#include "aws_warnings.hpp"
#include "options_file.hpp"
#include "parse_args.hpp"
#include "pubpy_mode.hpp"

using namespace wv::wvpub;

namespace {

parse_outcome parse(std::vector<std::string> args, pub_options& o) {
    auto r = apply_arguments(args, o);
    return r.status == parse_status::ok ? check_options(o) : r;
}

std::string error_of(std::vector<std::string> args) {
    pub_options o;
    return parse(std::move(args), o).error;
}

}  // namespace

TEST_CASE("defaults are mosquitto_pub's") {
    pub_options o;
    REQUIRE(parse({"-t", "t", "-m", "x"}, o).status == parse_status::ok);
    CHECK(o.effective_host() == "localhost");
    CHECK(o.effective_port() == 1883);
    CHECK(o.keepalive_s == 60);
    CHECK(o.protocol_version == 4);
    CHECK(o.max_inflight == 20);
    CHECK(o.clean_session);
    pub_options t;
    REQUIRE(parse({"-t", "t", "-m", "x", "--cafile", "ca.pem"}, t).status == parse_status::ok);
    CHECK(t.effective_port() == 8883);
}

TEST_CASE("error texts are byte-exact, blank lines included") {
    CHECK(error_of({"-t", "t", "-m", "a", "-m", "b"}) == "Error: Only one type of message can be sent at once.\n\n");
    CHECK(error_of({"-t", "t", "-m", "a", "-q", "3"}) == "Error: Invalid QoS given: 3\n");
    CHECK(error_of({"-p", "70000"}) == "Error: Invalid port given: 70000\n");
    CHECK(error_of({"-t", "a/+"}) == "Error: Invalid publish topic 'a/+', does it contain '+' or '#'?\n");
    CHECK(error_of({"--what"}) == "Error: Unknown option '--what'.\n");
    CHECK(error_of({"-k", "4"}) == "Error: Invalid keepalive given, it must be between 5 and 65535 inclusive.\n\n");
    CHECK(error_of({"-t", "t", "-m", "x", "-c"}) == "Error: You must provide a client id if you are using the -c option.\n");
    CHECK(error_of({"-D", "publish", "receive-maximum", "5"}) ==
          "Error: receive-maximum property not allowed for publish in --property argument.\n\n");
    CHECK(error_of({"-D", "connect", "receive-maximum", "70000"}) ==
          "Error: Property value (70000) out of range for property receive-maximum.\n\n");
    CHECK(error_of({"-t", std::string("a\x01", 2)}) == "Error: Malformed UTF-8 in -t argument.\n\n");
    CHECK(error_of({"-L", "ftp://h/t"}) == "Error: unsupported URL scheme.\n\n");
    CHECK(error_of({"-x", "-1", "-V", "5"}) ==
          "Error: You must provide a client id if you are using an infinite session expiry interval.\n");
}

TEST_CASE("numbers parse like C's atoi") {
    pub_options o;
    REQUIRE(parse({"-q", "1abc", "-k", "30s", "-p", "12x"}, o).status == parse_status::ok);
    CHECK(o.qos == 1);
    CHECK(o.keepalive_s == 30);
    CHECK(o.port == 12);
}

TEST_CASE("-L fills host, port, credentials and topic") {
    pub_options o;
    REQUIRE(parse({"-L", "mqtts://u:p@broker.example:8884/a/b", "-m", "x"}, o).status == parse_status::ok);
    CHECK(*o.host == "broker.example");
    CHECK(o.port == 8884);
    CHECK(*o.username == "u");
    CHECK(*o.password == "p");
    CHECK(*o.topic == "a/b");
    CHECK(o.tls_use_os_certs);
}

TEST_CASE("-D selects MQTT 5 and -x adds the session expiry") {
    pub_options o;
    REQUIRE(parse({"-D", "publish", "user-property", "k", "v", "-x", "30", "-t", "t", "-m", "x"}, o).status ==
            parse_status::ok);
    CHECK(o.protocol_version == 5);
    REQUIRE(o.properties.size() == 2);
    CHECK(o.properties[0].value2 == "v");
    CHECK(o.properties[1].name == "session-expiry-interval");
    CHECK(o.properties[1].value == "30");
}

TEST_CASE("options-file lines split as mosquitto's strtok does") {
    CHECK(split_options_line("-h broker\n") == std::vector<std::string>{"-h", "broker"});
    CHECK(split_options_line("-m hello world\r\n") == std::vector<std::string>{"-m", "hello world"});
    CHECK(split_options_line("  -d") == std::vector<std::string>{"-d"});
    CHECK(split_options_line("-m  two") == std::vector<std::string>{"-m", " two"});
    CHECK(split_options_line("# comment").empty());
    CHECK(split_options_line("").empty());
}

TEST_CASE("--akid and --authorizer fill only what is missing") {
    pub_options o;
    REQUIRE(parse({"--akid", "AK1", "--wavelet"}, o).status == parse_status::ok);
    CHECK(*o.id == "AK1");
    CHECK(*o.topic == "wv/AK1/1/samp/p1");
    CHECK(o.source == message_source::wavelet);
    pub_options p;
    REQUIRE(parse({"--akid", "AK1", "-i", "mine", "-t", "/x", "-m", "m"}, p).status == parse_status::ok);
    CHECK(*p.id == "mine");
    CHECK(*p.topic == "/x");
    const auto w = aws_warnings(p);
    REQUIRE(w.size() == 1);
    CHECK(w[0].find("starts with '/'") != std::string::npos);
    pub_options q;
    REQUIRE(parse({"-h", "abc-ats.iot.eu-west-1.amazonaws.com", "-t", "t", "-m", "m"}, q).status == parse_status::ok);
    REQUIRE(aws_warnings(q).size() == 1);
    CHECK(aws_warnings(q)[0].find("no client id") != std::string::npos);
    CHECK(error_of({"--wavelet", "-m", "x"}) == "Error: Only one type of message can be sent at once.\n\n");
}

TEST_CASE("pub.py identifiers") {
    std::array<std::uint8_t, 16> max{};
    max.fill(0xff);
    CHECK(uuid_bits_to_decimal(max) == "340282366920938463463374607431768211455");
    std::array<std::uint8_t, 16> small{};
    small[15] = 42;
    CHECK(uuid_bits_to_decimal(small) == "42");
    const auto id = uuid4_decimal();
    CHECK(id.find_first_not_of("0123456789") == std::string::npos);
    CHECK(id.size() >= 30);
    CHECK(pubpy_username("dev", "Auth", false) == "dev?x-amz-customauthorizer-name=Auth");
    CHECK(pubpy_username("dev", "Auth", true, "PythonV2", "1.2.3") ==
          "dev?x-amz-customauthorizer-name=Auth&SDK=PythonV2&Version=1.2.3");
}
