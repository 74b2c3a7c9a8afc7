// SigV4 verification (src/sigv4/verify.hpp): what sign() and presign_target() produce
// verifies; every tampered part, a wrong key or token, and dates outside the window do not,
// each with AWS's error type. botocore's own signer is checked against it in the integration
// test sigv4_botocore_test.
#include <doctest/doctest.h>

#include "sigv4/sigv4.hpp"
#include "sigv4/verify.hpp"

using namespace wv::sigv4;
using namespace std::chrono_literals;

namespace {

const auto t0 = std::chrono::system_clock::from_time_t(1440938160);  // 2015-08-30T12:36:00Z

key_lookup one_key(std::string id, std::string secret, std::string token = {}) {
    return [=](std::string_view k) -> std::optional<key_secret> {
        if (k != id) return std::nullopt;
        return key_secret{secret, token};
    };
}

struct signed_request {
    std::string method, target, body;
    header_list headers;
    received_request view() const { return {method, target, &headers, body}; }
};

signed_request header_signed(const credentials& c, std::chrono::system_clock::time_point at,
                             std::string target = "/topics/a%2Fb?qos=1", std::string body = "{\"t\":1}") {
    signed_request r{
        "POST", target, body, {{"Host", "gw.example.com"}, {"Content-Type", "application/json"}}};
    const auto q = target.find('?');
    http_request h{
        .method = "POST", .path = target.substr(0, q), .query = {}, .headers = r.headers, .body = r.body};
    if (q != std::string::npos) h.query = *parse_query(target);
    for (auto& [n, v] : sign(h, c, {"us-east-1", "iotdevicegateway", at}).added) r.headers.emplace_back(n, v);
    return r;
}

const credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", "test"};
const verify_options iot{.region = "us-east-1", .services = {"iotdevicegateway"}};

}  // namespace

TEST_CASE("verify: a header-signed request verifies; the claim is parsed") {
    const auto r = header_signed(creds, t0);
    const auto v = verify(r.view(), one_key(creds.access_key_id, creds.secret_access_key), t0 + 5min, iot);
    REQUIRE_MESSAGE(v.ok(), v.message);
    CHECK_FALSE(v.claim.presigned);
    CHECK(v.claim.access_key_id == "AKIDEXAMPLE");
    CHECK(v.claim.region == "us-east-1");
    CHECK(v.claim.service == "iotdevicegateway");
    CHECK(v.claim.at == t0);
    CHECK(v.claim.signed_headers == std::vector<std::string>{"content-type", "host", "x-amz-date"});
}

TEST_CASE("verify: each tampered part fails with AWS's error") {
    const auto keys = one_key(creds.access_key_id, creds.secret_access_key);
    auto r = header_signed(creds, t0);
    r.body = "{\"t\":2}";
    CHECK(verify(r.view(), keys, t0, iot).error == verify_errc::bad_signature);
    r = header_signed(creds, t0);
    r.target = "/topics/a%2Fc?qos=1";
    CHECK(verify(r.view(), keys, t0, iot).error == verify_errc::bad_signature);
    r = header_signed(creds, t0);
    r.target = "/topics/a%2Fb?qos=0";
    CHECK(verify(r.view(), keys, t0, iot).error == verify_errc::bad_signature);
    r = header_signed(creds, t0);
    r.method = "PUT";
    CHECK(verify(r.view(), keys, t0, iot).error == verify_errc::bad_signature);
    r = header_signed(creds, t0);
    r.headers[0].second = "other.example.com";  // Host is signed
    const auto v = verify(r.view(), keys, t0, iot);
    CHECK(v.error == verify_errc::bad_signature);
    CHECK(v.error_type == "InvalidSignatureException");
    CHECK(v.message.rfind("The request signature we calculated does not match", 0) == 0);
}

TEST_CASE("verify: wrong secret, unknown key, wrong scope") {
    const auto r = header_signed(creds, t0);
    CHECK(verify(r.view(), one_key(creds.access_key_id, "other"), t0, iot).error ==
          verify_errc::bad_signature);
    const auto unknown = verify(r.view(), one_key("AKIDOTHER", creds.secret_access_key), t0, iot);
    CHECK(unknown.error == verify_errc::unknown_key);
    CHECK(unknown.error_type == "UnrecognizedClientException");
    CHECK(unknown.message == "The security token included in the request is invalid.");
    const auto region = verify(r.view(), one_key(creds.access_key_id, creds.secret_access_key), t0,
                               {.region = "eu-west-1", .services = {"iotdevicegateway"}});
    CHECK(region.error == verify_errc::wrong_scope);
    const auto service = verify(r.view(), one_key(creds.access_key_id, creds.secret_access_key), t0,
                                {.region = "us-east-1", .services = {"iot"}});
    CHECK(service.error == verify_errc::wrong_scope);
    CHECK(service.error_type == "InvalidSignatureException");
}

TEST_CASE("verify: the header form allows 15 minutes either way") {
    const auto keys = one_key(creds.access_key_id, creds.secret_access_key);
    const auto r = header_signed(creds, t0);
    CHECK(verify(r.view(), keys, t0 + 15min, iot).ok());
    CHECK(verify(r.view(), keys, t0 - 15min, iot).ok());
    const auto late = verify(r.view(), keys, t0 + 15min + 1s, iot);
    CHECK(late.error == verify_errc::expired);
    CHECK(late.error_type == "InvalidSignatureException");
    CHECK(late.message ==
          "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T125101Z - 15 "
          "min.)");
    CHECK(verify(r.view(), keys, t0 - 15min - 1s, iot).error == verify_errc::expired);
}

