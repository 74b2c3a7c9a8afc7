// Config parsing for wvauthz and the backends factory: the authorizers YAML and the devices
// file, with the file:line errors users see.
#include <doctest/doctest.h>

#include "functions/backend_spec.hpp"
#include "authorizer_clients/wvauthz/device_file.hpp"
#include "support/temp_dir.hpp"

using namespace wv;

TEST_CASE("authorizers YAML: each backend kind, inherited region, relative paths") {
    wv::test::temp_dir dir;
    const auto file = dir.write("a.yaml",
                                "region: eu-central-1\n"
                                "account: '111122223333'\n"
                                "authorizers:\n"
                                "  - name: h\n"
                                "    backend: handler\n"
                                "    handler: python:auth/lambda_function.py\n"
                                "    workers: 3\n"
                                "    environment: {region: eu-central-1, account_id: '111122223333'}\n"
                                "    things: things.csv\n"
                                "  - name: l\n"
                                "    backend: lambda\n"
                                "    url: https://lambda.eu-central-1.amazonaws.com\n"
                                "    function: auth\n"
                                "    sign: always\n"
                                "    max_connections: 8\n"
                                "  - name: s\n"
                                "    backend: static\n"
                                "    credentials:\n"
                                "      - {username: u, password: p, client_id: 'dev*', policies: ['{}']}\n"
                                "  - name: r\n"
                                "    backend: registry\n"
                                "    registry: devices.csv\n");
    const auto f = backends::load_authorizers_file(file);
    REQUIRE(f.authorizers.size() == 4);
    const auto& h = *f.find("h");
    CHECK(h.kind == backends::backend_kind::handler);
    CHECK(h.handler.spec == "python:" + (dir.path() / "auth/lambda_function.py").string() + ":lambda_handler");
    CHECK(h.handler.workers == 3);
    CHECK(h.handler.environment.at("account_id") == "111122223333");
    CHECK(h.things_file == dir.path() / "things.csv");
    CHECK(h.region == "eu-central-1");
    const auto& l = *f.find("l");
    CHECK(l.lambda.function == "auth");
    CHECK(l.lambda.sign == lambda_http::signing::always);
    CHECK(l.lambda.max_connections == 8);
    const auto& s = *f.find("s");
    REQUIRE(s.credentials.size() == 1);
    CHECK(s.credentials[0].principal_id == "u");
    CHECK(s.credentials[0].client_id_pattern == "dev*");
    CHECK(f.find("r")->registry_file == dir.path() / "devices.csv");
    CHECK(f.find("r")->registry.account == "111122223333");
}

TEST_CASE("authorizers YAML: errors name the file, line and key") {
    wv::test::temp_dir dir;
    const auto check_error = [&](const std::string& yaml, const std::string& want) {
        const auto file = dir.write("bad.yaml", yaml);
        try {
            (void)backends::load_authorizers_file(file);
            FAIL("no error for: " << yaml);
        } catch (const std::runtime_error& e) {
            CHECK_MESSAGE(std::string(e.what()) == file.string() + want, e.what());
        }
    };
    check_error("authorizers:\n  - name: a\n    backend: handler\n    handler: python:x.py\n    wokers: 2\n",
                ":5: authorizers[0].wokers: unknown key");
    check_error("authorizers:\n  - name: a\n    backend: lambada\n", ":3: authorizers[0].backend: 'lambada' is not static, registry, lambda or handler");
    check_error("authorizers:\n  - name: a\n    backend: lambda\n    url: http://x\n", ":2: authorizers[0].function: missing");
    check_error("authorizers:\n  - name: a\n    backend: handler\n    handler: python:x.py\n    workers: many\n",
                ":5: authorizers[0].workers: expected a number, got 'many'");
    check_error("authorizers:\n  - {name: a, backend: registry, registry: x.csv}\n  - {name: a, backend: registry, registry: y.csv}\n",
                ":3: authorizers[1].name: 'a' is used twice");
}

TEST_CASE("devices file: the credentials CSV with topic lists; errors") {
    auto cases = wvauthz::parse_device_file("# comment\n"
                                            "client_id,username,password,expected,publish,subscribe,server_name\n"
                                            "C1,u1,p1,allow,a/b;!c/d,e/#,host.example\n"
                                            "C2,u2,\"p,2\",deny,,\n"
                                            "C3,u2,p3,invalid_response\n",
                                            "d.csv");
    REQUIRE(cases.size() == 3);
    CHECK(cases[0].line == 3);
    CHECK(cases[0].device.client_id == "C1");
    CHECK(cases[0].device.server_name == "host.example");
    CHECK(cases[0].publish_allowed == std::vector<std::string>{"a/b"});
    CHECK(cases[0].publish_denied == std::vector<std::string>{"c/d"});
    CHECK(cases[0].subscribe_allowed == std::vector<std::string>{"e/#"});
    CHECK(cases[0].expected == wv::auth::expected_outcome::allow);
    CHECK(cases[1].device.password == "p,2");
    CHECK(cases[1].expected == wv::auth::expected_outcome::deny);
    CHECK(cases[2].expected == wv::auth::expected_outcome::invalid_response);

    CHECK_THROWS_WITH_AS(wvauthz::parse_device_file("username,password,client_id,expected\nu,p,c,maybe\n", "d.csv"),
                         "d.csv:2: expected must be allow, deny, invalid_response or empty, not 'maybe'", std::runtime_error);
    CHECK_THROWS_WITH_AS(wvauthz::parse_device_file("username,password,expected\n", "d.csv"),
                         "d.csv:1: the header has no 'akid' column (required: akid or client_id, username, password)",
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(wvauthz::parse_device_file("akid,username,password\nA,u,p\n", "d.csv"),
                         "d.csv: no 'expected' column: wvauthz test needs one (allow, deny or invalid_response)",
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(wvauthz::parse_device_file("akid,username,password,expected\nA,u,p,\n", "d.csv"),
                         "d.csv:2: expected is empty; wvauthz test needs allow, deny or invalid_response", std::runtime_error);
    // bench needs no expectations; a sha256 password cannot be sent
    CHECK(wvauthz::parse_device_file("akid,username,password\nA,u,p\n", "d.csv", false).size() == 1);
    CHECK_THROWS_WITH_AS(wvauthz::parse_device_file("akid,username,password\nA,u,sha256:00\n", "d.csv", false),
                         "d.csv:2: a sha256: password cannot be sent to an authorizer; give the password itself",
                         std::runtime_error);

    // The registry backend's file and wvsim's file are the same format.
    cases = wvauthz::parse_device_file("akid,username,password,authorizer,expected\n2453AC035CBCBC9A,dev1,s3cret,wavelet,allow\n", "r.csv");
    REQUIRE(cases.size() == 1);
    CHECK(cases[0].device.client_id == "2453AC035CBCBC9A");
    CHECK(cases[0].device.username == "dev1");
}
