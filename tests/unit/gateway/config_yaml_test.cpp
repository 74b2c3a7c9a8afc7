#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "gateway/config_yaml.hpp"

using namespace wv::gate;

namespace {
// The config_error a text gives, or "no error".
std::string err(const char* text) {
    try {
        parse_gateway_config(text, "gw.yaml", ".");
    } catch (const config_error& e) {
        return std::string(e.what());
    }
    return std::string("no error");
}
}  // namespace

TEST_CASE("config: the shipped example parses") {
    const auto cfg = load_gateway_config(std::string(WV_SOURCE_DIR_PATH) + "/config/wvgate.yaml");
    REQUIRE(cfg.listeners.size() == 2);
    CHECK(cfg.listeners[0].kind == listener_kind::aws_443);
    CHECK(cfg.listeners[0].port == 4443);
    // HTTPS publish as src/gateway/README.md shows it: certificates from the generated CA.
    CHECK(cfg.listeners[1].kind == listener_kind::aws_8443);
    CHECK(cfg.listeners[1].port == 8443);
    CHECK(cfg.certificate_policies.size() == 1);
    REQUIRE(cfg.authorizers.size() == 2);
    CHECK(cfg.authorizers[0].credentials.size() == 2);
    CHECK(cfg.authorizers[0].default_policies[0].find("${iot:ClientId}") != std::string::npos);
    CHECK(cfg.default_authorizer == "wavelet");
    // The HTTP front's token authorizer and SigV4 key (src/gateway/README.md).
    CHECK(cfg.authorizers[1].name == "tokens");
    CHECK(cfg.authorizers[1].token_key_name == "token");
    REQUIRE(cfg.iam.size() == 1);
    CHECK(cfg.iam[0].access_key_id == "AKIDWAVELETDEMO");
    CHECK(cfg.iam[0].policy_documents.size() == 1);
}

TEST_CASE("config: errors name file, line and key") {
    CHECK(err("listeners:\n  - name: a\n    kind: aws-444\n") ==
          "gw.yaml:3: listeners[0].kind: expected aws-443, aws-8883, aws-8443 or plain, not 'aws-444'");
    CHECK(err("https:\n  idle_timeout: 3\n").rfind("gw.yaml:2: https.idle_timeout: unknown key", 0) == 0);
    CHECK(err("limits:\n  max_topic_byte: 3\n").rfind("gw.yaml:2: limits.max_topic_byte: unknown key", 0) == 0);
    CHECK(err("threads: many\n") == "gw.yaml:1: threads: expected a number in range");
    CHECK(err("default_authorizer: nope\n") == "gw.yaml:1: default_authorizer: no authorizer with that name");
    CHECK(err("authorizers:\n  - name: a\n    backend: registry\n").find("registry_csv: required") != std::string::npos);
    CHECK(err("a: [\n").rfind("gw.yaml:", 0) == 0);
}

TEST_CASE("config: HTTPS publish, an aws-8443 listener and the CONNECT throttle") {
    const auto cfg = parse_gateway_config(
        "listeners:\n"
        "  - name: https\n"
        "    kind: aws-8443\n"
        "    port: 0\n"
        "https:\n"
        "  max_header_bytes: 4096\n"
        "  idle_timeout_ms: 1500\n"
        "  request_timeout_ms: 700\n"
        "limits:\n"
        "  connects_per_s_per_client_id: 0\n",
        "gw.yaml", ".");
    REQUIRE(cfg.listeners.size() == 1);
    CHECK(cfg.listeners[0].kind == listener_kind::aws_8443);
    CHECK(cfg.https.max_header_bytes == 4096);
    CHECK(cfg.https.idle_timeout == std::chrono::milliseconds(1500));
    CHECK(cfg.https.request_timeout == std::chrono::milliseconds(700));
    CHECK(cfg.limits.connects_per_s_per_client_id == 0);
    CHECK(gateway_config{}.limits.connects_per_s_per_client_id == 1);  // AWS's default: on
}

TEST_CASE("config: inline policies as JSON text or YAML mapping") {
    const auto cfg = parse_gateway_config(
        "authorizers:\n"
        "  - name: a\n"
        "    default_policies:\n"
        "      - '{\"Version\":\"2012-10-17\",\"Statement\":[]}'\n"
        "      - Version: '2012-10-17'\n"
        "        Statement: [{Effect: Allow, Action: 'iot:*', Resource: '*'}]\n",
        "x.yaml", ".");
    REQUIRE(cfg.authorizers[0].default_policies.size() == 2);
    CHECK(cfg.authorizers[0].default_policies[1] ==
          R"({"Statement":[{"Action":"iot:*","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"})");
}

