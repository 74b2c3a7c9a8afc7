// pub.py mode and the Wavelet extensions against a real mosquitto: the payloads decode with the
// payload library's reference decoder to the shape pub.py sends, and the user name and client
// id the broker logs are exactly what pub.py (or the flags) make.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <regex>

#include "payload/lambda_json.hpp"
#include "pub_lab.hpp"
#include "util/hex.hpp"

namespace {

using namespace wv::test;

const std::string authorized_user = "alice?x-amz-customauthorizer-name=MyAuth";
const std::string with_metrics = authorized_user + "&SDK=PythonV2&Version=1.21.0";

std::uint64_t now_ms() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

// "MSG <topic> q<qos> r<retain> <hex>" -> the Lambda's JSON for the payload.
nlohmann::json decode_line(const std::string& line, std::string& topic) {
    std::istringstream in(line);
    std::string tag, qos, retain, hex;
    in >> tag >> topic >> qos >> retain >> hex;
    const auto bytes = wv::util::hex_decode(hex).value();
    const auto r = wv::payload::decode_samples_to_lambda_json(std::as_bytes(std::span{bytes.data(), bytes.size()}));
    REQUIRE_MESSAGE(r.has_value(), r.error().message());
    return r.value();
}

// Client id and user name of each "New client connected ... as <id> (..., u'<user>')." line.
std::vector<std::pair<std::string, std::string>> logins(const std::string& log) {
    std::vector<std::pair<std::string, std::string>> out;
    const std::regex line(R"(New client connected from \S+ as (\S+) \([^)]*u'([^']*)'\))");
    for (std::sregex_iterator it(log.begin(), log.end(), line), end; it != end; ++it)
        out.emplace_back((*it)[1].str(), (*it)[2].str());
    return out;
}

void check_pubpy_batch(const nlohmann::json& j, int report_id, int samples, std::uint64_t from, std::uint64_t to) {
    CHECK(j["reportId"] == std::to_string(report_id));
    CHECK(j["totalSamples"] == samples);
    REQUIRE(j["samples"].size() == static_cast<std::size_t>(samples));
    for (int i = 0; i < samples; ++i) {
        const auto& s = j["samples"][static_cast<std::size_t>(i)];
        CHECK(s["channelType"] == "TEMP_CHANNEL_TYPE");
        CHECK(s["channelNumber"] == i + 1);
        const auto value = std::stoull(s["value"].get<std::string>());  // uint64 prints as a string
        CHECK(value <= 10000);
        const auto ts = std::stoull(s["timestamp"].get<std::string>());
        CHECK(ts >= from);
        CHECK(ts <= to);
    }
}

}  // namespace

TEST_CASE("pub.py mode: user name, client id and payload shape") {
    if (!have_mosquitto()) return;
    pub_lab lab({{"alice", "secret"}, {authorized_user, "secret"}, {with_metrics, "secret"}});
    recorder sub(lab, "wv/#", 2);
    const auto from = now_ms();
    const auto r = run({WVPUB_PATH, "pubpy", "--endpoint", "127.0.0.1", "--port", lab.port(), "--ca-file",
                        lab.ca.ca_cert.string(), "--user", "alice", "--password", "secret", "--authorizer", "MyAuth",
                        "--akid", "AK1", "--messages", "2", "--samples", "3"}, {}, std::chrono::seconds(30), {paho_leak_suppression()});
    const auto to = now_ms();
    CHECK_MESSAGE(r.exit_code == 0, (r.out + r.err));
    CHECK(r.out.find("Published report_id 2") != std::string::npos);

    const auto got = sub.wait_for(2, std::chrono::seconds(12));
    REQUIRE(got.size() == 2);
    for (int i = 0; i < 2; ++i) {
        std::string topic;
        const auto j = decode_line(got[static_cast<std::size_t>(i)], topic);
        CHECK(topic == "wv/AK1/1/samp/p1");
        CHECK(got[static_cast<std::size_t>(i)].find(" q1 ") != std::string::npos);
        check_pubpy_batch(j, i + 1, 3, from, to);
    }

    const auto seen = logins(lab.broker->log());
    bool found = false;
    for (const auto& [id, user] : seen)
        if (user == authorized_user) {
            found = true;
            CHECK(id.find_first_not_of("0123456789") == std::string::npos);  // str(uuid4().int)
            CHECK(id.size() >= 30);
        }
    CHECK_MESSAGE(found, lab.broker->log());
}