TEST_CASE("verify: a session-token key needs its token, signed in the header form") {
    const credentials with_token{creds.access_key_id, creds.secret_access_key, "FQoGZXIvYXdzEXAMPLE", "t"};
    const auto r = header_signed(with_token, t0);
    CHECK(verify(r.view(), one_key(creds.access_key_id, creds.secret_access_key, "FQoGZXIvYXdzEXAMPLE"), t0,
                 iot)
              .ok());
    const auto other =
        verify(r.view(), one_key(creds.access_key_id, creds.secret_access_key, "other"), t0, iot);
    CHECK(other.error == verify_errc::bad_token);
    CHECK(other.error_type == "UnrecognizedClientException");
    const auto plain = header_signed(creds, t0);  // key needs a token, request has none
    CHECK(
        verify(plain.view(), one_key(creds.access_key_id, creds.secret_access_key, "FQoG"), t0, iot).error ==
        verify_errc::bad_token);
}

TEST_CASE("verify: presigned /mqtt URL, the session token appended after signing (AWS IoT's clients)") {
    const credentials with_token{creds.access_key_id, creds.secret_access_key, "tok/en+1=", "t"};
    const auto target =
        presign_target("/mqtt", "gw.example.com", with_token, {"us-east-1", "iotdevicegateway", t0}, 3600s);
    CHECK(target.rfind(
              "/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2F"
              "iotdevicegateway%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&"
              "X-Amz-SignedHeaders=host&X-Amz-Signature=",
              0) == 0);
    CHECK(target.ends_with("&X-Amz-Security-Token=tok%2Fen%2B1%3D"));
    const header_list headers{{"Host", "gw.example.com"}, {"Upgrade", "websocket"}};
    const received_request r{"GET", target, &headers, {}};
    const auto keys = one_key(creds.access_key_id, creds.secret_access_key, "tok/en+1=");
    const auto v = verify(r, keys, t0 + 59min, iot);
    REQUIRE_MESSAGE(v.ok(), v.message);
    CHECK(v.claim.presigned);
    CHECK(v.claim.expires == 3600s);
    CHECK(v.claim.security_token == "tok/en+1=");
    CHECK(verify(r, keys, t0 + 60min + 1s, iot).error == verify_errc::expired);
    CHECK(verify(r, keys, t0 - 16min, iot).error == verify_errc::expired);  // a date in the future

    std::string tampered = target;
    tampered.replace(tampered.find("/mqtt"), 5, "/mqtx");
    CHECK(verify({"GET", tampered, &headers, {}}, keys, t0, iot).error == verify_errc::bad_signature);
    const header_list other_host{{"Host", "evil.example.com"}};
    CHECK(verify({"GET", target, &other_host, {}}, keys, t0, iot).error == verify_errc::bad_signature);
    std::string sig_changed = target;
    const auto at = sig_changed.find("X-Amz-Signature=") + 16;
    sig_changed[at] = sig_changed[at] == '0' ? '1' : '0';
    CHECK(verify({"GET", sig_changed, &headers, {}}, keys, t0, iot).error == verify_errc::bad_signature);
}

TEST_CASE("verify: presigned without X-Amz-Expires is good for 15 minutes") {
    const auto target = presign_target("/mqtt", "h", creds, {"us-east-1", "iotdevicegateway", t0});
    CHECK(target.find("X-Amz-Expires") == std::string::npos);
    const header_list headers{{"host", "h"}};
    const auto keys = one_key(creds.access_key_id, creds.secret_access_key);
    CHECK(verify({"GET", target, &headers, {}}, keys, t0 + 15min, iot).ok());
    CHECK(verify({"GET", target, &headers, {}}, keys, t0 + 15min + 1s, iot).error == verify_errc::expired);
}

TEST_CASE("verify: malformed and missing parts are IncompleteSignatureException") {
    const header_list h{{"Host", "h"}};
    const auto keys = one_key(creds.access_key_id, creds.secret_access_key);
    CHECK(verify({"GET", "/mqtt", &h, {}}, keys, t0, iot).error == verify_errc::not_signed);
    CHECK_FALSE(carries_sigv4({"GET", "/mqtt?x=1", &h, {}}));
    CHECK(carries_sigv4({"GET", "/mqtt?X-Amz-Signature=1", &h, {}}));
    const auto missing = verify({"GET", "/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256", &h, {}}, keys, t0, iot);
    CHECK(missing.error == verify_errc::incomplete);
    CHECK(missing.error_type == "IncompleteSignatureException");
    CHECK(verify({"GET",
                  "/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA1&X-Amz-Credential=a/20150830/us-east-1/s/aws4_request"
                  "&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00",
                  &h,
                  {}},
                 keys, t0, iot)
              .error == verify_errc::incomplete);
    CHECK(verify({"GET",
                  "/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=nonsense"
                  "&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00",
                  &h,
                  {}},
                 keys, t0, iot)
              .error == verify_errc::incomplete);
    CHECK(verify({"GET", "/mqtt?X-Amz-Signature=%zz", &h, {}}, keys, t0, iot).error ==
          verify_errc::incomplete);
    const header_list bad_auth{
        {"Host", "h"},
        {"Authorization",
         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iotdevicegateway/aws4_request"}};
    const auto v = verify({"GET", "/", &bad_auth, {}}, keys, t0, iot);
    CHECK(v.error == verify_errc::incomplete);
    CHECK(v.message.find("requires 'SignedHeaders'") != std::string::npos);
    CHECK(parse_amz_date("20150830T123600Z") == t0);
    CHECK_FALSE(parse_amz_date("2015-08-30T12:36:00Z"));
    CHECK_FALSE(parse_amz_date("20151330T123600Z"));
}
