#include <doctest/doctest.h>

#include <set>

#include "identity.hpp"
#include "shard.hpp"

using namespace wv::sim;

TEST_CASE("default AKIDs look real, repeat with the seed, and never collide") {
    CHECK(default_akid(1, 0) == default_akid(1, 0));
    CHECK(default_akid(1, 0) != default_akid(2, 0));
    std::set<std::string> seen;
    for (std::uint32_t i = 0; i < 20'000; ++i) {
        const auto a = default_akid(7, i);
        REQUIRE(a.size() == 16);
        for (char c : a) CHECK_MESSAGE(((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')), a);
        seen.insert(a);
    }
    CHECK(seen.size() == 20'000);
    const auto s = default_secret(1, 5);
    CHECK(s.size() == 20);
    CHECK(s != default_secret(1, 6));
}

TEST_CASE("templates expand {n}, {n:W}, {akid}, {secret}, {seed} and literal braces") {
    field_template t("dev-{n:5}-{akid}-{seed}-{{x}}", "--username");
    CHECK(t.expand(42, "ABC", "s3cr3t", 9) == "dev-00042-ABC-9-{x}");
    CHECK(field_template("{n}", "x").expand(123456, "", "", 0) == "123456");
    CHECK(field_template("{n:2}", "x").expand(123, "", "", 0) == "123");
    CHECK(field_template("{secret}", "x").expand(1, "", "pw", 0) == "pw");
}

TEST_CASE("bad templates name the flag and the problem") {
    CHECK_THROWS_WITH_AS(field_template("AKID{m}", "--akid"),
                         doctest::Contains("--akid template 'AKID{m}': unknown placeholder {m}"), config_error);
    CHECK_THROWS_WITH_AS(field_template("AKID{n", "--akid"), doctest::Contains("unbalanced '{'"), config_error);
    CHECK_THROWS_WITH_AS(field_template("AKID}", "--akid"), doctest::Contains("unbalanced '}'"), config_error);
    CHECK_THROWS_WITH_AS(field_template("{n:0}", "--akid"), doctest::Contains("bad width"), config_error);
    CHECK_THROWS_AS(identity_generator(identity_templates{.akid = "{akid}"}), config_error);
}

TEST_CASE("generated identities: wire user name carries the authorizer query") {
    identity_generator g(identity_templates{.akid = "AKID{n}", .username = "user-{n}", .password = "pw{n}",
                                            .authorizer = "my-auth", .seed = 1});
    const auto d = g.make(3);
    CHECK(d.akid == "AKID3");
    CHECK(d.wire_username() == "user-3?x-amz-customauthorizer-name=my-auth");
    CHECK(d.password == "pw3");
    identity_generator plain(identity_templates{.username = "u", .authorizer = ""});
    CHECK(plain.make(0).wire_username() == "u");
    CHECK(plain.make(0).akid == default_akid(1, 0));
}

TEST_CASE("credentials CSV: header, comments, quoting, expectations") {
    const auto ids = parse_credentials("akid,username,password,authorizer,expected\n"
                                       "# a comment\n"
                                       "\n"
                                       "A1,u1,p1,auth,allow\n"
                                       "A2,\"u,2\",\"p\"\"2\",auth,deny\n"
                                       "A3,u3,p3\r\n",
                                       "devices.csv");
    REQUIRE(ids.size() == 3);
    CHECK(ids[0].expected == expectation::allow);
    CHECK(ids[1].username == "u,2");
    CHECK(ids[1].password == "p\"2");
    CHECK(ids[1].expected == expectation::deny);
    CHECK(ids[2].authorizer.empty());
    CHECK(ids[2].expected == expectation::none);
    CHECK(ids[2].index == 2);
}

TEST_CASE("credentials CSV: the one format (config/credentials.md); a registry file is not read as authorizer names") {
    // The registry's columns (no authorizer): expected is expected, not an authorizer name.
    const auto ids = parse_credentials("client_id,username,password,expected,policy_template\n"
                                       "A1,TestUserName,p1,allow,default\n"
                                       "A2,TestUserName,p2,deny,\n"
                                       "A3,TestUserName,p3,invalid_response,\n",
                                       "registry.csv");
    REQUIRE(ids.size() == 3);
    CHECK(ids[0].akid == "A1");
    CHECK(ids[0].authorizer.empty());
    CHECK(ids[0].wire_username() == "TestUserName");
    CHECK(ids[0].expected == expectation::allow);
    CHECK(ids[1].expected == expectation::deny);
    CHECK(ids[2].expected == expectation::deny);  // refused either way, as the device sees it
}

TEST_CASE("credentials CSV errors name file and line") {
    CHECK_THROWS_WITH_AS(parse_credentials("A1,u1,p1\nA2,u2\n", "d.csv"),
                         doctest::Contains("d.csv:1: the first line must be a header naming the columns"), config_error);
    const std::string h = "akid,username,password,authorizer,expected\n";
    CHECK_THROWS_WITH_AS(parse_credentials(h + "A1,u1,p1,a,maybe\n", "d.csv"),
                         "d.csv:2: expected must be allow, deny, invalid_response or empty, not 'maybe'", config_error);
    CHECK_THROWS_WITH_AS(parse_credentials(h + "A1,\"u1,p1\n", "d.csv"), "d.csv:2: unterminated double quote", config_error);
    CHECK_THROWS_WITH_AS(parse_credentials(h + "\n,u,p\n", "d.csv"), "d.csv:3: akid (client id) is empty", config_error);
    CHECK_THROWS_WITH_AS(parse_credentials(h + "A1,u,sha256:00\n", "d.csv"),
                         "d.csv:2: a sha256: password is for the registry backend; a device needs the password itself",
                         config_error);
    CHECK_THROWS_AS(load_credentials("/nonexistent/devices.csv"), config_error);
}

TEST_CASE("warnings: firmware field limits, empty passwords, principalId-unsafe client ids") {
    std::vector<device_identity> ids(3);
    ids[0] = {0, "GOOD1", "u", "p", "auth", expectation::none};
    ids[1] = {1, "bad-id", std::string(90, 'u'), std::string(26, 'p'), "auth", expectation::none};
    ids[2] = {2, "GOOD2", "u", "", "", expectation::none};
    const auto w = identity_warnings(ids);
    REQUIRE(w.size() == 4);
    CHECK(w[0].find("longer than 100") != std::string::npos);
    CHECK(w[0].find("bad-id") != std::string::npos);
    CHECK(w[1].find("longer than 25") != std::string::npos);
    CHECK(w[2].find("empty password") != std::string::npos);
    CHECK(w[3].find("[a-zA-Z0-9]") != std::string::npos);
    CHECK(identity_warnings({ids[0]}).empty());
}

TEST_CASE("shards split the index space without gaps or overlap") {
    CHECK(parse_shard("0/1").count == 1);
    const auto s = parse_shard("2/4");
    CHECK(s.index == 2);
    CHECK(s.count == 4);
    std::uint32_t covered = 0;
    for (std::uint32_t i = 0; i < 7; ++i) {
        const shard p{i, 7};
        CHECK(p.first(1000) == covered);
        covered = p.last(1000);
    }
    CHECK(covered == 1000);
    for (const char* bad : {"4/4", "1", "a/2", "1/0", "/2", "1/", "-1/2", "1/2x"})
        CHECK_THROWS_AS(parse_shard(bad), config_error);
}