TEST_CASE("pub.py mode: --sdk-metrics appends the SDK's parameters") {
    if (!have_mosquitto()) return;
    pub_lab lab({{"alice", "secret"}, {with_metrics, "secret"}});
    const auto r = run({WVPUB_PATH, "--pubpy", "--endpoint", "127.0.0.1", "--port", lab.port(), "--ca-file",
                        lab.ca.ca_cert.string(), "--user", "alice", "--password", "secret", "--authorizer", "MyAuth",
                        "--akid", "AK1", "--sdk-metrics"}, {}, std::chrono::seconds(30), {paho_leak_suppression()});
    CHECK_MESSAGE(r.exit_code == 0, (r.out + r.err));
    bool found = false;
    for (const auto& [id, user] : logins(lab.broker->log())) found = found || user == with_metrics;
    CHECK_MESSAGE(found, lab.broker->log());
}

TEST_CASE("pub.py mode: usage errors exit 2, a refused login exits 1") {
    const auto usage = run({WVPUB_PATH, "pubpy", "--endpoint", "127.0.0.1"}, {}, std::chrono::seconds(30), {paho_leak_suppression()});
    CHECK(usage.exit_code == 2);
    CHECK(usage.err.find("is required") != std::string::npos);
    CHECK(run({WVPUB_PATH, "pubpy", "--help"}).exit_code == 0);
    if (!have_mosquitto()) return;
    pub_lab lab;
    const auto r = run({WVPUB_PATH, "pubpy", "--endpoint", "127.0.0.1", "--port", lab.port(), "--ca-file",
                        lab.ca.ca_cert.string(), "--user", "alice", "--password", "wrong", "--authorizer", "MyAuth",
                        "--akid", "AK1"}, {}, std::chrono::seconds(30), {paho_leak_suppression()});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("Connection failed") != std::string::npos);
}

// Issue 12 item 12: each failure says what happened, in words that name the cause.
TEST_CASE("pub.py mode: a refused login says the broker refused it, with the CONNACK code") {
    if (!have_mosquitto()) {
        MESSAGE("mosquitto not installed: skipped");
        return;
    }
    pub_lab lab;
    const auto r = run({WVPUB_PATH, "pubpy", "--endpoint", "127.0.0.1", "--port", lab.port(), "--ca-file",
                        lab.ca.ca_cert.string(), "--user", "alice", "--password", "wrong", "--authorizer", "MyAuth",
                        "--akid", "AK1"}, {}, std::chrono::seconds(30), {paho_leak_suppression()});
    CHECK(r.exit_code == 1);
    // mosquitto answers a wrong password with 3.1.1 return code 5.
    CHECK(r.err == "Connection failed: 127.0.0.1:" + lab.port() +
                       " refused the login: not authorized (CONNACK return code 5). Check --user, --password and "
                       "--authorizer.\n");
}

TEST_CASE("pub.py mode: an unresolvable endpoint is named") {
    wv::test::temp_dir dir;
    const auto ca = wv::tls::make_test_ca(dir / "ca");
    const auto r = run({WVPUB_PATH, "pubpy", "--endpoint", "no-such-host.invalid", "--ca-file", ca.ca_cert.string(),
                        "--user", "alice", "--password", "secret", "--authorizer", "MyAuth", "--akid", "AK1"},
                       {}, std::chrono::seconds(30), {paho_leak_suppression()});
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(r.err.rfind("Connection failed: cannot resolve 'no-such-host.invalid' (", 0) == 0, r.err);
    CHECK_MESSAGE(r.err.find("). Check --endpoint.\n") != std::string::npos, r.err);
}

TEST_CASE("pub.py mode: a missing CA file is named") {
    wv::test::temp_dir dir;
    const auto missing = (dir.path() / "no-such-ca.pem").string();
    const auto r = run({WVPUB_PATH, "pubpy", "--endpoint", "127.0.0.1", "--port", "1", "--ca-file", missing, "--user",
                        "alice", "--password", "secret", "--authorizer", "MyAuth", "--akid", "AK1"},
                       {}, std::chrono::seconds(30), {paho_leak_suppression()});
    CHECK(r.exit_code == 1);
    CHECK(r.err == "Connection failed: cannot read the CA file '" + missing + "' (--ca-file): No such file or directory.\n");
}

