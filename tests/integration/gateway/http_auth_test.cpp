// The HTTP front's authentication end to end (issue 17): wvgate in-process on 127.0.0.1 port 0,
// aws-443 without ALPN, real TLS, real clients:
//   - curl with the custom-authorizer headers (and query parameters) for HTTPS publish, against
//     a python authorizer (a `functions:` handler) that records every event it receives; the
//     event is checked field for field;
//   - curl --aws-sigv4 (Debian's curl 7.88) for SigV4 HTTPS publish against `iam:` keys;
//   - botocore's own signers: SigV4Auth signs an HTTPS publish the gateway must accept, and
//     SigV4QueryAuth presigns a WebSocket URL that http_authenticator must accept (and reject
//     tampered or expired);
//   - boto3's iot-data client: Publish with every MQTT 5 parameter, seen by a topic rule.
// A missing curl or botocore fails the test loudly: both are in scripts/install-deps.sh.
#include <doctest/doctest.h>

#include <fstream>
#include <future>
#include <regex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "../../unit/auth/test_keys.hpp"
#include "auth/http_authentication.hpp"
#include "gateway/config_yaml.hpp"
#include "gateway/gateway.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;
using namespace wv::test;
using nlohmann::json;

namespace {

// The authorizer: records each event (one JSON line), then decides by the token.
constexpr const char* authorizer_py = R"PY(
import json, os
def lambda_handler(event, context):
    with open(os.environ["EVENTS"], "a") as f:
        f.write(json.dumps(event) + "\n")
    token = event.get("token")
    if token == "allow-token":
        resource = "arn:aws:iot:us-east-1:123456789012:topic/wv/*"
    elif token == "other-topics-token":
        resource = "arn:aws:iot:us-east-1:123456789012:topic/other/*"
    else:
        return {"isAuthenticated": False, "principalId": "nobody", "policyDocuments": []}
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:Publish", "Resource": resource}]}
    return {"isAuthenticated": True, "principalId": "curlDevice1", "policyDocuments": [policy],
            "disconnectAfterInSeconds": 3600, "refreshAfterInSeconds": 600}
)PY";

constexpr const char* access_key = "AKIDWAVELETTEST1";
constexpr const char* secret_key = "wvSecretKeyForTests/abc+123";

// botocore's signers, driven by argv: `publish <url> <key> <secret>` signs and sends an HTTPS
// publish (prints the status and body); `presign <url> <key> <secret> <expires> [token]`
// prints a presigned URL.
constexpr const char* botocore_py = R"PY(
import ssl, sys, urllib.request
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

mode, url, key, secret = sys.argv[1:5]
if mode == "publish":
    req = AWSRequest(method="POST", url=url, data=b'{"from":"botocore"}', headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(key, secret), "iotdevicegateway", "us-east-1").add_auth(req)
    ctx = ssl.create_default_context(cafile=sys.argv[5])
    r = urllib.request.Request(url, data=req.body, method="POST", headers=dict(req.headers.items()))
    try:
        with urllib.request.urlopen(r, context=ctx) as resp:
            print(resp.status, resp.read().decode())
    except urllib.error.HTTPError as e:
        print(e.code, e.read().decode())
else:
    token = sys.argv[6] if len(sys.argv) > 6 else None
    req = AWSRequest(method="GET", url=url)
    SigV4QueryAuth(Credentials(key, secret, token), "iotdevicegateway", "us-east-1", expires=int(sys.argv[5])).add_auth(req)
    print(req.url)
)PY";

struct http_answer {
    unsigned status = 0;
    std::string headers;  // the raw header block
    std::string body;
};

// curl's `-i` output: the status line, headers, a blank line, the body.
http_answer parse_curl(const std::string& out) {
    http_answer a;
    const auto blank = out.find("\r\n\r\n");
    a.headers = out.substr(0, blank);
    if (blank != std::string::npos) a.body = out.substr(blank + 4);
    std::smatch m;
    if (std::regex_search(a.headers, m, std::regex("^HTTP/1\\.1 (\\d{3})"))) a.status = std::stoul(m[1]);
    return a;
}

