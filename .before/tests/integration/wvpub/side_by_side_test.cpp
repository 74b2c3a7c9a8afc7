// wvpub next to the real mosquitto_pub 2.0.11, against one real mosquitto (TLS with ALPN
// offered, password file, an ACL denying denied/#): for every command line in the table both
// programs must give the same exit code, the same stderr, the same -d lines (generated client
// ids normalised) and the same messages at a mosquitto_sub subscriber (topic, QoS, retain flag,
// payload bytes in hex).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <regex>
#include <sstream>

#include "pub_lab.hpp"
#include "support/ports.hpp"

namespace {

using namespace wv::test;

struct pub_case {
    pub_case(std::string n, std::vector<std::string> a, std::string in = {}, std::size_t count = 0, bool usage = false,
             bool race = false, std::vector<std::string> e = {})
        : name(std::move(n)), args(std::move(a)), input(std::move(in)), messages(count), usage_on_stdout(usage),
          tls_race(race), env(std::move(e)) {}
    std::string name;
    std::vector<std::string> args;  // "{T}" is replaced by the case's topic
    std::string input;              // stdin
    std::size_t messages = 0;       // expected at the subscriber
    bool usage_on_stdout = false;   // mosquitto_pub prints its --help: compare stderr and status only
    bool tls_race = false;          // see the wrong-CA case
    std::vector<std::string> env;
};

// Client ids the programs (or the broker) generate differ run to run.
std::string normalise(std::string s) {
    s = std::regex_replace(s, std::regex("auto-[0-9A-F-]{36}"), "auto-ID");
    s = std::regex_replace(s, std::regex("mosq-[A-Za-z0-9]{18}"), "mosq-ID");
    s = std::regex_replace(s, std::regex("Client pre[0-9]+"), "Client preN");
    return s;
}

// The lines containing `word`, in order.
std::vector<std::string> lines_of(const std::string& text, const std::string& word) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (line.find(word) != std::string::npos) out.push_back(line);
    return out;
}

struct outcome {
    run_result result;
    std::vector<std::string> received;
};

outcome run_one(const pub_lab& lab, const std::string& program, const pub_case& c, const std::string& topic) {
    std::vector<std::string> argv{program};
    auto env = c.env;
    env.push_back(paho_leak_suppression());
    for (auto a : c.args) {
        if (const auto at = a.find("{T}"); at != std::string::npos) a.replace(at, 3, topic);
        argv.push_back(a);
    }
    std::unique_ptr<recorder> sub;
    if (c.messages > 0) sub = std::make_unique<recorder>(lab, topic + "/#", c.messages);
    outcome o;
    o.result = run(argv, c.input, std::chrono::seconds(30), env);
    if (sub) o.received = sub->wait_for(c.messages, std::chrono::seconds(12));
    return o;
}