TEST_CASE("--wavelet with --akid and --authorizer: a SamplesBatchMessage from the chosen device") {
    if (!have_mosquitto()) return;
    pub_lab lab({{"alice", "secret"}, {authorized_user, "secret"}});
    recorder sub(lab, "wv/#", 1);
    const auto from = now_ms();
    const auto r = run({WVPUB_PATH, "-h", "127.0.0.1", "-p", lab.port(), "--cafile", lab.ca.ca_cert.string(),
                        "--tls-alpn", "mqtt", "-u", "alice", "-P", "secret", "--authorizer", "MyAuth", "--akid", "AK2",
                        "--wavelet", "-q", "1", "--wavelet-will", "--timing", "-d"}, {}, std::chrono::seconds(30), {paho_leak_suppression()});
    const auto to = now_ms();
    CHECK_MESSAGE(r.exit_code == 0, (r.out + r.err));
    CHECK(r.out.find("Client AK2 sending PUBLISH (d0, q1, r0, m1, 'wv/AK2/1/samp/p1'") != std::string::npos);
    CHECK(r.err.find("CONNACK") != std::string::npos);  // the --timing table
    const auto got = sub.wait_for(1, std::chrono::seconds(12));
    REQUIRE(got.size() == 1);
    std::string topic;
    check_pubpy_batch(decode_line(got[0], topic), 1, 3, from, to);
    CHECK(topic == "wv/AK2/1/samp/p1");
    bool found = false;
    for (const auto& [id, user] : logins(lab.broker->log())) found = found || (id == "AK2" && user == authorized_user);
    CHECK_MESSAGE(found, lab.broker->log());
}

TEST_CASE("--wavelet with a profile file publishes that profile's channels") {
    if (!have_mosquitto()) return;
    pub_lab lab;
    recorder sub(lab, "wv/#", 1);
    const auto profile = std::string(WV_SOURCE_DIR_PATH) + "/config/profiles/gps-jpg.yaml";
    const auto r = run({WVPUB_PATH, "-h", "127.0.0.1", "-p", lab.port(), "--cafile", lab.ca.ca_cert.string(), "-u",
                        "alice", "-P", "secret", "--akid", "AK3", "--wavelet", profile, "-q", "1"},
                       {}, std::chrono::seconds(30), {paho_leak_suppression()});
    CHECK_MESSAGE(r.exit_code == 0, (r.out + r.err));
    const auto got = sub.wait_for(1, std::chrono::seconds(12));
    REQUIRE(got.size() == 1);
    std::string topic;
    const auto j = decode_line(got[0], topic);
    CHECK(topic == "wv/AK3/1/samp/p1");
    CHECK(j["reportId"] == "1");
    CHECK(j["totalSamples"] == 4);  // one GPS fix, one JPEG, two sparse battery readings
    std::vector<std::string> types;
    for (const auto& s : j["samples"]) types.push_back(s["channelType"].get<std::string>());
    CHECK(std::count(types.begin(), types.end(), "GPS_CHANNEL_TYPE") == 1);
    CHECK(std::count(types.begin(), types.end(), "BLOB_CHANNEL_TYPE") == 1);
    CHECK(std::count(types.begin(), types.end(), "VBAT_CHANNEL_TYPE") == 2);
}

TEST_CASE("--wavelet with a bad profile file: a clear error, exit 1") {
    wv::test::temp_dir dir;
    const auto bad = dir.write("bad.yaml", "channels:\n  - {type: TEMP, kind: int}\n");
    const auto r = run({WVPUB_PATH, "-t", "t", "--wavelet", bad.string()}, {}, std::chrono::seconds(30),
                       {paho_leak_suppression()});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("Error: --wavelet: ") == 0);
    CHECK(r.err.find("bad.yaml") != std::string::npos);
}

TEST_CASE("options files: mosquitto_pub's, then wvpub's own") {
    wv::test::temp_dir xdg;
    const std::vector<std::string> env{"XDG_CONFIG_HOME=" + xdg.path().string(), paho_leak_suppression()};
    xdg.write("mosquitto_pub", "# shared with mosquitto_pub\n-q 1\n");
    xdg.write("wvpub", "-q 3\n");  // read after mosquitto_pub's file, so it is the one that fails
    auto r = run({WVPUB_PATH, "-t", "t", "-m", "x"}, {}, std::chrono::seconds(30), env);
    CHECK(r.exit_code == 1);
    CHECK(r.err == "Error: Invalid QoS given: 3\n\nUse 'mosquitto_pub --help' to see usage.\n");
    xdg.write("wvpub", "--bogus-default\n");
    r = run({WVPUB_PATH, "-t", "t", "-m", "x"}, {}, std::chrono::seconds(30), env);
    CHECK(r.err.find("Error: Unknown option '--bogus-default'.") == 0);
}
