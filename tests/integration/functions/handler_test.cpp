// The handler backend running real python and node workers on handler files written here:
// each outcome (allow, deny, raise, timeout, crash, import error) comes back as the right
// backend_errc with the function's own log lines, and a killed worker is replaced.
#include <doctest/doctest.h>
#include <signal.h>

#include <future>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "functions/handler/handler_backend.hpp"
#include "call.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;
using wv::auth::backend_errc;
using wv::test::call;
using wv::test::errc_name;
using wv::test::mqtt_event;

namespace {

// Allows "alice" with the right password, denies others, raises for "bob", sleeps past any
// deadline for "sloth", writes its pid then blocks for "pid" (so the test can kill it).
const char* python_authorizer = R"PY(
import base64, json, logging, os, sys, time
logger = logging.getLogger()
logger.setLevel(logging.INFO)
print("cold start")

def lambda_handler(event, context):
    mqtt = event["protocolData"]["mqtt"]
    user = mqtt["username"].split("?")[0]
    password = base64.b64decode(mqtt["password"]).decode()
    print("user", user, "remaining", context.get_remaining_time_in_millis() > 0, context.function_name)
    logger.info("checking %s", user)
    os.write(1, b"raw fd write\n")
    if user == "bob":
        raise ValueError("bob is not welcome")
    if user == "sloth":
        time.sleep(60)
    if user == "pid":
        with open(os.environ["PID_FILE"], "w") as f:
            f.write(str(os.getpid()))
        time.sleep(60)
    if user == "env":
        return {"region": os.environ.get("region"), "account_id": os.environ.get("account_id"),
                "aws_region": os.environ.get("AWS_REGION"), "request_id": context.aws_request_id}
    if user == "unserialisable":
        return {"x": object()}
    if user == "exit":
        os._exit(7)
    allowed = user == "alice" and password == "secret"
    return {
        "isAuthenticated": allowed,
        "principalId": user,
        "policyDocuments": [{"Version": "2012-10-17", "Statement": [
            {"Action": "iot:Connect", "Effect": "Allow" if allowed else "Deny", "Resource": "*"}]}],
        "disconnectAfterInSeconds": 3600,
        "refreshAfterInSeconds": 300,
    }
)PY";

}  // namespace