std::vector<json> events_in(const std::filesystem::path& file) {
    std::vector<json> out;
    std::istringstream in(read_file(file));
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(json::parse(line));
    return out;
}

struct http_gateway {
    temp_dir dir;
    std::filesystem::path events = dir / "events.jsonl";
    std::unique_ptr<wv::gate::gateway> gw;

    // `extra_yaml`: more top-level configuration (e.g. rules), appended as is.
    explicit http_gateway(const std::string& extra_yaml = "") {
        dir.write("tokauth.py", authorizer_py);
        dir.write("token-key.pem", wv::auth::test::rsa_2048().public_pem);
        auto cfg = wv::gate::parse_gateway_config(
            std::string("listeners: [{name: aws-443, kind: aws-443, port: 0}]\n"
                        "region: us-east-1\n"
                        "account: '123456789012'\n"
                        "log: {level: debug, file: gw.log}\n"
                        "functions:\n"
                        "  - name: tokauth-fn\n"
                        "    backend: handler\n"
                        "    handler: python:tokauth.py\n"
                        "    workers: 1\n"
                        "    environment: {EVENTS: '") +
                events.string() +
                "'}\n"
                "authorizers:\n"
                "  - name: tokauth\n"
                "    function: tokauth-fn\n"
                "    token_key_name: token\n"
                "    signing_disabled: false\n"
                "    token_signing_public_keys: {k1: token-key.pem}\n"
                "  - name: cachedauth\n"
                "    function: tokauth-fn\n"
                "    token_key_name: token\n"
                "    signing_disabled: false\n"
                "    enable_caching_for_http: true\n"
                "    token_signing_public_keys: {k1: token-key.pem}\n"
                "iam:\n"
                "  - access_key_id: " +
                access_key +
                "\n"
                "    secret_access_key: '" +
                secret_key +
                "'\n"
                "    principal: arn:aws:iam::123456789012:user/fleet\n"
                "    policy: {Version: '2012-10-17', Statement: [{Effect: Allow, Action: iot:Publish,\n"
                "             Resource: 'arn:aws:iot:us-east-1:123456789012:topic/wv/*'}]}\n" +
                extra_yaml,
            "http_auth.yaml", dir.path());
        cfg.generated_ca_dir = dir / "ca";
        cfg.log_file = (dir / "gw.log").string();
        gw = std::make_unique<wv::gate::gateway>(std::move(cfg));
        gw->start();
    }
    ~http_gateway() { gw->stop(); }

    std::uint16_t port() const { return gw->listeners().at(0).port; }
    std::string ca() const { return gw->certificates().ca_cert.string(); }
    std::string base() const { return "https://localhost:" + std::to_string(port()); }

    // curl with the gateway's CA, localhost pinned to 127.0.0.1 (the listener's address).
    http_answer curl(std::vector<std::string> args) const {
        std::vector<std::string> argv{"curl",
                                      "-sS",
                                      "-i",
                                      "--cacert",
                                      ca(),
                                      "--resolve",
                                      "localhost:" + std::to_string(port()) + ":127.0.0.1"};
        argv.insert(argv.end(), args.begin(), args.end());
        const auto r = run(argv, {}, 30s);
        INFO("curl stderr: ", r.err);
        REQUIRE(r.exit_code == 0);
        return parse_curl(r.out);
    }
    bool log_has(const std::vector<std::string>& parts) const {
        for (int i = 0; i < 500; ++i) {
            std::istringstream in(read_file(dir / "gw.log"));
            for (std::string line; std::getline(in, line);) {
                bool all = true;
                for (const auto& p : parts) all = all && line.find(p) != std::string::npos;
                if (all) return true;
            }
            std::this_thread::sleep_for(20ms);
        }
        return false;
    }
};

