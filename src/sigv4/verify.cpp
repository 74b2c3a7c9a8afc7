#include "sigv4/verify.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>

#include "sigv4/crypto.hpp"
#include "util/percent.hpp"

namespace wv::sigv4 {

const char* to_string(verify_errc e) noexcept {
    switch (e) {
        case verify_errc::none:
            return "ok";
        case verify_errc::not_signed:
            return "not_signed";
        case verify_errc::incomplete:
            return "incomplete";
        case verify_errc::wrong_scope:
            return "wrong_scope";
        case verify_errc::unknown_key:
            return "unknown_key";
        case verify_errc::bad_token:
            return "bad_token";
        case verify_errc::expired:
            return "expired";
        case verify_errc::bad_signature:
            return "bad_signature";
    }
    return "unknown";
}

namespace {

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view unsigned_payload = "UNSIGNED-PAYLOAD";

bool same_name_ci(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::optional<std::string> header_value(const header_list& h, std::string_view name) {
    for (const auto& [n, v] : h)
        if (same_name_ci(n, name)) return v;
    return std::nullopt;
}

std::optional<std::string> query_value(const header_list& q, std::string_view name) {
    for (const auto& [n, v] : q)
        if (n == name) return v;
    return std::nullopt;
}

std::vector<std::string> split_on(std::string_view s, char sep) {
    std::vector<std::string> out;
    for (;;) {
        const auto p = s.find(sep);
        out.emplace_back(s.substr(0, p));
        if (p == std::string_view::npos) return out;
        s.remove_prefix(p + 1);
    }
}

std::string trim_spaces(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return std::string(s);
}

verify_result refusal(verify_errc e, signature_claim claim, std::string message) {
    verify_result r;
    r.error = e;
    r.claim = std::move(claim);
    r.message = std::move(message);
    switch (e) {
        case verify_errc::incomplete:
            r.error_type = "IncompleteSignatureException";
            break;
        case verify_errc::unknown_key:
        case verify_errc::bad_token:
            r.error_type = "UnrecognizedClientException";
            break;
        case verify_errc::not_signed:
            r.error_type = "MissingAuthenticationTokenException";
            break;
        default:
            r.error_type = "InvalidSignatureException";
            break;
    }
    return r;
}

// "<key>/<yyyymmdd>/<region>/<service>/aws4_request" into the claim; false when malformed.
bool parse_credential(std::string_view credential, signature_claim& c) {
    const auto parts = split_on(credential, '/');
    if (parts.size() != 5 || parts[4] != "aws4_request" || parts[0].empty() || parts[1].size() != 8)
        return false;
    c.access_key_id = parts[0];
    c.scope_date = parts[1];
    c.region = parts[2];
    c.service = parts[3];
    return true;
}

// The Authorization header's "Credential=..., SignedHeaders=..., Signature=..." fields.
std::optional<std::string> auth_field(std::string_view fields, std::string_view name) {
    for (const auto& part : split_on(fields, ',')) {
        const auto t = trim_spaces(part);
        if (t.size() > name.size() && t.compare(0, name.size(), name) == 0 && t[name.size()] == '=')
            return t.substr(name.size() + 1);
    }
    return std::nullopt;
}

std::string iso_basic(std::chrono::system_clock::time_point t) {
    return amz_date(t);
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_amz_date(std::string_view d) {
    if (d.size() != 16 || d[8] != 'T' || d[15] != 'Z') return std::nullopt;
    std::tm tm{};
    auto num = [&](std::size_t at, std::size_t n, int& out) {
        const auto r = std::from_chars(d.data() + at, d.data() + at + n, out);
        return r.ec == std::errc{} && r.ptr == d.data() + at + n;
    };
    int y = 0, mo = 0, da = 0, h = 0, mi = 0, s = 0;
    if (!num(0, 4, y) || !num(4, 2, mo) || !num(6, 2, da) || !num(9, 2, h) || !num(11, 2, mi) ||
        !num(13, 2, s))
        return std::nullopt;
    if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = da;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::optional<header_list> parse_query(std::string_view target) {
    header_list out;
    const auto q = target.find('?');
    if (q == std::string_view::npos) return out;
    auto rest = target.substr(q + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const auto kv = rest.substr(0, amp);
        if (!kv.empty()) {
            const auto eq = kv.find('=');
            auto k = util::percent_decode(kv.substr(0, eq));
            auto v = eq == std::string_view::npos ? std::optional<std::string>("")
                                                  : util::percent_decode(kv.substr(eq + 1));
            if (!k || !v) return std::nullopt;
            out.emplace_back(std::move(*k), std::move(*v));
        }
        if (amp == std::string_view::npos) break;
        rest.remove_prefix(amp + 1);
    }
    return out;
}

bool carries_sigv4(const received_request& r) {
    if (r.headers)
        if (const auto a = header_value(*r.headers, "authorization"); a && a->rfind("AWS4-", 0) == 0)
            return true;
    const auto q = parse_query(r.target);
    if (!q) return false;
    return query_value(*q, "X-Amz-Algorithm") || query_value(*q, "X-Amz-Signature");
}

verify_result verify(const received_request& r, const key_lookup& keys,
                     std::chrono::system_clock::time_point now, const verify_options& o) {
    static const header_list no_headers;
    const header_list& headers = r.headers ? *r.headers : no_headers;
    signature_claim c;
    const auto query = parse_query(r.target);
    if (!query)
        return refusal(verify_errc::incomplete, c,
                       "The request's query string has a malformed percent-escape.");
    const auto authorization = header_value(headers, "authorization");
    const bool header_form = authorization && authorization->rfind("AWS4-", 0) == 0;
    c.presigned =
        !header_form && (query_value(*query, "X-Amz-Algorithm") || query_value(*query, "X-Amz-Signature"));
    if (!header_form && !c.presigned)
        return refusal(verify_errc::not_signed, c, "Missing Authentication Token");

    std::string signed_headers_text;
    if (header_form) {
        std::string_view a = *authorization;
        if (a.rfind(algorithm, 0) != 0 || a.size() == algorithm.size() || a[algorithm.size()] != ' ')
            return refusal(verify_errc::incomplete, c,
                           "Unsupported AWS 'algorithm': only AWS4-HMAC-SHA256 is accepted");
        a.remove_prefix(algorithm.size() + 1);
        const auto cred = auth_field(a, "Credential");
        const auto sh = auth_field(a, "SignedHeaders");
        const auto sig = auth_field(a, "Signature");
        std::string missing;
        if (!cred) missing += " Authorization header requires 'Credential' parameter.";
        if (!sh) missing += " Authorization header requires 'SignedHeaders' parameter.";
        if (!sig) missing += " Authorization header requires 'Signature' parameter.";
        const auto date = header_value(headers, "x-amz-date");
        if (!date)
            missing +=
                " Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.";
        if (!missing.empty())
            return refusal(verify_errc::incomplete, c,
                           missing.substr(1) + " Authorization=" + *authorization);
        if (!parse_credential(*cred, c))
            return refusal(
                verify_errc::incomplete, c,
                "Credential should be <access key id>/<yyyymmdd>/<region>/<service>/aws4_request, got " +
                    *cred);
        signed_headers_text = *sh;
        c.signature = *sig;
        c.amz_date = *date;
        c.security_token = header_value(headers, "x-amz-security-token");
    } else {
        const auto alg = query_value(*query, "X-Amz-Algorithm");
        const auto cred = query_value(*query, "X-Amz-Credential");
        const auto date = query_value(*query, "X-Amz-Date");
        const auto sh = query_value(*query, "X-Amz-SignedHeaders");
        const auto sig = query_value(*query, "X-Amz-Signature");
        if (!alg || !cred || !date || !sh || !sig)
            return refusal(verify_errc::incomplete, c,
                           "AWS query-string parameters missing: a presigned request needs X-Amz-Algorithm, "
                           "X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders and X-Amz-Signature");
        if (*alg != algorithm)
            return refusal(verify_errc::incomplete, c, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
        if (!parse_credential(*cred, c))
            return refusal(verify_errc::incomplete, c,
                           "X-Amz-Credential should be <access key "
                           "id>/<yyyymmdd>/<region>/<service>/aws4_request, got " +
                               *cred);
        signed_headers_text = *sh;
        c.signature = *sig;
        c.amz_date = *date;
        c.security_token = query_value(*query, "X-Amz-Security-Token");
        if (const auto ex = query_value(*query, "X-Amz-Expires")) {
            long long n = -1;
            const auto res = std::from_chars(ex->data(), ex->data() + ex->size(), n);
            if (res.ec != std::errc{} || res.ptr != ex->data() + ex->size() || n < 1 ||
                n > o.max_expires.count())
                return refusal(verify_errc::incomplete, c,
                               "X-Amz-Expires must be an integer from 1 to " +
                                   std::to_string(o.max_expires.count()) + " (seconds), got " + *ex);
            c.expires = std::chrono::seconds(n);
        }
    }
    const auto at = parse_amz_date(c.amz_date);
    if (!at)
        return refusal(
            verify_errc::incomplete, c,
            "X-Amz-Date must be in the ISO8601 basic format yyyyMMdd'T'HHmmss'Z', got " + c.amz_date);
    c.at = *at;
    c.signed_headers = split_on(signed_headers_text, ';');
    if (c.amz_date.compare(0, 8, c.scope_date) != 0)
        return refusal(
            verify_errc::bad_signature, c,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
                c.scope_date + "' != '" + c.amz_date.substr(0, 8) + "'");
    if (o.region && c.region != *o.region)
        return refusal(verify_errc::wrong_scope, c,
                       "Credential should be scoped to a valid region. (this endpoint's region is '" +
                           *o.region + "', got '" + c.region + "')");
    if (!o.services.empty() && std::find(o.services.begin(), o.services.end(), c.service) == o.services.end())
        return refusal(verify_errc::wrong_scope, c,
                       "Credential should be scoped to correct service: '" + o.services.front() + "'. ");

    const auto key = keys ? keys(c.access_key_id) : std::nullopt;
    if (!key)
        return refusal(verify_errc::unknown_key, c, "The security token included in the request is invalid.");
    if (!key->session_token.empty() &&
        (!c.security_token || c.security_token->size() != key->session_token.size() ||
         CRYPTO_memcmp(c.security_token->data(), key->session_token.data(), key->session_token.size()) != 0))
        return refusal(verify_errc::bad_token, c, "The security token included in the request is invalid.");

    // Time: the header form allows 15 minutes either way; a presigned request is good from
    // its date (15 minutes' skew for a clock ahead) until date + X-Amz-Expires.
    if (*at > now + o.max_skew)
        return refusal(verify_errc::expired, c,
                       "Signature not yet current: " + c.amz_date + " is still later than " +
                           iso_basic(now + o.max_skew) + " (" + iso_basic(now) + " + 15 min.)");
    if (c.presigned) {
        const auto until = *at + c.expires.value_or(o.max_skew);
        if (now > until)
            return refusal(verify_errc::expired, c,
                           "Signature expired: " + iso_basic(until) + " is now earlier than " +
                               iso_basic(now) + " (" + c.amz_date + " + " +
                               std::to_string(c.expires.value_or(o.max_skew).count()) + " s)");
    } else if (*at < now - o.max_skew) {
        return refusal(verify_errc::expired, c,
                       "Signature expired: " + c.amz_date + " is now earlier than " +
                           iso_basic(now - o.max_skew) + " (" + iso_basic(now) + " - 15 min.)");
    }

    canonical_input in;
    in.method = std::string(r.method);
    const auto qpos = r.target.find('?');
    in.path = std::string(r.target.substr(0, qpos));
    for (const auto& h : c.signed_headers) {
        bool found = false;
        for (const auto& [n, v] : headers)
            if (same_name_ci(n, h)) {
                in.headers.emplace_back(h, v);
                found = true;
            }
        if (!found)
            return refusal(verify_errc::incomplete, c,
                           "SignedHeaders names '" + h + "', which the request does not carry");
    }
    std::vector<std::string> payload_hashes;
    if (const auto content = header_value(headers, "x-amz-content-sha256");
        content && std::find(c.signed_headers.begin(), c.signed_headers.end(), "x-amz-content-sha256") !=
                       c.signed_headers.end()) {
        if (*content != unsigned_payload && *content != sha256_hex(r.body))
            return refusal(verify_errc::bad_signature, c,
                           "The provided 'x-amz-content-sha256' header does not match what was computed.");
        payload_hashes.push_back(*content);
    } else {
        payload_hashes.push_back(sha256_hex(r.body));
        if (c.presigned) payload_hashes.emplace_back(unsigned_payload);
    }
    // Query variants: everything but the signature; for presigned with a token, first without
    // the token (AWS IoT's SDKs append it after signing), then with it (botocore signs it).
    std::vector<header_list> query_variants;
    header_list base;
    for (const auto& [n, v] : *query) {
        if (c.presigned && n == "X-Amz-Signature") continue;
        if (c.presigned && n == "X-Amz-Security-Token") continue;
        base.emplace_back(n, v);
    }
    query_variants.push_back(base);
    if (c.presigned && c.security_token) {
        for (const auto& [n, v] : *query)
            if (n == "X-Amz-Security-Token") base.emplace_back(n, v);
        query_variants.push_back(std::move(base));
    }
    const signing_scope scope{.region = c.region, .service = c.service, .at = *at};
    std::string first_canonical, first_sts;
    // The path: encoded once more (the SigV4 rule for non-S3 services: botocore, aws-crt,
    // this project's signer), or as sent (curl --aws-sigv4); the same when it holds no '%'.
    const bool path_variants = in.path.find('%') != std::string::npos;
    for (const bool encode_path : {true, false})
        for (const auto& q : query_variants)
            for (const auto& ph : payload_hashes) {
                if (!encode_path && !path_variants) continue;
                in.encode_path = encode_path;
                in.query = q;
                in.payload_hash = ph;
                const auto parts = sign_canonical(in, key->secret_access_key, scope);
                if (first_canonical.empty()) {
                    first_canonical = parts.canonical_request;
                    first_sts = parts.string_to_sign;
                }
                if (parts.signature.size() == c.signature.size() &&
                    CRYPTO_memcmp(parts.signature.data(), c.signature.data(), c.signature.size()) == 0) {
                    verify_result ok;
                    ok.claim = std::move(c);
                    return ok;
                }
            }
    auto mismatch = refusal(
        verify_errc::bad_signature, c,
        "The request signature we calculated does not match the signature you provided. Check your AWS "
        "Secret Access Key and signing method. Consult the service documentation for details.");
    mismatch.canonical_request = std::move(first_canonical);
    mismatch.string_to_sign = std::move(first_sts);
    return mismatch;
}

}  // namespace wv::sigv4
