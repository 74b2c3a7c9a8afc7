#include "control_plane/sigv4_check.hpp"

#include <openssl/crypto.h>

#include <ctime>

#include "sigv4/sigv4.hpp"

namespace wv::control_plane {
namespace {

http_response denied(const char* type, std::string message) {
    return {403, nlohmann::json{{"message", std::move(message)}}.dump(), type};
}

// "k=v, k2=v2" after the algorithm name.
std::map<std::string, std::string> auth_fields(std::string_view s) {
    std::map<std::string, std::string> out;
    while (!s.empty()) {
        const auto comma = s.find(',');
        auto part = s.substr(0, comma);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        const auto eq = part.find('=');
        if (eq != std::string_view::npos) out[std::string(part.substr(0, eq))] = std::string(part.substr(eq + 1));
        if (comma == std::string_view::npos) break;
        s.remove_prefix(comma + 1);
    }
    return out;
}

std::optional<std::chrono::system_clock::time_point> parse_amz_date(const std::string& d) {
    std::tm tm{};
    if (d.size() != 16 || !strptime(d.c_str(), "%Y%m%dT%H%M%SZ", &tm)) return std::nullopt;
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const auto p = s.find(sep, start);
        out.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
        if (p == std::string::npos) return out;
        start = p + 1;
    }
}

}  // namespace

std::optional<http_response> check_sigv4(const http_request& request, const parsed_request& parsed,
                                         const std::map<std::string, std::string>& secrets_by_key_id,
                                         std::chrono::system_clock::time_point now) {
    const auto auth = parsed.header("authorization");
    constexpr std::string_view algorithm = "AWS4-HMAC-SHA256 ";
    if (!auth) return denied("MissingAuthenticationTokenException", "Missing Authentication Token");
    if (auth->rfind(algorithm, 0) != 0)
        return denied("IncompleteSignatureException", "Authorization must use AWS4-HMAC-SHA256");
    const auto f = auth_fields(std::string_view(*auth).substr(algorithm.size()));
    const auto cred = f.find("Credential"), signed_headers = f.find("SignedHeaders"), sig = f.find("Signature");
    if (cred == f.end() || signed_headers == f.end() || sig == f.end())
        return denied("IncompleteSignatureException", "Authorization lacks Credential, SignedHeaders or Signature");
    const auto scope = split(cred->second, '/');  // AKID/20260101/region/service/aws4_request
    if (scope.size() != 5 || scope[4] != "aws4_request")
        return denied("IncompleteSignatureException", "Credential must be <key id>/<date>/<region>/<service>/aws4_request");
    const auto secret = secrets_by_key_id.find(scope[0]);
    if (secret == secrets_by_key_id.end())
        return denied("UnrecognizedClientException", "The security token included in the request is invalid.");
    const auto date = parsed.header("x-amz-date");
    const auto at = date ? parse_amz_date(*date) : std::nullopt;
    if (!at) return denied("IncompleteSignatureException", "X-Amz-Date is missing or not YYYYMMDDTHHMMSSZ");
    if (*at < now - std::chrono::minutes(15) || *at > now + std::chrono::minutes(15))
        return denied("InvalidSignatureException", "Signature expired: " + *date + " is more than 15 minutes from now");

    sigv4::http_request r;
    r.method = request.method;
    const auto q = request.target.find('?');
    r.path = request.target.substr(0, q);
    for (const auto& [k, v] : parsed.query) r.query.emplace_back(k, v);
    bool has_token = false;
    for (const auto& h : split(signed_headers->second, ';')) {
        if (h == "x-amz-date") continue;  // sign() adds it from `at`
        if (h == "x-amz-security-token") {
            has_token = true;
            continue;
        }
        if (const auto v = parsed.header(h)) r.headers.emplace_back(h, *v);
    }
    r.body = request.body;
    sigv4::credentials c{.access_key_id = scope[0], .secret_access_key = secret->second,
                         .session_token = has_token ? parsed.header("x-amz-security-token").value_or("") : "",
                         .source = "control plane"};
    const auto expected = sigv4::sign(r, c, {.region = scope[2], .service = scope[3], .at = *at});
    const auto& want = expected.parts.signature;
    const bool same = want.size() == sig->second.size() && CRYPTO_memcmp(want.data(), sig->second.data(), want.size()) == 0 &&
                      expected.parts.signed_headers == signed_headers->second;
    if (!same)
        return denied("InvalidSignatureException",
                      "The request signature we calculated does not match the signature you provided. Check your AWS "
                      "Secret Access Key and signing method.");
    return std::nullopt;
}

}  // namespace wv::control_plane
