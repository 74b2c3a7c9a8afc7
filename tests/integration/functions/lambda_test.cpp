// The lambda backend against a real HTTP server: the shipped Invoke API shim (python
// http.server importing a handler file written here). Function errors, throttling, unknown
// functions, timeouts, refused connections, keep-alive pooling, tail logs, and SigV4 checked
// header by header, with botocore verifying the signature independently.
#include <doctest/doctest.h>

#include <future>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "functions/lambda_http/lambda_backend.hpp"
#include "sigv4/sigv4.hpp"
#include "call.hpp"
#include "support/child_process.hpp"
#include "support/ports.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;
using wv::auth::backend_errc;
using wv::test::call;
using wv::test::errc_name;
using wv::test::mqtt_event;
using nlohmann::json;

namespace {

const char* handler_py = R"PY(
import base64, time
def lambda_handler(event, context):
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("raise"):
        raise ValueError("asked to fail")
    mqtt = event.get("protocolData", {}).get("mqtt", {})
    user = mqtt.get("username", "").split("?")[0]
    print("authorizing", user)
    return {"isAuthenticated": user == "alice", "principalId": user or "anonymous", "policyDocuments": [],
            "disconnectAfterInSeconds": 300, "refreshAfterInSeconds": 300}
)PY";

struct shim {
    wv::test::temp_dir dir;
    std::unique_ptr<wv::test::child_process> proc;
    std::uint16_t port = 0;