// The table, for one lab: mosquitto_pub and wvpub each get their own broker, so both run at the
// same time; nothing a case compares (status, stderr, -d lines, delivered bytes) names a port
// or a file of the lab.
std::vector<pub_case> make_cases(const pub_lab& lab, const std::string& nobody, const std::string& silent_port) {
    const auto ca = lab.ca.ca_cert.string();
    const auto file = lab.dir.write("payload.bin", std::string("\x00\x01\xff binary\npayload\r\n", 21) + std::string(3000, 'x'));
    const auto options_dir = lab.dir / "xdg";
    std::filesystem::create_directories(options_dir);
    lab.dir.write("xdg/mosquitto_pub", "# defaults for the lab broker\n-h 127.0.0.1\n-p " + lab.port() + "\n--cafile " + ca +
                                           "\n-u alice\n-P secret\n");

    const auto client = wv::tls::make_client_cert(lab.dir / "ca", "device-1");
    std::string many_lines;  // more than Paho buffers by default (100)
    for (int i = 1; i <= 300; ++i) many_lines += "line " + std::to_string(i) + "\n";

    // The lab broker over TLS, ALPN "mqtt" offered, as a device would log in.
    const std::vector<std::string> tls{"-h", "127.0.0.1", "-p", lab.port(), "--cafile", ca, "--tls-alpn", "mqtt",
                                       "-u", "alice", "-P", "secret"};
    auto with = [&](std::vector<std::string> extra) {
        auto v = tls;
        v.insert(v.end(), extra.begin(), extra.end());
        return v;
    };

    std::vector<pub_case> cases{
        {"message qos0", with({"-t", "{T}/a", "-m", "hello", "-d"}), "", 1},
        {"message qos1", with({"-t", "{T}/a", "-m", "hello", "-q", "1", "-d"}), "", 1},
        {"message qos2", with({"-t", "{T}/a", "-m", "hello", "-q", "2", "-d"}), "", 1},
        {"retain", with({"-t", "{T}/a", "-m", "kept", "-q", "1", "-r", "-d"}), "", 1},
        {"file", with({"-t", "{T}/a", "-f", file.string(), "-q", "1", "-d"}), "", 1},
        {"stdin file", with({"-t", "{T}/a", "-s", "-q", "2", "-d"}), std::string("bin\0ary\nstdin\n", 14), 1},
        {"stdin lines qos1", with({"-t", "{T}/a", "-l", "-q", "1", "-d"}), "one\ntwo\n\nfour", 4},
        {"stdin lines qos0", with({"-t", "{T}/a", "-l", "-d"}), "alpha\nbeta\n", 2},
        {"stdin lines beyond -M", with({"-t", "{T}/a", "-l", "-q", "1", "-M", "5", "-d"}), many_lines, 300},
        {"null message", with({"-t", "{T}/a", "-n", "-q", "1", "-d"}), "", 1},
        {"repeat", with({"-t", "{T}/a", "-m", "again", "--repeat", "3", "-q", "1", "-d"}), "", 3},
        {"repeat delay", with({"-t", "{T}/a", "-m", "slow", "--repeat", "2", "--repeat-delay", "0.2", "-d"}), "", 2},
        {"keep-alive ping in a repeat delay", with({"-t", "{T}/a", "-m", "x", "-q", "1", "--repeat", "2", "--repeat-delay",
                                                    "7", "-k", "5", "-d"}), "", 2},
        {"will", with({"-t", "{T}/a", "-m", "x", "--will-topic", "{T}/will", "--will-payload", "gone", "--will-qos", "1",
                       "--will-retain", "-i", "willer", "-d"}), "", 1},
        {"client id", with({"-t", "{T}/a", "-m", "x", "-i", "dev-1", "-q", "1", "-d"}), "", 1},
        {"id prefix", with({"-t", "{T}/a", "-m", "x", "-I", "pre", "-d"}), "", 1},
        {"client certificate", with({"-t", "{T}/a", "-m", "x", "--cert", client.cert.string(), "--key",
                                     client.key.string(), "-q", "1", "-d"}), "", 1},
        {"TLS 1.2 and a cipher list", with({"-t", "{T}/a", "-m", "x", "--tls-version", "tlsv1.2", "--ciphers",
                                            "ECDHE-ECDSA-AES128-GCM-SHA256", "-d"}), "", 1},
        {"v5 session expiry", with({"-t", "{T}/a", "-m", "x", "-V", "5", "-x", "30", "-i", "expiring", "-q", "1", "-d"}),
         "", 1},
        {"mqtt 3.1", with({"-t", "{T}/a", "-m", "x", "-V", "31", "-q", "1", "-d"}), "", 1},
        {"persistent session", with({"-t", "{T}/a", "-m", "x", "-c", "-i", "keeper", "-q", "1", "-d"}), "", 1},
        {"v5 with -D", with({"-t", "{T}/a", "-m", "props", "-V", "5", "-D", "publish", "user-property", "k", "v", "-D",
                             "publish", "content-type", "text/plain", "-D", "connect", "session-expiry-interval", "10",
                             "-D", "disconnect", "session-expiry-interval", "0", "-q", "1", "-d"}), "", 1},
        {"-D selects v5", with({"-t", "{T}/a", "-m", "x", "-D", "publish", "message-expiry-interval", "60", "-q", "2",
                                "-d"}), "", 1},
        {"v5 ACL refusal", with({"-t", "denied/{T}", "-m", "no", "-V", "5", "-q", "1", "-d"}), "", 0},
        {"v3 ACL refusal", with({"-t", "denied/{T}", "-m", "no", "-q", "1", "-d"}), "", 0},
        {"bad password", {"-h", "127.0.0.1", "-p", lab.port(), "--cafile", ca, "-u", "alice", "-P", "wrong", "-t", "{T}",
                          "-m", "x", "-d"}, "", 0},
        {"bad password v5", {"-h", "127.0.0.1", "-p", lab.port(), "--cafile", ca, "-u", "alice", "-P", "wrong", "-t",
                             "{T}", "-m", "x", "-V", "5", "-d"}, "", 0},
        {"bad password quiet", {"-h", "127.0.0.1", "-p", lab.port(), "--cafile", ca, "-u", "alice", "-P", "wrong", "-t",
                                "{T}", "-m", "x", "--quiet"}, "", 0},
        // libmosquitto reports a bad certificate either after connect (exit 8, "A TLS error
        // occurred.") or inside connect (exit 1) depending on a loopback race; 8 is reproduced.
        {"wrong CA", {"-h", "127.0.0.1", "-p", lab.port(), "--cafile", lab.other_ca.string(), "-u", "alice", "-P",
                      "secret", "-t", "{T}", "-m", "x", "-d"}, "", 0, false, true},
        {"plain MQTT to the TLS port", {"-h", "127.0.0.1", "-p", lab.port(), "-t", "{T}", "-m", "x", "-d"}, "", 0},
        {"nothing listening", {"-h", "127.0.0.1", "-p", nobody, "-t", "{T}", "-m", "x", "-d"}, "", 0},
        {"no CONNACK", {"-h", "127.0.0.1", "-p", silent_port, "-k", "5", "-t", "{T}", "-m", "x", "-d"},
         "", 0},
        {"options file", {"-t", "{T}/a", "-m", "from defaults", "-q", "1", "-d"}, "", 1, false, false,
         {"XDG_CONFIG_HOME=" + options_dir.string()}},
        {"url", {"-L", "mqtt://alice:secret@127.0.0.1:" + lab.port() + "/{T}/u", "--cafile", ca, "-m", "x", "-d"}, "", 1},
        {"empty topic", with({"-t", "", "-m", "x", "-d"})},
        {"bad qos", with({"-t", "{T}", "-m", "x", "-q", "3"}), "", 0},
        {"unknown option", with({"-t", "{T}", "-m", "x", "--bogus"})},
        {"wildcard topic", with({"-t", "{T}/#", "-m", "x"})},
        {"two messages", with({"-t", "{T}", "-m", "x", "-n"})},
        {"bad keepalive", with({"-t", "{T}", "-m", "x", "-k", "2"})},
        {"bad session expiry", with({"-t", "{T}", "-m", "x", "-x", "soon"})},
        {"property for the wrong packet", with({"-t", "{T}", "-m", "x", "-D", "publish", "session-expiry-interval", "5"})},
        {"bad URL", {"-L", "http://127.0.0.1/{T}", "-m", "x"}},
        {"-c without -i", with({"-t", "{T}", "-m", "x", "-c"})},
        {"password without user", {"-h", "127.0.0.1", "-p", lab.port(), "-P", "secret", "-t", "{T}", "-m", "x"}},
        {"missing file", with({"-t", "{T}", "-f", "no-such-payload.bin"})},
        {"empty stdin", with({"-t", "{T}", "-s"})},
        {"missing CA file", {"-h", "127.0.0.1", "-p", lab.port(), "--cafile", "no-such-ca.crt", "-t", "{T}",
                             "-m", "x"}},
        {"no message", with({"-t", "{T}"}), "", 0, true},
    };
    return cases;
}

}  // namespace

