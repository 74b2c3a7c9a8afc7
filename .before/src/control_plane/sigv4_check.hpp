#pragma once
// Verifies a control-plane request's SigV4 signature (Authorization: AWS4-HMAC-SHA256 ...)
// against the keys the gateway is configured with, the way AWS answers a bad one:
//   no Authorization header           403 MissingAuthenticationTokenException
//   an access key id not configured   403 UnrecognizedClientException
//   a signature that does not match,
//   or X-Amz-Date 15 min off          403 InvalidSignatureException
// The signature is recomputed with src/sigv4 over the request as received (the signed
// headers only, the body's SHA-256), for the region and service its credential scope names.
// Pure; thread-safe.
#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "control_plane/http_exchange.hpp"

namespace wv::control_plane {

// nullopt: the signature verifies; otherwise the response to send.
std::optional<http_response> check_sigv4(const http_request& request, const parsed_request& parsed,
                                         const std::map<std::string, std::string>& secrets_by_key_id,
                                         std::chrono::system_clock::time_point now);

}  // namespace wv::control_plane
