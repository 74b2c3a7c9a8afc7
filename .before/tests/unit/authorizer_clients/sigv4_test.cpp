// SigV4 against AWS's published signing test suite (aws-sig-v4-test-suite): credentials
// AKIDEXAMPLE, region us-east-1, service "service", 2015-08-30T12:36:00Z. Each case checks the
// canonical request, the string to sign and the signature exactly as the suite's
// .creq/.sts/.authz files give them.
#include <doctest/doctest.h>

#include <sstream>

#include "sigv4/crypto.hpp"
#include "sigv4/sigv4.hpp"
#include "support/temp_dir.hpp"

using namespace wv::sigv4;

namespace {

const credentials suite_creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", "test"};

signing_scope suite_scope() {
    // 2015-08-30T12:36:00Z
    return {"us-east-1", "service", std::chrono::system_clock::from_time_t(1440938160)};
}

std::string suite_authz(std::string_view signed_headers, std::string_view sig) {
    return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=" +
           std::string(signed_headers) + ", Signature=" + std::string(sig);
}

}  // namespace

TEST_CASE("primitives: SHA-256 and HMAC-SHA256 (RFC 4231 case 2)") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    std::string mac = hmac_sha256("Jefe", "what do ya want for nothing?");
    std::string hex;
    for (unsigned char c : mac) {
        static constexpr char d[] = "0123456789abcdef";
        hex += d[c >> 4];
        hex += d[c & 15];
    }
    CHECK(hex == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("get-vanilla") {
    const auto r = sign({.method = "GET", .path = "/", .headers = {{"Host", "example.amazonaws.com"}}}, suite_creds,
                        suite_scope());
    CHECK(r.parts.canonical_request ==
          "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(r.parts.string_to_sign ==
          "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
          "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
    CHECK(r.parts.signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    CHECK(r.parts.authorization ==
          suite_authz("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
    REQUIRE(r.added.size() == 2);  // no session token: no X-Amz-Security-Token
    CHECK(r.added[0] == std::pair<std::string, std::string>{"X-Amz-Date", "20150830T123600Z"});
    CHECK(r.added[1].first == "Authorization");
}

TEST_CASE("get-vanilla-query-order-key-case: query sorted by encoded name") {
    const auto r = sign({.method = "GET",
                         .path = "/",
                         .query = {{"Param2", "value2"}, {"Param1", "value1"}},
                         .headers = {{"Host", "example.amazonaws.com"}}},
                        suite_creds, suite_scope());
    CHECK(r.parts.canonical_request ==
          "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
          "host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(r.parts.string_to_sign ==
          "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
          "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0");
    CHECK(r.parts.signature == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST_CASE("post-vanilla") {
    const auto r = sign({.method = "POST", .path = "/", .headers = {{"Host", "example.amazonaws.com"}}}, suite_creds,
                        suite_scope());
    CHECK(r.parts.signature == "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
}

TEST_CASE("post-x-www-form-urlencoded: the body's hash is signed") {
    const auto r = sign({.method = "POST",
                         .path = "/",
                         .headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                                     {"Host", "example.amazonaws.com"}},
                         .body = "Param1=value1"},
                        suite_creds, suite_scope());
    CHECK(r.parts.canonical_request ==
          "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n"
          "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
          "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
    CHECK(r.parts.authorization ==
          suite_authz("content-type;host;x-amz-date",
                      "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));
}

TEST_CASE("post-header-value-case: values keep their case, names are lowered") {
    const auto r = sign({.method = "POST",
                         .path = "/",
                         .headers = {{"Host", "example.amazonaws.com"}, {"My-Header1", "VALUE1"}}},
                        suite_creds, suite_scope());
    CHECK(r.parts.signed_headers == "host;my-header1;x-amz-date");
    CHECK(r.parts.signature == "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d");
}

TEST_CASE("get-header-value-trim: trimmed, inner runs of spaces collapsed") {
    const auto r = sign({.method = "GET",
                         .path = "/",
                         .headers = {{"Host", "example.amazonaws.com"},
                                     {"My-Header1", " value1"},
                                     {"My-Header2", "\"a   b   c\""}}},
                        suite_creds, suite_scope());
    CHECK(r.parts.canonical_request.find("my-header1:value1\nmy-header2:\"a b c\"\n") != std::string::npos);
    CHECK(r.parts.signature == "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736");
}

TEST_CASE("get-vanilla-with-session-token: the token is signed and sent") {
    credentials c = suite_creds;
    c.session_token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
    const auto r = sign({.method = "GET", .path = "/", .headers = {{"Host", "example.amazonaws.com"}}}, c,
                        suite_scope());
    CHECK(r.parts.signed_headers == "host;x-amz-date;x-amz-security-token");
    CHECK(r.parts.signature == "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8");
    REQUIRE(r.added.size() == 3);
    CHECK(r.added[1] == std::pair<std::string, std::string>{"X-Amz-Security-Token", c.session_token});
}

TEST_CASE("Lambda paths: an encoded ARN is encoded again in the canonical URI") {
    const auto r = sign({.method = "POST",
                         .path = "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-central-1%3A1%3Afunction%3Aauth/invocations",
                         .headers = {{"Host", "lambda.eu-central-1.amazonaws.com"}}},
                        suite_creds, suite_scope());
    CHECK(r.parts.canonical_request.rfind(
              "POST\n/2015-03-31/functions/arn%253Aaws%253Alambda%253Aeu-central-1%253A1%253Afunction%253Aauth/"
              "invocations\n\n",
              0) == 0);
}

TEST_CASE("uri_encode") {
    CHECK(uri_encode("-._~AZaz09", false) == "-._~AZaz09");
    CHECK(uri_encode("a b/c=d+é", false) == "a%20b%2Fc%3Dd%2B%C3%A9");
    CHECK(uri_encode("/a b/", true) == "/a%20b/");
}

TEST_CASE("shared credentials file: profiles, comments, missing keys") {
    const std::string text =
        "# comment\n[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key=s1\n\n"
        "[profile lab]\naws_access_key_id=AKIALAB\n aws_secret_access_key = s2 \naws_session_token=SeSsIoN\n"
        "[half]\naws_access_key_id=AKIAHALF\n";
    auto d = parse_credentials_file(text, "default", "f");
    REQUIRE(d);
    CHECK(d->access_key_id == "AKIADEFAULT");
    CHECK(d->secret_access_key == "s1");
    CHECK(d->session_token.empty());
    auto lab = parse_credentials_file(text, "lab", "f");
    REQUIRE(lab);
    CHECK(lab->secret_access_key == "s2");
    CHECK(lab->session_token == "SeSsIoN");
    CHECK_FALSE(parse_credentials_file(text, "half", "f"));
    CHECK_FALSE(parse_credentials_file(text, "absent", "f"));

    std::ostringstream os;
    os << *lab;
    CHECK(os.str().find("s2") == std::string::npos);  // secrets never printed
    CHECK(os.str().find("SeSsIoN") == std::string::npos);
}

TEST_CASE("load_credentials: an explicit profile reads the file; a missing one names where it looked") {
    wv::test::temp_dir dir;
    const auto file = dir.write("credentials", "[lab]\naws_access_key_id=AKIALAB\naws_secret_access_key=s\n");
    const auto c = load_credentials({.profile = "lab", .shared_file = file});
    CHECK(c.access_key_id == "AKIALAB");
    try {
        (void)load_credentials({.profile = "nope", .shared_file = file});
        FAIL("expected an error");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find("[nope]") != std::string::npos);
    }
}