TEST_CASE("wvpub and mosquitto_pub: same status, stderr, -d trace and delivered bytes") {
    if (!have_mosquitto()) {
        MESSAGE("mosquitto not installed: skipped");
        return;
    }
    pub_lab lab_theirs, lab_ours;
    silent_server silent;
    const auto nobody = std::to_string(free_tcp_port());
    const auto theirs = make_cases(lab_theirs, nobody, std::to_string(silent.port()));
    const auto cases = make_cases(lab_ours, nobody, std::to_string(silent.port()));
    CHECK(cases.size() >= 25);
    MESSAGE(cases.size() << " command lines");

    for (std::size_t index = 0; index < cases.size(); ++index) {
        const auto& c = cases[index];
        const std::string topic = "sbs/" + std::to_string(index);
        CAPTURE(c.name);
        const auto case_start = std::chrono::steady_clock::now();
        auto mosq_run = std::async(std::launch::async, [&] { return run_one(lab_theirs, WV_MOSQUITTO_PUB, theirs[index], topic); });
        const auto ours = run_one(lab_ours, WVPUB_PATH, c, topic);
        const auto mosq = mosq_run.get();
        if (std::getenv("WVPUB_TEST_TIMES"))
            std::fprintf(stderr, "%-40s %6.2f s\n", c.name.c_str(),
                         std::chrono::duration<double>(std::chrono::steady_clock::now() - case_start).count());
        if (c.tls_race) {
            CHECK((mosq.result.exit_code == 8 || mosq.result.exit_code == 1));
            CHECK(ours.result.exit_code == 8);
            CHECK(ours.result.err == "Error: A TLS error occurred.\n");
            CHECK(ours.result.out ==
                  "Client (null) sending CONNECT\nOpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed\n");
            continue;
        }
        CHECK(ours.result.exit_code == mosq.result.exit_code);
        CHECK(ours.result.err == mosq.result.err);
        if (c.usage_on_stdout) {
            // mosquitto_pub prints its own --help here and wvpub its own: nothing to compare.
        } else if (c.args.end() != std::find(c.args.begin(), c.args.end(), "-l")) {
            // -l pipelines: PUBACKs may interleave with later PUBLISH lines on either side, by
            // timing alone. Same lines, same order among the PUBLISH lines and among the acks.
            CHECK(lines_of(normalise(ours.result.out), "sending") == lines_of(normalise(mosq.result.out), "sending"));
            CHECK(lines_of(normalise(ours.result.out), "received") == lines_of(normalise(mosq.result.out), "received"));
        } else {
            CHECK(normalise(ours.result.out) == normalise(mosq.result.out));
        }
        CHECK(mosq.received.size() == c.messages);
        CHECK(ours.received == mosq.received);
    }
}
