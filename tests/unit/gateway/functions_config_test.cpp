// The `functions:` section: each Lambda named once; authorizers, rule lambda actions and
// validate decoders refer to it by name or ARN. Unknown references name the known functions;
// old inline forms keep parsing.
#include <doctest/doctest.h>

#include <variant>

#include "gateway/config_yaml.hpp"

using namespace wv::gate;

namespace {

const std::string functions_yaml =
    "region: eu-central-1\n"
    "account: '111122223333'\n"
    "functions:\n"
    "  - name: auth\n"
    "    backend: handler\n"
    "    handler: python:auth.py\n"
    "    workers: 1\n"
    "  - name: decoder\n"
    "    backend: lambda\n"
    "    url: http://127.0.0.1:9001\n"
    "    function: my-decoder\n"
    "    timeout_ms: 1200\n";

std::string error_of(const std::string& text) {
    try {
        parse_gateway_config(text, "gw.yaml", ".");
    } catch (const config_error& e) {
        return e.what();
    }
    return "no error";
}

const char* known = "known: auth (arn:aws:lambda:eu-central-1:111122223333:function:auth), "
                    "decoder (arn:aws:lambda:eu-central-1:111122223333:function:decoder)";

}  // namespace

TEST_CASE("functions: named once, inheriting the config's region and account") {
    const auto cfg = parse_gateway_config(functions_yaml, "gw.yaml", ".");
    REQUIRE(cfg.functions.size() == 2);
    CHECK(cfg.functions[0].name == "auth");
    CHECK(cfg.functions[0].region == "eu-central-1");
    CHECK(cfg.functions[0].account == "111122223333");
    CHECK(cfg.functions[0].handler.workers == 1);
    CHECK(cfg.functions[0].timeout == std::chrono::milliseconds(3000));  // Lambda's default
    CHECK(cfg.functions[1].lambda.function == "my-decoder");
    CHECK(cfg.functions[1].timeout == std::chrono::milliseconds(1200));
}

TEST_CASE("functions: an authorizer, a rule and a decoder refer to them by name or ARN") {
    const auto cfg = parse_gateway_config(
        functions_yaml +
            "authorizers:\n"
            "  - name: by-name\n"
            "    function: auth\n"
            "  - name: by-arn\n"
            "    authorizerFunctionArn: arn:aws:lambda:eu-central-1:111122223333:function:auth\n"
            "    timeout_ms: 2000\n"
            "rules:\n"
            "  - name: r\n"
            "    sql: SELECT * FROM 'wv/#'\n"
            "    actions:\n"
            "      - lambda: {functionArn: 'arn:aws:lambda:eu-central-1:111122223333:function:decoder'}\n"
            "      - lambda: auth\n"
            "      - lambda: {functionArn: decoder, timeout_ms: 700}\n"
            "      - validate: {decoder: decoder}\n",
        "gw.yaml", ".");
    REQUIRE(cfg.authorizers.size() == 2);
    CHECK(cfg.authorizers[0].backend == backend_kind::function);
    CHECK(cfg.authorizers[0].function == "auth");
    CHECK(cfg.authorizers[1].function == "arn:aws:lambda:eu-central-1:111122223333:function:auth");
    CHECK(cfg.authorizers[1].timeout == std::chrono::milliseconds(2000));
    const auto& actions = cfg.rules.rules.at(0).actions;
    REQUIRE(actions.size() == 4);
    const auto& arn = std::get<wv::rules_engine::lambda_action_config>(actions[0]);
    CHECK(arn.ref.name_or_arn == "arn:aws:lambda:eu-central-1:111122223333:function:decoder");
    CHECK(arn.ref.timeout_from_function);
    CHECK(arn.ref.origin == "gw.yaml:23: rules[0].actions[0].lambda.functionArn");
    CHECK(std::get<wv::rules_engine::lambda_action_config>(actions[1]).ref.name_or_arn == "auth");
    const auto& timed = std::get<wv::rules_engine::lambda_action_config>(actions[2]);
    CHECK_FALSE(timed.ref.timeout_from_function);
    CHECK(timed.timeout == std::chrono::milliseconds(700));
    CHECK(std::get<wv::rules_engine::validate_action_config>(actions[3]).decoder_ref.name_or_arn == "decoder");
    // validate reads a Lambda decoder's log (output_from_log): the named function asks for it.
    CHECK(cfg.functions[1].lambda.tail_logs);
}

