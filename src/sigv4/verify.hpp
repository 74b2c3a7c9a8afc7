#pragma once
// Verifying a SigV4-signed request the way an AWS front door does, in both forms:
//
//   header     Authorization: AWS4-HMAC-SHA256 Credential=<key>/<yyyymmdd>/<region>/<service>/aws4_request,
//                             SignedHeaders=host;x-amz-date, Signature=<64 hex>
//              + X-Amz-Date (+ X-Amz-Security-Token). The payload hash is the body's SHA-256, or
//              the value of a signed x-amz-content-sha256 header (e.g. UNSIGNED-PAYLOAD).
//   presigned  ?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=...&X-Amz-Date=...
//              [&X-Amz-Expires=N]&X-Amz-SignedHeaders=host&X-Amz-Signature=...
//              [&X-Amz-Security-Token=...]. Every query parameter but X-Amz-Signature is signed,
//              except X-Amz-Security-Token, which AWS IoT's SDKs append AFTER signing (aws-crt,
//              the IoT docs' Python sample); a token inside the signature (botocore's
//              presign) verifies too. The payload hash is SHA-256 of the (empty) body, or
//              UNSIGNED-PAYLOAD.
//
// The path is canonicalised as SigV4 says for non-S3 services (the wire path URI-encoded once
// more: botocore, aws-crt) or as sent (curl --aws-sigv4 7.88); both name the same resource.
// The signature is recomputed with sign_canonical() (sigv4.hpp: one implementation for signing
// and checking) and compared in constant time. Answers, with AWS's error types and messages:
//   not_signed      the request carries neither form (the caller tries something else)
//   incomplete      403 IncompleteSignatureException  a part is missing or malformed
//   wrong_scope     403 InvalidSignatureException     region/service not the endpoint's
//   unknown_key     403 UnrecognizedClientException   no such access key id
//   bad_token       403 UnrecognizedClientException   the key needs a session token that is
//                                                     missing or different
//   expired         403 InvalidSignatureException     header form: X-Amz-Date more than 15 min
//                   from now; presigned: now past X-Amz-Date + X-Amz-Expires, or the date more
//                   than 15 min in the future
//   bad_signature   403 InvalidSignatureException     the signature does not match
//
// Pure (the caller passes `now` and the key lookup); thread-safe.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sigv4/sigv4.hpp"

namespace wv::sigv4 {

enum class verify_errc {
    none,
    not_signed,
    incomplete,
    wrong_scope,
    unknown_key,
    bad_token,
    expired,
    bad_signature
};
const char* to_string(verify_errc e) noexcept;

struct received_request {
    std::string_view method{};
    std::string_view target{};             // request-target as received: path?query
    const header_list* headers = nullptr;  // as received (names in any case)
    std::string_view body{};
};

// What the request says about its signature.
struct signature_claim {
    bool presigned = false;
    std::string access_key_id{};
    std::string scope_date{};  // yyyymmdd of the credential scope
    std::string region{};
    std::string service{};
    std::string amz_date{};                      // X-Amz-Date as sent
    std::chrono::system_clock::time_point at{};  // X-Amz-Date parsed
    std::vector<std::string> signed_headers{};
    std::string signature{};
    std::optional<std::string> security_token{};
    std::optional<std::chrono::seconds> expires{};  // presigned X-Amz-Expires
};

// A configured key: its secret, and the session token requests must carry (empty: none).
struct key_secret {
    std::string secret_access_key{};
    std::string session_token{};
};
using key_lookup = std::function<std::optional<key_secret>(std::string_view access_key_id)>;

struct verify_options {
    std::optional<std::string> region{};   // the scope must name this region (nullopt: any)
    std::vector<std::string> services{};   // and one of these services (empty: any)
    std::chrono::seconds max_skew{15 * 60};
    std::chrono::seconds max_expires{7 * 24 * 3600};  // AWS's presigned URL limit (604,800 s)
};

struct verify_result {
    verify_errc error = verify_errc::none;
    std::string error_type{};  // x-amzn-ErrorType, e.g. "InvalidSignatureException"
    std::string message{};     // AWS's message text for the body
    signature_claim claim{};   // what was parsed (partly filled on `incomplete`)
    // bad_signature: the canonical request and string to sign we computed (the first variant),
    // as AWS prints them for a mismatch: compare with the client's to find the difference.
    std::string canonical_request{};
    std::string string_to_sign{};
    bool ok() const { return error == verify_errc::none; }
};

// True when the request carries SigV4 in either form (an X-Amz-Algorithm or X-Amz-Signature
// query parameter, or an Authorization header starting with "AWS4-").
bool carries_sigv4(const received_request& r);

verify_result verify(const received_request& r, const key_lookup& keys,
                     std::chrono::system_clock::time_point now, const verify_options& o = {});

// Parses "20150830T123600Z" (UTC); nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_amz_date(std::string_view s);

// The raw query of a request-target split into decoded name/value pairs, in order; nullopt
// on a malformed percent-escape. A bare `name` gives an empty value.
std::optional<header_list> parse_query(std::string_view target);

}  // namespace wv::sigv4
