// The `functions:` section end to end: one python handler named once, used by a custom
// authorizer (by name) and by a topic rule's lambda action (by ARN), runs in ONE worker pool.
#include <doctest/doctest.h>

#include <sstream>
#include <thread>

#include "gateway/config_yaml.hpp"
#include "gateway/gateway.hpp"
#include "support/temp_dir.hpp"
#include "test_device.hpp"

using namespace std::chrono_literals;
using namespace wv::test;

namespace {

// Records who called it and from which process: one worker, one pool -> one pid.
constexpr const char* shared_py = R"PY(
import base64, os
def record(kind):
    with open(os.environ["CALLS"], "a") as f:
        f.write("%s %d\n" % (kind, os.getpid()))
def lambda_handler(event, context):
    if "protocolData" in event:
        record("authorizer")
        ok = base64.b64decode(event["protocolData"]["mqtt"]["password"]).decode() == "s3cret"
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}
        return {"isAuthenticated": ok, "principalId": "dev1", "policyDocuments": [policy] if ok else [],
                "disconnectAfterInSeconds": 3600, "refreshAfterInSeconds": 600}
    record("rule:" + str(event.get("reading")))
    return {"ok": True}
)PY";

std::vector<std::pair<std::string, std::string>> calls_in(const std::filesystem::path& file) {
    std::vector<std::pair<std::string, std::string>> out;
    std::istringstream in(read_file(file));
    std::string kind, pid;
    while (in >> kind >> pid) out.emplace_back(kind, pid);
    return out;
}

}  // namespace

TEST_CASE("functions: an authorizer and a rule naming one handler share one worker pool") {
    temp_dir dir;
    dir.write("shared.py", shared_py);
    const auto calls = dir / "calls.txt";
    auto cfg = wv::gate::parse_gateway_config(
        "listeners: [{name: aws-443, kind: aws-443, port: 0}]\n"
        "log: {level: warn}\n"
        "functions:\n"
        "  - name: shared\n"
        "    backend: handler\n"
        "    handler: python:shared.py\n"
        "    workers: 1\n"
        "    environment: {CALLS: '" + calls.string() + "'}\n"
        "default_authorizer: auth\n"
        "authorizers:\n"
        "  - name: auth\n"
        "    function: shared\n"
        "rules:\n"
        "  - name: forward\n"
        "    sql: SELECT * FROM 'wv/#'\n"
        "    actions:\n"
        "      - lambda: {functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:shared'}\n",
        "functions.yaml", dir.path());
    cfg.generated_ca_dir = dir / "ca";
    wv::gate::gateway gw(std::move(cfg));
    gw.start();

    endpoint_options ep;
    ep.port = gw.listeners()[0].port;
    ep.ca_file = gw.certificates().ca_cert.string();
    wv::client::session_options s;
    s.client_id = "dev1";
    s.user_name = "dev1";
    s.password = "s3cret";
    device d(ep, s);
    REQUIRE_FALSE(d.connect_error());
    CHECK_FALSE(d.publish("wv/dev1/1", R"({"reading": 42})"));
    // The lambda action runs asynchronously: wait for its call (bounded).
    for (int i = 0; i < 1000 && calls_in(calls).size() < 2; ++i) std::this_thread::sleep_for(10ms);
    gw.stop();

    const auto seen = calls_in(calls);
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].first == "authorizer");
    CHECK(seen[1].first == "rule:42");
    CHECK_MESSAGE(seen[0].second == seen[1].second, "two worker processes: the function was started twice");
}