bool have(const std::string& tool) {
    return run({"sh", "-c", "command -v " + tool}, {}, 10s).exit_code == 0;
}

std::string sig(const std::string& token) {
    return wv::auth::test::sign_token_b64(wv::auth::test::rsa_2048(), token);
}

std::string url_encode(const std::string& s) {
    std::string out;
    static constexpr char hex[] = "0123456789ABCDEF";
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
            out.push_back(static_cast<char>(c));
        else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

}  // namespace

TEST_CASE(
    "curl, custom-authorizer headers: publish accepted; the event the authorizer got, field for field") {
    REQUIRE_MESSAGE(have("curl"), "curl is missing (scripts/install-deps.sh installs it): test NOT run");
    http_gateway g;
    const auto a = g.curl(
        {"-X", "POST", g.base() + "/topics/wv%2Fd1?qos=1", "-H", "x-amz-customauthorizer-name: tokauth", "-H",
         "x-amz-customauthorizer-signature: " + sig("allow-token"), "-H", "token: allow-token", "-H",
         "content-type: application/json", "--data-binary", R"({"t":1})"});
    INFO(a.headers, "\n", a.body);
    CHECK(a.status == 200);
    const auto body = json::parse(a.body);
    CHECK(body["message"] == "OK");
    CHECK(g.log_has({"\"eventType\":\"Publish-In\"", "\"status\":\"Success\"", "\"topicName\":\"wv/d1\"",
                     "\"principalId\":\"curlDevice1\""}));
    CHECK(g.gw->stats().messages_in == 1);

    const auto events = events_in(g.events);
    REQUIRE(events.size() == 1);
    const auto& ev = events[0];
    MESSAGE("event the authorizer received: ", ev.dump(2));
    const auto host = "localhost:" + std::to_string(g.port());
    auto expected = json::parse(R"({
      "token": "allow-token",
      "signatureVerified": true,
      "protocols": ["tls", "http"],
      "protocolData": {
        "tls": {"serverName": "localhost"},
        "http": {"headers": {}, "queryString": "?qos=1"}
      }
    })");
    expected["protocolData"]["http"]["headers"] = {
        {"Host", host},
        {"User-Agent", ev["protocolData"]["http"]["headers"]["User-Agent"]},
        {"Accept", "*/*"},
        {"x-amz-customauthorizer-name", "tokauth"},
        {"x-amz-customauthorizer-signature", sig("allow-token")},
        {"token", "allow-token"},
        {"content-type", "application/json"},
        {"Content-Length", "7"}};
    expected["connectionMetadata"] = ev["connectionMetadata"];
    CHECK(ev == expected);
    CHECK(ev["protocolData"]["http"]["headers"]["User-Agent"].get<std::string>().rfind("curl/", 0) == 0);
    CHECK(std::regex_match(
        ev["connectionMetadata"]["id"].get<std::string>(),
        std::regex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")));
}

TEST_CASE(
    "curl, custom auth as query parameters; denied by policy; bad signature; unknown authorizer; authorizer "
    "says no") {
    REQUIRE_MESSAGE(have("curl"), "curl is missing (scripts/install-deps.sh installs it): test NOT run");
    http_gateway g;
    // Query parameters (URL-encoded signature), the topic with a literal '/'.
    auto a = g.curl({"-X", "POST",
                     g.base() +
                         "/topics/wv/q1?qos=0&x-amz-customauthorizer-name=tokauth&token=allow-token&"
                         "x-amz-customauthorizer-signature=" +
                         url_encode(sig("allow-token")),
                     "--data-binary", "q"});
    CHECK(a.status == 200);
    auto events = events_in(g.events);
    REQUIRE(events.size() == 1);
    CHECK(events[0]["token"] == "allow-token");
    CHECK(events[0]["signatureVerified"] == true);
    CHECK(events[0]["protocolData"]["http"]["queryString"].get<std::string>().rfind(
              "?qos=0&x-amz-customauthorizer-name=tokauth", 0) == 0);

    // Authenticated, but the policy allows only other/*: 403, iot:Publish named.
    a = g.curl({"-X", "POST", g.base() + "/topics/wv%2Fd1", "-H", "x-amz-customauthorizer-name: tokauth",
                "-H", "x-amz-customauthorizer-signature: " + sig("other-topics-token"), "-H",
                "token: other-topics-token", "--data-binary", "x"});
    INFO(a.body);
    CHECK(a.status == 403);
    CHECK(json::parse(a.body)["message"].get<std::string>().find("iot:Publish on wv/d1 is not allowed") !=
          std::string::npos);
    CHECK(events_in(g.events).size() == 2);

    // A signature of another token: 401 before the function is invoked.
    a = g.curl({"-X", "POST", g.base() + "/topics/wv%2Fd1", "-H", "x-amz-customauthorizer-name: tokauth",
                "-H", "x-amz-customauthorizer-signature: " + sig("something-else"), "-H",
                "token: allow-token", "--data-binary", "x"});
    CHECK(a.status == 401);
    CHECK(a.headers.find("x-amzn-ErrorType: UnauthorizedException") != std::string::npos);
    CHECK(events_in(g.events).size() == 2);
    CHECK(g.log_has({"\"httpStatus\":401", "bad_signature"}));

    // No such authorizer: 401, not invoked.
    a = g.curl({"-X", "POST", g.base() + "/topics/wv%2Fd1", "-H", "x-amz-customauthorizer-name: nosuch", "-H",
                "token: allow-token", "--data-binary", "x"});
    CHECK(a.status == 401);
    CHECK(events_in(g.events).size() == 2);
    CHECK(g.log_has({"\"httpStatus\":401", "authorizer_not_found"}));

    // No credentials of any kind (no default authorizer here): 401.
    a = g.curl({"-X", "POST", g.base() + "/topics/wv%2Fd1", "--data-binary", "x"});
    CHECK(a.status == 401);

    // The authorizer answers isAuthenticated false: 401 after the call.
    a = g.curl({"-X", "POST", g.base() + "/topics/wv%2Fd1", "-H", "x-amz-customauthorizer-name: tokauth",
                "-H", "x-amz-customauthorizer-signature: " + sig("nope"), "-H", "token: nope",
                "--data-binary", "x"});
    CHECK(a.status == 401);
    CHECK(events_in(g.events).size() == 3);
    CHECK(g.gw->stats().messages_in == 1);
}

TEST_CASE("curl, enableCachingForHttp: two publishes on one kept-alive connection invoke the authorizer once; "
          "without the flag, twice") {
    REQUIRE_MESSAGE(have("curl"), "curl is missing (scripts/install-deps.sh installs it): test NOT run");
    http_gateway g;
    // One curl run, two URLs: curl reuses the connection (num_connects 0 for the second).
    auto two_publishes = [&](const std::string& authorizer) {
        const auto url = g.base() + "/topics/wv%2Fcache?qos=1";
        const auto r = run({"curl", "-sS", "--cacert", g.ca(), "--resolve",
                            "localhost:" + std::to_string(g.port()) + ":127.0.0.1", "-X", "POST", "-H",
                            "x-amz-customauthorizer-name: " + authorizer, "-H",
                            "x-amz-customauthorizer-signature: " + sig("allow-token"), "-H", "token: allow-token",
                            "--data-binary", "c", "-w", "%{http_code} %{num_connects}\n", "-o", "/dev/null", url,
                            "-o", "/dev/null", url},
                           {}, 30s);
        INFO("curl stderr: ", r.err);
        REQUIRE(r.exit_code == 0);
        return r.out;
    };
    CHECK(two_publishes("cachedauth") == "200 1\n200 0\n");
    CHECK(events_in(g.events).size() == 1);
    CHECK(g.gw->stats().authorizer_calls == 1);
    // A new connection asks again (the cache is the connection's).
    CHECK(two_publishes("cachedauth") == "200 1\n200 0\n");
    CHECK(events_in(g.events).size() == 2);
    // The same function behind an authorizer without enableCachingForHttp: every request.
    CHECK(two_publishes("tokauth") == "200 1\n200 0\n");
    CHECK(events_in(g.events).size() == 4);
    CHECK(g.gw->stats().messages_in == 6);
    CHECK(g.log_has({"\"eventType\":\"Publish-In\"", "\"status\":\"Success\""}));
}

TEST_CASE("curl --aws-sigv4: SigV4 HTTPS publish against iam: keys") {
    REQUIRE_MESSAGE(have("curl"), "curl is missing (scripts/install-deps.sh installs it): test NOT run");
    http_gateway g;
    auto sigv4 = [&](const std::string& user, const std::string& topic) {
        return g.curl({"-X", "POST", g.base() + "/topics/" + topic + "?qos=1", "--aws-sigv4",
                       "aws:amz:us-east-1:iotdevicegateway", "--user", user, "-H",
                       "content-type: application/json", "--data-binary", R"({"sigv4":true})"});
    };
    auto a = sigv4(std::string(access_key) + ":" + secret_key, "wv%2Fs1");
    INFO(a.headers, "\n", a.body);
    CHECK(a.status == 200);
    if (a.status != 200) MESSAGE(read_file(g.dir / "gw.log"));
    CHECK(g.log_has(
        {"\"status\":\"Success\"", "\"topicName\":\"wv/s1\"", "arn:aws:iam::123456789012:user/fleet"}));
    // The IAM policy allows wv/* only.
    a = sigv4(std::string(access_key) + ":" + secret_key, "other%2Fs1");
    CHECK(a.status == 403);
    CHECK(json::parse(a.body)["message"].get<std::string>().find("IAM policy of access key") !=
          std::string::npos);
    a = sigv4(std::string(access_key) + ":wrong-secret", "wv%2Fs1");
    CHECK(a.status == 403);
    CHECK(a.headers.find("x-amzn-ErrorType: InvalidSignatureException") != std::string::npos);
    CHECK(json::parse(a.body)["message"].get<std::string>().rfind(
              "The request signature we calculated does not match", 0) == 0);
    a = sigv4(std::string("AKIDUNKNOWN00000:") + secret_key, "wv%2Fs1");
    CHECK(a.status == 403);
    CHECK(a.headers.find("x-amzn-ErrorType: UnrecognizedClientException") != std::string::npos);
    CHECK(g.gw->stats().messages_in == 1);
}

TEST_CASE("botocore: SigV4Auth's HTTPS publish is accepted; SigV4QueryAuth's presigned /mqtt URL verifies") {
    const bool botocore = run({"python3", "-c", "import botocore.auth"}, {}, 30s).exit_code == 0;
    REQUIRE_MESSAGE(
        botocore,
        "python3 botocore is missing (scripts/install-deps.sh installs python3-botocore): test NOT run");
    http_gateway g;
    g.dir.write("boto_sign.py", botocore_py);
    const auto script = (g.dir / "boto_sign.py").string();
    // botocore signs for the URL's host: use the name the CA certificate is issued for.
    auto r = run(
        {"python3", script, "publish", g.base() + "/topics/wv%2Fboto?qos=1", access_key, secret_key, g.ca()},
        {}, 60s, {"NO_PROXY=*"});
    INFO(r.out, r.err);
    // urllib resolves localhost itself; the listener is on 127.0.0.1.
    CHECK(r.out.rfind("200 ", 0) == 0);
    if (r.out.rfind("200 ", 0) != 0) MESSAGE(read_file(g.dir / "gw.log"));
    r = run({"python3", script, "publish", g.base() + "/topics/wv%2Fboto?qos=1", access_key, "bad", g.ca()},
            {}, 60s);
    CHECK(r.out.rfind("403 ", 0) == 0);

    // The presigned WebSocket URL (as a browser or aws-iot-device-sdk would build with
    // botocore credentials), checked by the one authentication function.
    wv::auth::iam_keys keys{
        {{.access_key_id = access_key,
          .secret_access_key = secret_key,
          .session_token = "",
          .principal = "",
          .policy_documents =
              {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]})"}},
         {.access_key_id = "ASIATEMPKEY00001",
          .secret_access_key = "tmpSecret",
          .session_token = "FwoGZXIvYXdzEXAMPLE/token+=",
          .principal = "",
          .policy_documents = {
              R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]})"}}}};
    auto presign = [&](const std::string& key, const std::string& secret, int expires,
                       std::string token = {}) {
        std::vector<std::string> argv{
            "python3", script, "presign", "wss://gw.example.com/mqtt", key, secret, std::to_string(expires)};
        if (!token.empty()) argv.push_back(token);
        const auto p = run(argv, {}, 60s);
        REQUIRE_MESSAGE(p.exit_code == 0, p.err);
        auto url = p.out.substr(0, p.out.find('\n'));
        return url.substr(url.find("/mqtt"));
    };
    auto check = [&](const std::string& target, std::chrono::system_clock::time_point now) {
        wv::auth::http_authenticator a{{.iam = &keys, .region = "us-east-1", .now = [now] { return now; }}};
        std::promise<wv::auth::http_auth_verdict> done;
        a.authenticate({.transport = wv::auth::http_transport::wss,
                        .method = "GET",
                        .target = target,
                        .headers = {{"Host", "gw.example.com"}, {"Upgrade", "websocket"}},
                        .connection_id = "id"},
                       [&](wv::auth::http_auth_verdict v) { done.set_value(std::move(v)); });
        return done.get_future().get();
    };
    const auto now = std::chrono::system_clock::now();
    const auto url = presign(access_key, secret_key, 300);
    MESSAGE("botocore presigned: ", url);
    auto v = check(url, now);
    REQUIRE_MESSAGE(
        std::holds_alternative<wv::auth::sigv4_verdict>(v),
        (std::holds_alternative<wv::auth::http_refusal>(v) ? std::get<wv::auth::http_refusal>(v).detail
                                                           : ""));
    CHECK(std::get<wv::auth::sigv4_verdict>(v).presigned);
    // Expired: 300 s later than X-Amz-Expires allows.
    v = check(url, now + 10min);
    REQUIRE(std::holds_alternative<wv::auth::http_refusal>(v));
    CHECK(std::get<wv::auth::http_refusal>(v).status == 403);
    CHECK(std::get<wv::auth::http_refusal>(v).message.rfind("Signature expired", 0) == 0);
    // Tampered: another path, another expiry.
    std::string tampered = url;
    tampered.replace(tampered.find("X-Amz-Expires=300"), 17, "X-Amz-Expires=900");
    v = check(tampered, now);
    REQUIRE(std::holds_alternative<wv::auth::http_refusal>(v));
    CHECK(std::get<wv::auth::http_refusal>(v).error_type == "InvalidSignatureException");
    // Temporary credentials: botocore signs X-Amz-Security-Token into the URL; accepted too.
    const auto with_token = presign("ASIATEMPKEY00001", "tmpSecret", 300, "FwoGZXIvYXdzEXAMPLE/token+=");
    CHECK(with_token.find("X-Amz-Security-Token=") != std::string::npos);
    CHECK(std::holds_alternative<wv::auth::sigv4_verdict>(check(with_token, now)));
    // ... and the wrong token is refused.
    std::string wrong_token = with_token;
    wrong_token.replace(wrong_token.find("X-Amz-Security-Token=") + 21, 4, "XXXX");
    v = check(wrong_token, now);
    REQUIRE(std::holds_alternative<wv::auth::http_refusal>(v));
    CHECK(std::get<wv::auth::http_refusal>(v).error_type == "UnrecognizedClientException");
}

// boto3's iot-data Publish with the MQTT 5 parameters, argv: <endpoint> <key> <secret> <ca>.
// Prints one line per call: the HTTP status, then (for an error) AWS's error code.
constexpr const char* boto3_publish_py = R"PY(
import base64, sys
import boto3, botocore.config
from botocore.exceptions import ClientError

url, key, secret, ca = sys.argv[1:5]
c = boto3.client("iot-data", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key,
                 aws_secret_access_key=secret, verify=ca,
                 config=botocore.config.Config(retries={"max_attempts": 1}))
if "userProperties" not in c.meta.service_model.operation_model("Publish").input_shape.members:
    print("boto3 too old: its iot-data Publish has no userProperties")
    sys.exit(3)
def call(**kw):
    try:
        r = c.publish(**kw)
        print(r["ResponseMetadata"]["HTTPStatusCode"])
    except ClientError as e:
        print(e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"].get("Message", ""))
call(topic="wv/boto3", qos=1, payload=b'{"t": 21.5}',
     userProperties=[{"deviceName": "alpha"}, {"deviceCnt": "45"}], payloadFormatIndicator="UTF8_DATA",
     contentType="application/json", responseTopic="wv/boto3/reply",
     correlationData=base64.b64encode(b"req-7").decode(), messageExpiry=60)
call(topic="wv/boto3", qos=1, payload=b"\xc3\x28", payloadFormatIndicator="UTF8_DATA")
)PY";

TEST_CASE("boto3 iot-data Publish with MQTT 5 properties: a topic rule sees them; a UTF8_DATA body that is not UTF-8 is a 400") {
    const bool boto3 = run({"python3", "-c", "import boto3"}, {}, 30s).exit_code == 0;
    REQUIRE_MESSAGE(boto3, "python3 boto3 is missing (scripts/install-deps.sh installs python3-boto3): test NOT run");
    temp_dir out;
    const auto rules_file = out / "rules.jsonl";
    http_gateway g("rules:\n"
                   "  - name: mqtt5_props\n"
                   "    sql: \"SELECT get_user_properties('deviceName') AS name, get_user_properties() AS all_props, "
                   "get_mqtt_property('content_type') AS ct, get_mqtt_property('response_topic') AS rt, "
                   "get_mqtt_property('correlation_data') AS cd, get_mqtt_property('format_indicator') AS pfi, "
                   "t FROM 'wv/#'\"\n"
                   "    sql_version: '2016-03-23'\n"
                   "    actions:\n"
                   "      - file: {path: '" +
                   rules_file.string() + "'}\n");
    g.dir.write("boto3_publish.py", boto3_publish_py);
    const auto r = run({"python3", (g.dir / "boto3_publish.py").string(), g.base(), access_key, secret_key, g.ca()},
                       {}, 60s, {"NO_PROXY=*"});
    INFO(r.out, r.err);
    REQUIRE(r.exit_code == 0);
    std::istringstream lines(r.out);
    std::string first, second;
    std::getline(lines, first);
    std::getline(lines, second);
    CHECK(first == "200");
    CHECK(second.rfind("400 ", 0) == 0);
    CHECK(second.find("UTF8_DATA") != std::string::npos);

    std::vector<json> seen;
    for (int i = 0; i < 250 && seen.empty(); ++i) {
        if (std::filesystem::exists(rules_file)) seen = events_in(rules_file);
        if (seen.empty()) std::this_thread::sleep_for(20ms);
    }
    REQUIRE(seen.size() == 1);  // the refused request never reaches the rules
    const json want = json::parse(R"({"name": ["alpha"], "all_props": [{"deviceName": "alpha"}, {"deviceCnt": "45"}],
        "ct": "application/json", "rt": "wv/boto3/reply", "cd": "cmVxLTc=", "pfi": "UTF8_DATA", "t": 21.5})");
    CHECK(seen[0] == want);
}
