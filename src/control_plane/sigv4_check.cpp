#include "control_plane/sigv4_check.hpp"

#include "sigv4/verify.hpp"

namespace wv::control_plane {

std::optional<http_response> check_sigv4(const http_request& request, const parsed_request& parsed,
                                         const std::map<std::string, std::string>& secrets_by_key_id,
                                         std::chrono::system_clock::time_point now) {
    (void)parsed;
    sigv4::header_list headers(request.headers.begin(), request.headers.end());
    const sigv4::received_request r{.method = request.method, .target = request.target, .headers = &headers,
                                    .body = request.body};
    // The control plane signs with the Authorization header only (AWS's CLI and SDKs do).
    const auto auth = request.headers.find("authorization");
    if (auth == request.headers.end())
        return http_response{403, nlohmann::json{{"message", "Missing Authentication Token"}}.dump(),
                             "MissingAuthenticationTokenException"};
    const auto v = sigv4::verify(
        r,
        [&](std::string_view id) -> std::optional<sigv4::key_secret> {
            const auto it = secrets_by_key_id.find(std::string(id));
            if (it == secrets_by_key_id.end()) return std::nullopt;
            return sigv4::key_secret{.secret_access_key = it->second, .session_token = {}};
        },
        now);
    if (v.ok()) return std::nullopt;
    return http_response{403, nlohmann::json{{"message", v.message}}.dump(), v.error_type};
}

}  // namespace wv::control_plane