TEST_CASE("config: provisioning bounds and hook functions by name; errors name the key") {
    const auto cfg = parse_gateway_config(
        "provisioning:\n  threads: 3\n  max_pending: 10\n  hooks:\n"
        "    - {name: fleet-hook, backend: handler, handler: 'python:" WV_SOURCE_DIR_PATH "/tests/integration/provisioning/hook.py'}\n",
        "gw.yaml", ".");
    CHECK(cfg.provisioning.threads == 3);
    CHECK(cfg.provisioning.max_pending == 10);
    REQUIRE(cfg.provisioning.hooks.count("fleet-hook") == 1);
    CHECK(cfg.provisioning.hooks.at("fleet-hook"));
    CHECK(err("provisioning:\n  hooks:\n    - {name: h, backend: static}\n") ==
          "gw.yaml:3: provisioning.hooks[0].backend: expected handler or lambda");
    CHECK(err("provisioning:\n  hooks:\n    - {backend: handler}\n") ==
          "gw.yaml:3: provisioning.hooks[0]: needs a name (the function name its ARN ends with)");
    CHECK(err("provisioning:\n  thread: 2\n").rfind("gw.yaml:2: provisioning.thread: unknown key", 0) == 0);
}

TEST_CASE("config: provisioning templates inline (YAML or JSON text) or from a file") {
    // The hook names a function (an unknown one is a config error, checked below).
    const auto cfg = parse_gateway_config(
        "functions:\n  - {name: fleet-hook, backend: handler, handler: 'python:hook.py'}\n"
        "provisioning:\n  templates:\n"
        "    - name: fleet\n      hook: fleet-hook\n      body:\n        Resources:\n          thing: {Type: 'AWS::IoT::Thing', Properties: {ThingName: x}}\n"
        "    - {name: t2, enabled: false, body: '{\"Resources\": {}}'}\n",
        "gw.yaml", ".");
    REQUIRE(cfg.provisioning.templates.size() == 2);
    CHECK(nlohmann::json::parse(cfg.provisioning.templates[0].body) ==
          nlohmann::json{{"Resources", {{"thing", {{"Type", "AWS::IoT::Thing"}, {"Properties", {{"ThingName", "x"}}}}}}}});
    CHECK(cfg.provisioning.templates[0].hook == "fleet-hook");
    CHECK(cfg.provisioning.templates[1].enabled == false);
    CHECK(cfg.provisioning.templates[1].body == R"({"Resources": {}})");
    CHECK(err("provisioning:\n  templates:\n    - {name: t}\n") == "gw.yaml:3: provisioning.templates[0]: needs body or body_file");
    CHECK(err("provisioning:\n  templates:\n    - {name: t, hook: nobody, body: '{}'}\n")
              .rfind("gw.yaml:3: provisioning.templates[0].hook: unknown function 'nobody'", 0) == 0);
    CHECK(err("provisioning:\n  templates:\n    - {name: t, body_file: /nonexistent.json}\n") ==
          "gw.yaml:3: provisioning.templates[0].body_file: cannot read /nonexistent.json");
}

TEST_CASE("config: iam: keys with their IAM policy; errors name the file, line and key") {
    const auto cfg = parse_gateway_config(
        "iam:\n"
        "  - access_key_id: AKIDEXAMPLE\n"
        "    secret_access_key: s3cret\n"
        "    session_token: tok\n"
        "    principal: arn:aws:iam::123456789012:user/fleet\n"
        "    policy: {Version: '2012-10-17', Statement: [{Effect: Allow, Action: 'iot:*', Resource: '*'}]}\n"
        "  - access_key_id: AKIDOTHER\n"
        "    secret_access_key: s2\n"
        "    policies:\n"
        "      - '{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iot:Publish\",\"Resource\":\"*\"}]}'\n",
        "gw.yaml", ".");
    REQUIRE(cfg.iam.size() == 2);
    CHECK(cfg.iam[0].access_key_id == "AKIDEXAMPLE");
    CHECK(cfg.iam[0].session_token == "tok");
    CHECK(cfg.iam[0].principal == "arn:aws:iam::123456789012:user/fleet");
    CHECK(cfg.iam[0].policy_documents.size() == 1);
    CHECK(cfg.iam[1].policy_documents.size() == 1);
    CHECK(err("iam:\n  - access_key_id: A\n    secret_access_key: s\n") ==
          "gw.yaml:2: iam[0]: needs `policy` (or `policies`): the IAM policy deciding iot:Connect, iot:Publish, "
          "iot:Subscribe and iot:Receive for this key");
    CHECK(err("iam:\n  - access_key_id: A\n    policy: {}\n") == "gw.yaml:2: iam[0]: needs access_key_id and secret_access_key");
    CHECK(err("iam:\n  - {access_key_id: A, secret_access_key: s, polcy: {}}\n").find("iam[0].polcy: unknown key") !=
          std::string::npos);
    CHECK(err("iam:\n  - {access_key_id: A, secret_access_key: s, policy: {Version: '2012-10-17'}}\n")
              .rfind("gw.yaml:2: iam[0].policy: ", 0) == 0);
}

TEST_CASE("config: the MQTT 5 limits the gateway README names are settable") {
    const auto cfg = parse_gateway_config("limits:\n  topic_alias_maximum: 3\n  max_user_properties_bytes: 100\n",
                                          "gw.yaml", ".");
    CHECK(cfg.limits.topic_alias_maximum == 3);
    CHECK(cfg.limits.max_user_properties_bytes == 100);
    CHECK(err("limits:\n  topic_alias_maximum: -1\n").find("limits.topic_alias_maximum") != std::string::npos);
}
