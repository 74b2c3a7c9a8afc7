#include "sigv4/sigv4.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

#include "sigv4/crypto.hpp"

namespace wv::sigv4 {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// SigV4 trims a header value and collapses inner runs of spaces to one (quotes included: the
// suite's get-header-value-trim signs "a b c" for "a   b   c").
std::string canonical_header_value(std::string_view v) {
    std::string out;
    bool in_space = false;
    for (char c : v) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            in_space = true;
            continue;
        }
        if (in_space && !out.empty()) out.push_back(' ');
        in_space = false;
        out.push_back(c);
    }
    return out;
}

bool is_unreserved(unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

}  // namespace

std::string uri_encode(std::string_view s, bool keep_slash) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if (is_unreserved(c) || (keep_slash && c == '/')) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(digits[c >> 4]);
            out.push_back(digits[c & 0x0f]);
        }
    }
    return out;
}

std::string amz_date(std::chrono::system_clock::time_point t) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[17];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

signed_parts sign_canonical(const canonical_input& in, std::string_view secret_access_key,
                            const signing_scope& scope) {
    signed_parts p;
    p.amz_date = amz_date(scope.at);
    const std::string date = p.amz_date.substr(0, 8);

    // Header names sort case-insensitively; same-name values join with ',' in request order.
    std::map<std::string, std::string> headers;
    for (const auto& [n, v] : in.headers) {
        auto [it, fresh] = headers.try_emplace(lower(n), canonical_header_value(v));
        if (!fresh) it->second += "," + canonical_header_value(v);
    }
    std::string canonical_headers;
    for (const auto& [n, v] : headers) {
        canonical_headers += n + ":" + v + "\n";
        if (!p.signed_headers.empty()) p.signed_headers += ';';
        p.signed_headers += n;
    }

    std::vector<std::pair<std::string, std::string>> query;
    query.reserve(in.query.size());
    for (const auto& [n, v] : in.query) query.emplace_back(uri_encode(n, false), uri_encode(v, false));
    std::sort(query.begin(), query.end());
    std::string canonical_query;
    for (const auto& [n, v] : query) {
        if (!canonical_query.empty()) canonical_query += '&';
        canonical_query += n + "=" + v;
    }

    // Non-S3 services sign the already-encoded path encoded once more.
    const std::string canonical_uri = in.path.empty() ? "/" : in.encode_path ? uri_encode(in.path, true) : in.path;

    p.canonical_request = in.method + "\n" + canonical_uri + "\n" + canonical_query + "\n" + canonical_headers +
                          "\n" + p.signed_headers + "\n" + in.payload_hash;

    const std::string credential_scope = date + "/" + scope.region + "/" + scope.service + "/aws4_request";
    p.string_to_sign =
        "AWS4-HMAC-SHA256\n" + p.amz_date + "\n" + credential_scope + "\n" + sha256_hex(p.canonical_request);

    std::string key = hmac_sha256("AWS4" + std::string(secret_access_key), date);
    key = hmac_sha256(key, scope.region);
    key = hmac_sha256(key, scope.service);
    key = hmac_sha256(key, "aws4_request");
    const std::string mac = hmac_sha256(key, p.string_to_sign);
    static constexpr char digits[] = "0123456789abcdef";
    for (unsigned char c : mac) {
        p.signature.push_back(digits[c >> 4]);
        p.signature.push_back(digits[c & 0x0f]);
    }
    return p;
}

signing_result sign(const http_request& req, const credentials& creds, const signing_scope& scope) {
    canonical_input in{.method = req.method, .path = req.path, .query = req.query, .headers = {},
                       .payload_hash = sha256_hex(req.body)};
    for (const auto& [n, v] : req.headers) {
        const std::string ln = lower(n);
        // The signer owns these two: a stale value from a retried request must not be signed.
        if (ln == "x-amz-date" || ln == "authorization") continue;
        if (ln == "x-amz-security-token" && !creds.session_token.empty()) continue;
        in.headers.emplace_back(n, v);
    }
    const std::string date = amz_date(scope.at);
    in.headers.emplace_back("x-amz-date", date);
    if (!creds.session_token.empty()) in.headers.emplace_back("x-amz-security-token", creds.session_token);

    signing_result r;
    r.parts = sign_canonical(in, creds.secret_access_key, scope);
    signed_parts& p = r.parts;
    const std::string credential_scope =
        date.substr(0, 8) + "/" + scope.region + "/" + scope.service + "/aws4_request";
    p.authorization = "AWS4-HMAC-SHA256 Credential=" + creds.access_key_id + "/" + credential_scope +
                      ", SignedHeaders=" + p.signed_headers + ", Signature=" + p.signature;

    r.added.emplace_back("X-Amz-Date", p.amz_date);
    if (!creds.session_token.empty()) r.added.emplace_back("X-Amz-Security-Token", creds.session_token);
    r.added.emplace_back("Authorization", p.authorization);
    return r;
}

std::string presign_target(std::string_view path, std::string_view host, const credentials& creds,
                           const signing_scope& scope, std::optional<std::chrono::seconds> expires) {
    const std::string date = amz_date(scope.at);
    const std::string credential =
        creds.access_key_id + "/" + date.substr(0, 8) + "/" + scope.region + "/" + scope.service + "/aws4_request";
    canonical_input in{.method = "GET", .path = std::string(path), .query = {}, .headers = {{"host", std::string(host)}},
                       .payload_hash = sha256_hex("")};
    in.query = {{"X-Amz-Algorithm", "AWS4-HMAC-SHA256"}, {"X-Amz-Credential", credential}, {"X-Amz-Date", date}};
    if (expires) in.query.emplace_back("X-Amz-Expires", std::to_string(expires->count()));
    in.query.emplace_back("X-Amz-SignedHeaders", "host");
    const auto parts = sign_canonical(in, creds.secret_access_key, scope);
    std::string out(path);
    char sep = '?';
    for (const auto& [n, v] : in.query) {
        out += sep + n + "=" + uri_encode(v, false);
        sep = '&';
    }
    out += "&X-Amz-Signature=" + parts.signature;
    if (!creds.session_token.empty()) out += "&X-Amz-Security-Token=" + uri_encode(creds.session_token, false);
    return out;
}

}  // namespace wv::sigv4
