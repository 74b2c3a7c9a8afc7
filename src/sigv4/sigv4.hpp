#pragma once
// AWS Signature Version 4 (header signing), as AWS documents it and as its published test
// suite (aws-sig-v4-test-suite) checks it: canonical request -> string to sign -> signing key
// -> signature -> Authorization header.
//
// Scope: the non-S3 rules used by Lambda and IoT: the path is URI-encoded once more for the
// canonical request (so a function ARN sent as `arn%3Aaws...` is signed as `arn%253Aaws...`),
// the payload hash is SHA-256 of the body, no x-amz-content-sha256 header. Path segments
// "." and ".." are not normalised (Lambda and IoT paths never carry them).
//
// Pure functions, thread-safe. Nothing here reads the environment or the clock: the caller
// passes credentials (see credentials.hpp) and the signing time.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sigv4/credentials.hpp"

namespace wv::sigv4 {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_request {
    std::string method = "GET";
    std::string path = "/";   // as sent on the wire: already percent-encoded, without the query
    header_list query{};      // decoded name/value pairs; encoded and sorted by the signer
    header_list headers{};    // must include Host; any case, duplicates allowed
    std::string_view body{};
};

struct signing_scope {
    std::string region;       // e.g. "eu-central-1"
    std::string service;      // e.g. "lambda", "iot", "execute-api"
    std::chrono::system_clock::time_point at;
};

// Every intermediate, so tests can compare each stage with AWS's published files.
struct signed_parts {
    std::string amz_date;          // 20150830T123600Z
    std::string canonical_request;
    std::string string_to_sign;
    std::string signed_headers;    // host;x-amz-date
    std::string signature;         // 64 hex digits
    std::string authorization;     // the Authorization header value
};

// Signs `req` as if it also carried X-Amz-Date (and X-Amz-Security-Token when the credentials
// have a session token). The caller must send those headers with the values in `added`.
struct signing_result {
    signed_parts parts;
    header_list added;  // X-Amz-Date, X-Amz-Security-Token?, Authorization: add these to the request
};
signing_result sign(const http_request& req, const credentials& creds, const signing_scope& scope);

// The core sign() and verify() (verify.hpp) share: the canonical request of exactly these
// parts, the string to sign and the signature. `headers` are the headers to sign (names in
// any case; same-name values join with ','), `payload_hash` the canonical request's last line
// (SHA-256 hex of the body, or "UNSIGNED-PAYLOAD"). Fills every field of signed_parts but
// `authorization`.
struct canonical_input {
    std::string method = "GET";
    std::string path = "/";     // as sent on the wire (percent-encoded), without the query
    header_list query{};        // decoded name/value pairs: encoded and sorted here
    header_list headers{};
    std::string payload_hash{};
    // Non-S3 rule: the wire path is URI-encoded once more. false: signed as sent (what curl's
    // --aws-sigv4 does; verify() accepts both, see verify.hpp).
    bool encode_path = true;
};
signed_parts sign_canonical(const canonical_input& in, std::string_view secret_access_key,
                            const signing_scope& scope);

// A presigned request-target the way AWS IoT's clients build the MQTT-over-WebSocket URL
// (aws-crt, the IoT developer guide's sample): `<path>?X-Amz-Algorithm=AWS4-HMAC-SHA256&
// X-Amz-Credential=...&X-Amz-Date=...[&X-Amz-Expires=N]&X-Amz-SignedHeaders=host&X-Amz-Signature=...`,
// signing the Host header only and the empty body's SHA-256; a session token is appended
// AFTER signing as `&X-Amz-Security-Token=...` (unsigned), as those clients do.
std::string presign_target(std::string_view path, std::string_view host, const credentials& creds,
                           const signing_scope& scope, std::optional<std::chrono::seconds> expires = std::nullopt);

// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters (A-Z a-z 0-9 - . _ ~)
// stay, everything else becomes %XX with upper-case hex; '/' stays when keep_slash.
std::string uri_encode(std::string_view s, bool keep_slash);

// "20150830T123600Z" for a time point (UTC).
std::string amz_date(std::chrono::system_clock::time_point t);

}  // namespace wv::sigv4