    explicit shim(std::vector<std::string> extra = {}) {
        const auto handler = dir.write("lambda_function.py", handler_py);
        std::vector<std::string> argv{WV_PYTHON3, WV_LAMBDA_SHIM, "--handler", handler.string(), "--port", "0",
                                      "--port-file", (dir / "port").string(), "--record", (dir / "record.jsonl").string(),
                                      "--function-name", "auth"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        proc = std::make_unique<wv::test::child_process>(argv);
        for (int i = 0; i < 1000 && port == 0; ++i) {  // poll for the port file the shim writes once bound
            const auto text = wv::test::read_file(dir / "port");
            if (!text.empty()) port = static_cast<std::uint16_t>(std::stoi(text));
            else std::this_thread::sleep_for(10ms);
        }
        REQUIRE_MESSAGE(port != 0, "shim did not start: ", proc->err());
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
    std::vector<json> records() const {
        std::vector<json> out;
        std::istringstream in(wv::test::read_file(dir / "record.jsonl"));
        std::string line;
        while (std::getline(in, line))
            if (!line.empty()) out.push_back(json::parse(line));
        return out;
    }
};

}  // namespace

TEST_CASE("lambda over HTTP: results, function errors, unknown function, keep-alive") {
    shim s;
    auto b = wv::lambda_http::make_lambda_backend({.url = s.url(), .function = "auth", .max_connections = 2});
    CHECK(b->describe() == "lambda " + s.url() + " fn=auth");

    auto r = call(*b, mqtt_event("alice?x-amz-customauthorizer-name=a", "pw", "d1"));
    REQUIRE_MESSAGE(r.error == backend_errc::none, errc_name(r.error), " ", r.detail);
    CHECK(json::parse(r.body)["isAuthenticated"] == true);

    r = call(*b, R"({"raise": true})");
    CHECK(r.error == backend_errc::function_error);
    CHECK(r.detail == "ValueError: asked to fail");
    CHECK(json::parse(r.body)["errorType"] == "ValueError");

    auto other = wv::lambda_http::make_lambda_backend({.url = s.url(), .function = "nope"});
    r = call(*other, "{}");
    CHECK(r.error == backend_errc::not_configured);
    CHECK(r.detail == "HTTP 404 ResourceNotFoundException: Function not found: nope");

    // Sequential calls reuse one connection; concurrent ones never open more than the limit.
    for (int i = 0; i < 10; ++i) REQUIRE(call(*b, mqtt_event("bob", "pw", "d1")).error == backend_errc::none);
    std::vector<std::future<wv::auth::backend_reply>> fs;
    for (int i = 0; i < 8; ++i)
        fs.push_back(std::async(std::launch::async, [&] { return call(*b, R"({"sleep": 0.05})"); }));
    for (auto& f : fs) CHECK(f.get().error == backend_errc::none);
    std::set<int> ports;
    for (const auto& rec : s.records())
        if (rec["path"] == "/2015-03-31/functions/auth/invocations") ports.insert(rec["peer_port"].get<int>());
    CHECK(ports.size() <= 2);
    CHECK(s.records()[0]["headers"]["X-Amz-Invocation-Type"] == "RequestResponse");
}

TEST_CASE("lambda over HTTP: 429 is throttled, a slow function is a timeout, tail logs come back") {
    shim s({"--max-concurrency", "1"});
    auto b = wv::lambda_http::make_lambda_backend({.url = s.url(), .function = "auth", .tail_logs = true});
    auto r = call(*b, mqtt_event("alice", "pw", "d1"));
    REQUIRE_MESSAGE(r.error == backend_errc::none, r.detail);
    CHECK(r.log_lines == std::vector<std::string>{"authorizing alice"});

    // The slow call holds the shim's only slot past our deadline...
    r = call(*b, R"({"sleep": 3})", 300ms);
    CHECK(r.error == backend_errc::timeout);
    CHECK_MESSAGE(r.detail.find("by the deadline") != std::string::npos, r.detail);
    // ...so the next one is throttled, as Lambda does past its concurrency limit.
    REQUIRE(s.records().size() == 2);
    r = call(*b, mqtt_event("alice", "pw", "d1"));
    CHECK(r.error == backend_errc::throttled);
    CHECK(r.detail == "HTTP 429 TooManyRequestsException: Rate Exceeded.");
}

TEST_CASE("lambda over HTTP: nothing listening is a transport error naming the address") {
    const auto port = wv::test::free_tcp_port();
    auto b = wv::lambda_http::make_lambda_backend({.url = "http://127.0.0.1:" + std::to_string(port), .function = "f"});
    const auto r = call(*b, "{}");
    CHECK(r.error == backend_errc::transport);
    CHECK(r.detail == "connect 127.0.0.1:" + std::to_string(port) + ": Connection refused");
}

TEST_CASE("SigV4 on the wire: checked header by header and by botocore") {
    shim s({"--verify-sigv4", "AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "--region", "eu-central-1"});
    const wv::sigv4::credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", "test"};
    auto b = wv::lambda_http::make_lambda_backend({.url = s.url(),
                                                   .function = "auth",
                                                   .region = "eu-central-1",
                                                   .sign = wv::lambda_http::signing::always,
                                                   .credentials = creds});
    const std::string event = mqtt_event("alice", "pw", "d1");
    auto r = call(*b, event);
    REQUIRE_MESSAGE(r.error == backend_errc::none, errc_name(r.error), " ", r.detail);  // botocore agreed

    const auto rec = s.records().back();
    const auto& h = rec["headers"];
    const std::string date = h["X-Amz-Date"];
    REQUIRE(date.size() == 16);
    CHECK(date[8] == 'T');
    CHECK(date.back() == 'Z');
    CHECK(h["Host"] == "127.0.0.1:" + std::to_string(s.port));
    CHECK(h["Content-Type"] == "application/json");
    CHECK(h["Content-Length"] == std::to_string(event.size()));
    CHECK(h["X-Amz-Invocation-Type"] == "RequestResponse");
    CHECK_FALSE(h.contains("X-Amz-Security-Token"));
    const std::string scope = date.substr(0, 8) + "/eu-central-1/lambda/aws4_request";
    const std::string authz = h["Authorization"];
    CHECK(authz.rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/" + scope +
                          ", SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-invocation-type, Signature=",
                      0) == 0);
    // Our signer over what the server received gives the same signature.
    std::tm tm{};
    strptime(date.c_str(), "%Y%m%dT%H%M%SZ", &tm);
    const auto at = std::chrono::system_clock::from_time_t(timegm(&tm));
    const auto again = wv::sigv4::sign({.method = "POST",
                                        .path = "/2015-03-31/functions/auth/invocations",
                                        .headers = {{"Host", h["Host"]},
                                                    {"Content-Type", h["Content-Type"]},
                                                    {"Content-Length", h["Content-Length"]},
                                                    {"X-Amz-Invocation-Type", h["X-Amz-Invocation-Type"]}},
                                        .body = rec["body"].get_ref<const std::string&>()},
                                       creds, {"eu-central-1", "lambda", at});
    CHECK(again.parts.authorization == authz);

    SUBCASE("a session token is sent and signed") {
        auto c2 = creds;
        c2.session_token = "FwoGZXIvYXdzEXAMPLETOKEN";
        auto bt = wv::lambda_http::make_lambda_backend({.url = s.url(), .function = "auth", .region = "eu-central-1",
                                                        .sign = wv::lambda_http::signing::always, .credentials = c2});
        r = call(*bt, event);
        REQUIRE_MESSAGE(r.error == backend_errc::none, r.detail);
        CHECK(s.records().back()["headers"]["X-Amz-Security-Token"] == "FwoGZXIvYXdzEXAMPLETOKEN");
    }
    SUBCASE("a wrong secret is refused by the server: transport with AWS's error type") {
        auto c2 = creds;
        c2.secret_access_key = "wrong";
        auto bw = wv::lambda_http::make_lambda_backend({.url = s.url(), .function = "auth", .region = "eu-central-1",
                                                        .sign = wv::lambda_http::signing::always, .credentials = c2});
        r = call(*bw, event);
        CHECK(r.error == backend_errc::transport);
        CHECK(r.detail.rfind("HTTP 403 InvalidSignatureException", 0) == 0);
    }
}

TEST_CASE("function ARNs and qualifiers are encoded in the path") {
    shim s;
    auto b = wv::lambda_http::make_lambda_backend(
        {.url = s.url() + "/", .function = "arn:aws:lambda:eu-central-1:123456789012:function:auth", .qualifier = "live"});
    (void)call(*b, "{}");
    CHECK(s.records().back()["path"] ==
          "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-central-1%3A123456789012%3Afunction%3Aauth/invocations?Qualifier=live");
}

TEST_CASE("lambda backend config errors") {
    CHECK_THROWS_AS(wv::lambda_http::make_lambda_backend({.url = "ftp://x", .function = "f"}), std::invalid_argument);
    CHECK_THROWS_AS(wv::lambda_http::make_lambda_backend({.url = "http://x"}), std::invalid_argument);
    CHECK_THROWS_AS(wv::lambda_http::make_lambda_backend({.url = "http://x:99999", .function = "f"}), std::invalid_argument);
}

TEST_CASE("https: TLS with certificate and host checks, SigV4 by default, botocore agrees") {
    wv::test::temp_dir certs;
    const auto key = certs / "key.pem", cert = certs / "cert.pem", other_key = certs / "k2.pem", other = certs / "c2.pem";
    for (const auto& [k, c] : {std::pair{key, cert}, std::pair{other_key, other}}) {
        const auto r = wv::test::run({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                      "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", k.string(), "-out", c.string(),
                                      "-days", "1", "-subj", "/CN=localhost", "-addext",
                                      "subjectAltName=IP:127.0.0.1,DNS:localhost"});
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    }
    shim s({"--tls-cert", cert.string(), "--tls-key", key.string(), "--verify-sigv4",
            "AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "--region", "eu-central-1"});
    const wv::sigv4::credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", "test"};
    const std::string url = "https://127.0.0.1:" + std::to_string(s.port);
    auto b = wv::lambda_http::make_lambda_backend(
        {.url = url, .function = "auth", .region = "eu-central-1", .credentials = creds, .ca_file = cert});
    CHECK(b->describe() == "lambda " + url + " fn=auth sigv4=eu-central-1");
    auto r = call(*b, mqtt_event("alice", "pw", "d1"));
    REQUIRE_MESSAGE(r.error == backend_errc::none, errc_name(r.error), " ", r.detail);
    CHECK(json::parse(r.body)["isAuthenticated"] == true);
    CHECK(s.records().back()["headers"].contains("Authorization"));  // https signs without being asked

    // A server whose certificate our CA file does not vouch for: refused at the handshake.
    auto wrong = wv::lambda_http::make_lambda_backend(
        {.url = url, .function = "auth", .region = "eu-central-1", .credentials = creds, .ca_file = other});
    r = call(*wrong, "{}");
    CHECK(r.error == backend_errc::transport);
    CHECK_MESSAGE(r.detail.rfind("TLS handshake with 127.0.0.1:", 0) == 0, r.detail);
}