TEST_CASE("python handler: allow, deny, raise, timeout, crash: each reported with its reason and logs") {
    wv::test::temp_dir dir;
    const auto file = dir.write("lambda_function.py", python_authorizer);
    auto b = wv::handler::make_handler_backend({.spec = "python:" + file.string(),
                                                .workers = 2,
                                                .environment = {{"region", "eu-central-1"},
                                                                {"account_id", "123456789012"},
                                                                {"PID_FILE", (dir / "pid").string()}}});
    CHECK(b->describe().find("lambda_function.py:lambda_handler") != std::string::npos);

    SUBCASE("allow") {
        const auto r = call(*b, mqtt_event("alice?x-amz-customauthorizer-name=auth", "secret", "dev1"));
        REQUIRE_MESSAGE(r.error == backend_errc::none, errc_name(r.error), " ", r.detail);
        const auto j = nlohmann::json::parse(r.body);
        CHECK(j["isAuthenticated"] == true);
        CHECK(j["principalId"] == "alice");
        // print() and the root logger (in Lambda's format) are kept with the call.
        bool printed = false, logged = false;
        for (const auto& l : r.log_lines) {
            printed = printed || l == "user alice remaining True lambda_function";
            logged = logged || (l.rfind("[INFO]\t", 0) == 0 && l.find("checking alice") != std::string::npos);
        }
        CHECK(printed);
        CHECK(logged);
    }
    SUBCASE("deny is a normal reply") {
        const auto r = call(*b, mqtt_event("mallory", "secret", "dev2"));
        REQUIRE(r.error == backend_errc::none);
        CHECK(nlohmann::json::parse(r.body)["isAuthenticated"] == false);
    }
    SUBCASE("an exception is a function_error with its type and message") {
        const auto r = call(*b, mqtt_event("bob", "x", "dev3"));
        CHECK(r.error == backend_errc::function_error);
        CHECK(r.detail == "ValueError: bob is not welcome");
        CHECK(nlohmann::json::parse(r.body)["errorType"] == "ValueError");
    }
    SUBCASE("an unserialisable return value is Runtime.MarshalError") {
        const auto r = call(*b, mqtt_event("unserialisable", "x", "dev3"));
        CHECK(r.error == backend_errc::function_error);
        CHECK(r.detail.rfind("Runtime.MarshalError", 0) == 0);
    }
    SUBCASE("past the deadline: timeout, the worker is killed and the pool still answers") {
        const auto r = call(*b, mqtt_event("sloth", "x", "dev4"), 700ms);
        CHECK(r.error == backend_errc::timeout);
        CHECK_MESSAGE(r.detail.find("killed and replaced") != std::string::npos, r.detail);
        for (int i = 0; i < 3; ++i) {
            const auto again = call(*b, mqtt_event("alice", "secret", "dev1"));
            CHECK_MESSAGE(again.error == backend_errc::none, again.detail);
        }
    }
    SUBCASE("environment variables from config, and the context") {
        const auto r = call(*b, mqtt_event("env", "x", "dev5"));
        REQUIRE_MESSAGE(r.error == backend_errc::none, r.detail);
        const auto j = nlohmann::json::parse(r.body);
        CHECK(j["region"] == "eu-central-1");
        CHECK(j["account_id"] == "123456789012");
        CHECK(j["aws_region"] == "us-east-1");
        CHECK(std::regex_match(j["request_id"].get<std::string>(),
                               std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
    }
    SUBCASE("a worker that exits mid-call: worker_crashed with its status, then replaced") {
        const auto r = call(*b, mqtt_event("exit", "x", "dev6"));
        CHECK(r.error == backend_errc::worker_crashed);
        CHECK_MESSAGE(r.detail.find("exited with status 7") != std::string::npos, r.detail);
        CHECK(call(*b, mqtt_event("alice", "secret", "dev1")).error == backend_errc::none);
    }
    SUBCASE("a worker killed mid-call from outside: worker_crashed, then replaced") {
        std::thread killer([&] {
            // Poll for the pid file the function writes, then SIGKILL that worker.
            for (int i = 0; i < 1000; ++i) {
                const auto pid_text = wv::test::read_file(dir / "pid");
                if (!pid_text.empty()) {
                    ::kill(std::stoi(pid_text), SIGKILL);
                    return;
                }
                std::this_thread::sleep_for(10ms);
            }
        });
        const auto r = call(*b, mqtt_event("pid", "x", "dev7"), 20000ms);
        killer.join();
        CHECK(r.error == backend_errc::worker_crashed);
        CHECK_MESSAGE(r.detail.find("killed by signal 9") != std::string::npos, r.detail);
        CHECK(call(*b, mqtt_event("alice", "secret", "dev1")).error == backend_errc::none);
    }
}

TEST_CASE("python handler: calls beyond the pool wait their turn; concurrent calls all complete") {
    wv::test::temp_dir dir;
    const auto file = dir.write("f.py", "import time\ndef lambda_handler(event, context):\n    time.sleep(0.02)\n"
                                        "    return {'n': event['n']}\n");
    auto b = wv::handler::make_handler_backend({.spec = "python:" + file.string(), .workers = 3});
    constexpr int n = 12;
    std::vector<std::promise<wv::auth::backend_reply>> ps(n);
    for (int i = 0; i < n; ++i)
        b->invoke("{\"n\":" + std::to_string(i) + "}", std::chrono::steady_clock::now() + 20s,
                  [&ps, i](wv::auth::backend_reply r) { ps[i].set_value(std::move(r)); });
    for (int i = 0; i < n; ++i) {
        auto r = ps[i].get_future().get();
        REQUIRE_MESSAGE(r.error == backend_errc::none, r.detail);
        CHECK(nlohmann::json::parse(r.body)["n"] == i);
    }
}

TEST_CASE("python handler: a file that does not import fails calls with Runtime.ImportModuleError") {
    wv::test::temp_dir dir;
    const auto file = dir.write("broken.py", "import no_such_module_here\n");
    auto b = wv::handler::make_handler_backend({.spec = "python:" + file.string(), .workers = 1});
    const auto r = call(*b, "{}");
    CHECK(r.error == backend_errc::function_error);
    CHECK_MESSAGE(r.detail.find("Runtime.ImportModuleError") != std::string::npos, r.detail);
    CHECK(r.detail.find("no_such_module_here") != std::string::npos);
    // Fails cleanly again on the next call (a fresh worker tries the import): no loop, no hang.
    CHECK(call(*b, "{}").error == backend_errc::function_error);
}

TEST_CASE("handler config errors are refused up front") {
    CHECK_THROWS_AS(wv::handler::make_handler_backend({.spec = "python:/no/such/file.py"}), std::invalid_argument);
    CHECK_THROWS_AS(wv::handler::make_handler_backend({.spec = "ruby:x.rb"}), std::invalid_argument);
    CHECK_THROWS_AS(wv::handler::make_handler_backend({.spec = "lambda_function.py"}), std::invalid_argument);
}

TEST_CASE("node handler: async and callback styles, errors, console.log captured") {
    if (std::string(WV_NODE).empty()) {
        MESSAGE("node not installed: skipped");
        return;
    }
    wv::test::temp_dir dir;
    const auto file = dir.write("index.js", R"JS(
exports.handler = async (event, context) => {
  const user = event.protocolData.mqtt.username.split('?')[0];
  console.log('checking', user, typeof context.getRemainingTimeInMillis());
  if (user === 'bob') throw new TypeError('no bob');
  return { isAuthenticated: user === 'alice', principalId: user, policyDocuments: [],
           disconnectAfterInSeconds: 300, refreshAfterInSeconds: 300 };
};
exports.cb = (event, context, callback) => {
  setTimeout(() => callback(null, { viaCallback: true, fn: context.functionName }), 5);
};
)JS");
    auto b = wv::handler::make_handler_backend({.spec = "node:" + file.string(), .workers = 1});
    auto r = call(*b, mqtt_event("alice", "pw", "d1"));
    REQUIRE_MESSAGE(r.error == backend_errc::none, errc_name(r.error), " ", r.detail);
    CHECK(nlohmann::json::parse(r.body)["isAuthenticated"] == true);
    REQUIRE(!r.log_lines.empty());
    CHECK(r.log_lines[0].find("INFO\tchecking alice number") != std::string::npos);
    r = call(*b, mqtt_event("bob", "pw", "d1"));
    CHECK(r.error == backend_errc::function_error);
    CHECK(r.detail == "TypeError: no bob");

    auto cb = wv::handler::make_handler_backend({.spec = "node:" + file.string() + ":cb", .workers = 1});
    r = call(*cb, "{}");
    REQUIRE_MESSAGE(r.error == backend_errc::none, r.detail);
    CHECK(nlohmann::json::parse(r.body)["viaCallback"] == true);
    CHECK(nlohmann::json::parse(r.body)["fn"] == "index");
}
