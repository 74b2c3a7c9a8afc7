// Topic rules created through the control plane run in the live gateway: boto3 creates a rule
// with a republish (or lambda) action, a device publishes, the rule's action runs; disabling,
// replacing and deleting it take effect for the next publish.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>

#include "gateway_fixture.hpp"
#include "support/child_process.hpp"
#include "test_device.hpp"

using namespace std::chrono_literals;
using namespace wv::test;
namespace gate = wv::gate;

namespace {

const std::string rules_script = std::string(WV_SOURCE_DIR_PATH) + "/tests/integration/gateway/boto3_topic_rules.py";

bool have_boto3() {
    if (std::string(WV_PYTHON3).empty() || run({WV_PYTHON3, "-c", "import boto3"}).exit_code != 0) {
        MESSAGE("SKIPPED: needs Debian's python3-boto3 (scripts/install-deps.sh)");
        return false;
    }
    return true;
}

void boto3(const gateway_fixture& g, std::vector<std::string> args) {
    std::vector<std::string> argv{WV_PYTHON3, rules_script, args.at(0), g.gw->control_plane_url()};
    argv.insert(argv.end(), args.begin() + 1, args.end());
    const auto r = run(argv, {}, 60s);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
}

std::unique_ptr<device> dev(const gateway_fixture& g, const std::string& client_id) {
    wv::client::session_options s;
    s.client_id = client_id;
    s.user_name = "dev1?x-amz-customauthorizer-name=auth";
    s.password = "pw1";
    auto d = std::make_unique<device>(endpoint_options{.port = g.port(), .ca_file = g.ca()}, s);
    REQUIRE(d->connected());
    return d;
}

std::filesystem::path recorder_dir;  // the fixture takes a plain function: the handler's folder reaches it here

// A function the configuration names (in a rule that never matches), which an API rule's
// lambda action refers to by ARN.
void with_recorder(gate::gateway_config& c) {
    std::ofstream(recorder_dir / "rules.yaml")
        << "rules:\n"
           "  - name: holds_the_function\n"
           "    sql: \"SELECT * FROM 'never/#'\"\n"
           "    actions:\n"
           "      - lambda: {name: recorder, backend: handler, handler: \"python:recorder.py\"}\n";
    std::ofstream(recorder_dir / "recorder.py")
        << "import json, os\n"
           "def lambda_handler(event, context):\n"
           "    with open(os.path.join(os.path.dirname(__file__), 'events.jsonl'), 'a') as f:\n"
           "        f.write(json.dumps(event) + '\\n')\n"
           "    return {}\n";
    c.rules = wv::rules_engine::load_engine_config(recorder_dir / "rules.yaml");
}

}  // namespace

TEST_CASE("boto3 creates a republish rule: the live gateway runs it; disable, replace, enable, delete take effect") {
    if (!have_boto3()) return;
    gateway_fixture g;
    auto watcher = dev(g, "watcher");
    REQUIRE(!watcher->subscribe("wv/out/#"));
    REQUIRE(!watcher->subscribe("wv/out2/#"));
    auto sender = dev(g, "sender");

    boto3(g, {"create", "copy", "SELECT * FROM 'wv/in/#'", R"({"republish": {"topic": "wv/out/${topic(3)}", "qos": 0,
              "roleArn": "arn:aws:iam::123456789012:role/r"}})"});
    REQUIRE(!sender->publish("wv/in/a", R"({"n":1})"));
    auto got = watcher->messages(1);
    REQUIRE(got.size() == 1);
    CHECK(got[0].first == "wv/out/a");
    CHECK(got[0].second == R"({"n":1})");

    boto3(g, {"disable", "copy"});
    REQUIRE(!sender->publish("wv/in/b", R"({"n":2})"));
    CHECK(watcher->messages(2, 1s).size() == 1);  // disabled: nothing republished

    boto3(g, {"replace", "copy", "SELECT n FROM 'wv/in/#'", R"({"republish": {"topic": "wv/out2/${topic(3)}", "roleArn": "arn:aws:iam::123456789012:role/r"}})"});
    boto3(g, {"enable", "copy"});
    REQUIRE(!sender->publish("wv/in/c", R"({"n":3,"extra":true})"));
    got = watcher->messages(2);
    REQUIRE(got.size() == 2);
    CHECK(got[1].first == "wv/out2/c");
    CHECK(got[1].second == R"({"n":3})");

    boto3(g, {"delete", "copy"});
    REQUIRE(!sender->publish("wv/in/d", R"({"n":4})"));
    CHECK(watcher->messages(3, 1s).size() == 2);  // deleted
    const auto report = g.gw->rules_report();
    CHECK(report.empty());
}

TEST_CASE("boto3 creates a rule with a lambda action: the function its ARN names runs on a publish") {
    if (!have_boto3()) return;
    temp_dir here;
    recorder_dir = here.path();
    gateway_fixture g(with_recorder);
    auto sender = dev(g, "sender");
    boto3(g, {"create", "to_lambda", "SELECT topic() AS t, n FROM 'wv/fn/#'",
              R"({"lambda": {"functionArn": "arn:aws:lambda:eu-central-1:123456789012:function:recorder"}})"});
    REQUIRE(!sender->publish("wv/fn/x", R"({"n":7})"));
    const auto events = recorder_dir / "events.jsonl";
    for (int i = 0; i < 200 && read_file(events).empty(); ++i) std::this_thread::sleep_for(25ms);
    const auto line = read_file(events);
    CHECK(line.find("\"t\": \"wv/fn/x\"") != std::string::npos);  // the SELECT output is the event
    CHECK(line.find("\"n\": 7") != std::string::npos);
    CHECK(std::count(line.begin(), line.end(), '\n') == 1);
    bool counted = false;
    for (const auto& r : g.gw->rules_report())
        if (r.name == "to_lambda") counted = r.matched == 1;
    CHECK(counted);
}
