// A python authorizer Lambda behind a few-line Lambda-Invoke shim (http.server), reached
// through the `lambda` backend: the path a user takes before deploying to AWS.
#include <doctest/doctest.h>

#include <thread>

#include "gateway/config_yaml.hpp"
#include "gateway/gateway.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"
#include "test_device.hpp"

using namespace std::chrono_literals;
using namespace wv::test;

namespace {

// Ayyeka's simple authorizer, shortened: the user name before '?', the password base64.
constexpr const char* handler_py = R"PY(
import base64
def lambda_handler(event, context):
    mqtt = event["protocolData"]["mqtt"]
    user = mqtt["username"].split("?")[0]
    password = base64.b64decode(mqtt["password"]).decode()
    ok = (user, password) == ("wavelet", "s3cret")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iot:Connect", "Resource": "arn:aws:iot:*:*:client/" + mqtt["clientId"]},
        {"Effect": "Allow", "Action": ["iot:Publish", "iot:Receive"], "Resource": "arn:aws:iot:*:*:topic/wv/*"},
        {"Effect": "Allow", "Action": "iot:Subscribe", "Resource": "arn:aws:iot:*:*:topicfilter/wv/*"}]}
    return {"isAuthenticated": ok, "principalId": user, "policyDocuments": [policy] if ok else [],
            "disconnectAfterInSeconds": 3600, "refreshAfterInSeconds": 600}
)PY";

// The Invoke API in a few lines: POST .../invocations with the event, the result as JSON.
constexpr const char* shim_py = R"PY(
import http.server, importlib.util, json, sys
spec = importlib.util.spec_from_file_location("h", sys.argv[1]); h = importlib.util.module_from_spec(spec); spec.loader.exec_module(h)
class Invoke(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        body = json.dumps(h.lambda_handler(event, None)).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Invoke)
print(server.server_address[1], flush=True)
server.serve_forever()
)PY";

}  // namespace

TEST_CASE("a python authorizer behind a Lambda Invoke shim, through the lambda backend") {
    temp_dir dir;
    const auto handler = dir.write("lambda_function.py", handler_py);
    const auto shim = dir.write("shim.py", shim_py);
    child_process lambda({WV_PYTHON3, shim.string(), handler.string()});
    std::string port;
    for (int i = 0; i < 500 && port.empty(); ++i) {
        const auto out = lambda.out();
        if (out.find('\n') != std::string::npos) port = out.substr(0, out.find('\n'));
        else std::this_thread::sleep_for(10ms);  // polling the child's output for its port
    }
    REQUIRE_MESSAGE(!port.empty(), lambda.err());

    auto cfg = wv::gate::parse_gateway_config(
        "listeners: [{name: aws-443, kind: aws-443, port: 0}]\n"
        "default_authorizer: ayyeka\n"
        "log: {level: debug, file: gw.log}\n"
        // The denied attempt reuses the device's client id at once; AWS would throttle it
        // (1 CONNECT/s per client id) before the authorizer this test is about.
        "limits: {connects_per_s_per_client_id: 0}\n"
        "authorizers:\n"
        "  - name: ayyeka\n"
        "    backend: lambda\n"
        "    url: http://127.0.0.1:" + port + "\n"
        "    function: ayyeka-authorizer\n",
        "lambda.yaml", dir.path());
    cfg.generated_ca_dir = dir / "ca";
    cfg.log_file = (dir / "gw.log").string();
    wv::gate::gateway gw(std::move(cfg));
    gw.start();

    endpoint_options ep;
    ep.port = gw.listeners()[0].port;
    ep.ca_file = gw.certificates().ca_cert.string();
    wv::client::session_options s;
    s.client_id = "2453AC035CBCBC9A";
    s.user_name = "wavelet?x-amz-customauthorizer-name=ayyeka";
    s.password = "s3cret";
    {
        device good(ep, s);
        REQUIRE_FALSE(good.connect_error());
        CHECK_FALSE(good.publish("wv/2453AC035CBCBC9A/1/samp/p1", "x"));
    }
    s.password = "wrong";
    device bad(ep, s);
    CHECK(bad.connect_error());
    CHECK(gw.stats().connects_accepted == 1);
    CHECK(gw.stats().connects_auth_failed == 1);
    gw.stop();
    CHECK(read_file(dir / "gw.log").find("\"reason\":\"denied\"") != std::string::npos);
}