TEST_CASE("functions: unknown names and ARNs are refused with the known ones listed") {
    CHECK(error_of(functions_yaml + "authorizers:\n  - name: a\n    function: atuh\n") ==
          std::string("gw.yaml:15: authorizers[0].function: unknown function 'atuh'; ") + known);
    CHECK(error_of(functions_yaml +
                   "authorizers:\n  - name: a\n"
                   "    authorizerFunctionArn: arn:aws:lambda:us-east-1:111122223333:function:auth\n") ==
          "gw.yaml:15: authorizers[0].authorizerFunctionArn: function ARN "
          "'arn:aws:lambda:us-east-1:111122223333:function:auth': function 'auth' is in region eu-central-1, "
          "account 111122223333 (arn:aws:lambda:eu-central-1:111122223333:function:auth); set its region/account "
          "to the ARN's or use its ARN");
    CHECK(error_of(functions_yaml +
                   "rules:\n  - name: r\n    sql: SELECT * FROM 'a'\n    actions:\n"
                   "      - lambda: {functionArn: 'arn:aws:lambda:eu-central-1:111122223333:function:nope'}\n") ==
          "gw.yaml:17: rules[0].actions[0].lambda.functionArn: unknown function ARN "
          "'arn:aws:lambda:eu-central-1:111122223333:function:nope': no function named 'nope'; " +
              std::string(known));
    CHECK(error_of(functions_yaml +
                   "rules:\n  - name: r\n    sql: SELECT * FROM 'a'\n    actions:\n"
                   "      - validate: {decoder: decodr}\n") ==
          "gw.yaml:17: rules[0].actions[0].validate.decoder: unknown function 'decodr'; " + std::string(known));
    // No functions at all: the message says where to define one.
    CHECK(error_of("authorizers:\n  - name: a\n    function: auth\n") ==
          "gw.yaml:3: authorizers[0].function: unknown function 'auth'; known: none (add it under `functions:`)");
}

TEST_CASE("functions: mistakes in the section itself") {
    CHECK(error_of("functions:\n  - name: f\n    backend: static\n    credentials: []\n") ==
          "gw.yaml:3: functions[0].backend: a function is lambda or handler, not static (static and registry are "
          "built into authorizers: put backend: static on the authorizer itself)");
    CHECK(error_of("functions:\n  - {name: f, backend: lambda, url: 'http://h:1', function: x}\n"
                   "  - {name: f, backend: lambda, url: 'http://h:1', function: y}\n") ==
          "gw.yaml:3: functions[1].name: 'f' is defined twice");
    CHECK(error_of("functions:\n  - {name: 'a:b', backend: lambda, url: 'http://h:1', function: x}\n") ==
          "gw.yaml:2: functions[0].name: 'a:b' is not a Lambda function name (1 to 64 letters, digits, - or _)");
    CHECK(error_of("functions:\n  - {name: f, backend: lambda, url: 'http://h:1', function: x, wokers: 2}\n") ==
          "gw.yaml:2: functions[0].wokers: unknown key");
    CHECK(error_of("functions: {f: {backend: lambda}}\n") ==
          "gw.yaml:1: functions: expected a list of {name, backend: lambda | handler, ...}");
    CHECK(error_of(functions_yaml + "authorizers:\n  - name: a\n    function: auth\n"
                                    "    authorizerFunctionArn: auth\n") ==
          "gw.yaml:16: authorizers[0].authorizerFunctionArn: give the function once: function: NAME_OR_ARN or "
          "authorizerFunctionArn: ARN, not both");
    CHECK(error_of(functions_yaml + "authorizers:\n  - name: a\n    function: auth\n    credentials: []\n")
              .starts_with("gw.yaml:16: authorizers[0].credentials: unknown key"));
    // A rule's {function: X} without backend: the message says how to write it.
    CHECK(error_of(functions_yaml + "rules:\n  - name: r\n    sql: SELECT * FROM 'a'\n    actions:\n"
                                    "      - lambda: {function: decoder}\n") ==
          "gw.yaml:17: rules[0].actions[0].lambda.function: without backend: names a function of the `functions:` "
          "section; write it as functionArn: decoder (a name or arn:aws:lambda:<region>:<account>:function:<name>), "
          "or add backend: lambda and url: for an inline Lambda");
}

TEST_CASE("functions: the inline forms of before keep parsing") {
    const auto cfg = parse_gateway_config(
        "authorizers:\n"
        "  - {name: l, backend: lambda, url: 'http://127.0.0.1:9001', function: my-authorizer}\n"
        "  - {name: h, backend: handler, handler: 'python:auth.py', workers: 2}\n"
        "rules:\n"
        "  - name: r\n"
        "    sql: SELECT * FROM 'a'\n"
        "    actions:\n"
        "      - lambda: {backend: lambda, url: 'http://127.0.0.1:9001', function: decoder}\n"
        "      - lambda: 'python:decoder.py'\n"
        "      - validate: {decoder: 'python:decoder.py'}\n",
        "gw.yaml", ".");
    CHECK(cfg.functions.empty());
    CHECK(cfg.authorizers[0].backend == backend_kind::lambda);
    CHECK(cfg.authorizers[1].backend == backend_kind::handler);
    const auto& actions = cfg.rules.rules.at(0).actions;
    CHECK(std::get<wv::rules_engine::lambda_action_config>(actions[0]).ref.empty());
    CHECK(std::get<wv::rules_engine::lambda_action_config>(actions[0]).function.lambda.function == "decoder");
    CHECK(std::get<wv::rules_engine::lambda_action_config>(actions[1]).function.handler.spec.find("decoder.py") !=
          std::string::npos);
    CHECK(std::get<wv::rules_engine::validate_action_config>(actions[2]).decoder_ref.empty());
}
