#include "auth/http_authentication.hpp"

#include "sigv4/verify.hpp"

namespace wv::auth {

const char* to_string(http_transport t) noexcept {
    return t == http_transport::wss ? "wss" : "http";
}

namespace {

// AWS IoT's data-plane signing names: iotdevicegateway (MQTT over WebSocket, aws-crt and the
// developer guide), iotdata (the iot-data API's, botocore's HTTPS Publish).
const std::vector<std::string>& sigv4_services() {
    static const std::vector<std::string> names{"iotdevicegateway", "iotdata"};
    return names;
}

http_refusal unauthorized(std::string message, std::string detail) {
    return {.status = 401,
            .error_type = "UnauthorizedException",
            .message = std::move(message),
            .detail = std::move(detail)};
}

}  // namespace

http_request_info request_info_of(const http_auth_request& r) {
    const auto q = r.target.find('?');
    return {.headers = r.headers, .query_string = q == std::string::npos ? std::string() : r.target.substr(q)};
}

http_refusal refusal_for(const custom_auth_verdict& v) {
    const auto& r = v.result;
    std::string why = std::string(to_string(r.outcome)) + (r.reason.empty() ? "" : ": " + r.reason);
    return unauthorized("Unauthorized: the custom authorizer did not allow the request (" +
                            std::string(to_string(r.outcome)) + ")",
                        "authorizer " + v.authorizer + ": " + why);
}

const custom_auth_verdict* http_verdict_cache::find(const std::string& authorizer,
                                                    const std::optional<std::string>& token,
                                                    std::chrono::system_clock::time_point now) const {
    for (const auto& e : entries_)
        if (e.authorizer == authorizer && e.token == token) return now < e.until ? &e.verdict : nullptr;
    return nullptr;
}

void http_verdict_cache::remember(const custom_auth_verdict& v, const std::optional<std::string>& token,
                                  std::chrono::system_clock::time_point now) {
    const auto until = now + std::chrono::seconds(v.result.verdict.response.refresh_after_s);
    for (auto& e : entries_)
        if (e.authorizer == v.authorizer && e.token == token) {
            e.verdict = v;
            e.until = until;
            return;
        }
    if (entries_.size() == max_entries) entries_.erase(entries_.begin());  // the oldest
    entries_.push_back({v.authorizer, token, v, until});
}

http_authenticator::http_authenticator(http_authenticator_options o) : options_(std::move(o)) {}

void http_authenticator::authenticate(http_auth_request req, completion done) const {
    const sigv4::received_request rr{
        .method = req.method, .target = req.target, .headers = &req.headers, .body = req.body};
    if (sigv4::carries_sigv4(rr)) {
        const iam_keys* iam = options_.iam;
        const auto v =
            sigv4::verify(rr,
                          [iam](std::string_view id) -> std::optional<sigv4::key_secret> {
                              const iam_key* k = iam ? iam->find(id) : nullptr;
                              if (!k) return std::nullopt;
                              return sigv4::key_secret{.secret_access_key = k->secret_access_key,
                                                       .session_token = k->session_token};
                          },
                          options_.now(), {.region = options_.region, .services = sigv4_services()});
        if (!v.ok()) {
            std::string detail = "SigV4 " + std::string(sigv4::to_string(v.error));
            if (!v.claim.access_key_id.empty()) detail += " (access key " + v.claim.access_key_id + ")";
            if (v.error == sigv4::verify_errc::unknown_key && (!iam || iam->empty()))
                detail += ": the gateway has no `iam:` keys configured";
            detail += ": " + v.message;
            if (!v.canonical_request.empty())
                detail += " The canonical request we computed: '" + v.canonical_request +
                          "' string to sign: '" + v.string_to_sign + "'";
            done(http_refusal{.status = 403,
                              .error_type = v.error_type,
                              .message = v.message,
                              .detail = std::move(detail)});
            return;
        }
        const iam_key* k = iam->find(v.claim.access_key_id);
        done(sigv4_verdict{.access_key_id = k->access_key_id,
                           .principal = k->principal,
                           .policies = k->policies,
                           .signed_at = v.claim.at,
                           .presigned = v.claim.presigned});
        return;
    }
    if (req.transport == http_transport::wss && !req.mqtt) {
        done(deferred_to_connect{});
        return;
    }
    if (!options_.authorizers) {
        done(unauthorized(
            "Unauthorized: the request carries no SigV4 signature and no custom authorizer is configured",
            "no SigV4 and no custom authorizer configured"));
        return;
    }
    connect_info ci{
        .server_name = req.server_name,
        .connection_id = req.connection_id,
        .http = request_info_of(req),
        .mqtt = req.transport == http_transport::wss};
    if (req.mqtt) {
        ci.username = req.mqtt->username;
        ci.password = req.mqtt->password;
        ci.client_id = req.mqtt->client_id;
    }
    auto prepared = options_.authorizers->prepare(ci);
    if (!prepared.ok()) {
        done(unauthorized("Unauthorized: " + prepared.reason,
                          std::string("custom auth refused before invoking the authorizer: ") +
                              to_string(prepared.error) + ": " + prepared.reason));
        return;
    }
    // enableCachingForHttp: the answer this connection got for this token, while it is fresh.
    http_verdict_cache* cache = req.transport == http_transport::http && prepared.authorizer->enable_caching_for_http
                                    ? req.cache
                                    : nullptr;
    if (cache) {
        if (const auto* hit = cache->find(prepared.authorizer->name, prepared.token, options_.now())) {
            auto v = *hit;
            v.event_json = std::move(prepared.event_json);
            v.cached = true;
            done(std::move(v));
            return;
        }
    }
    custom_auth_verdict verdict{.authorizer = prepared.authorizer->name,
                                .event_json = prepared.event_json,
                                .result = {},
                                .policies = {}};
    authorizer_service* svc = options_.services ? options_.services(verdict.authorizer) : nullptr;
    if (!svc) {
        verdict.result.outcome = authorization_outcome::backend_error;
        verdict.result.reason = "no backend for authorizer " + verdict.authorizer;
        done(std::move(verdict));
        return;
    }
    svc->authorize(std::move(prepared.event_json), [verdict = std::move(verdict),
                                                    cache = options_.policy_cache,
                                                    answers = cache,
                                                    token = std::move(prepared.token),
                                                    now = options_.now,
                                                    done = std::move(done)](authorization_result r) mutable {
        verdict.result = std::move(r);
        if (verdict.result.allowed()) {
            // validate_response parsed the documents already: reuse that parse.
            const auto& resp = verdict.result.verdict.response;
            policy::policy_set_cache private_cache;
            auto interned = (cache ? *cache : private_cache).intern(resp.policy_documents, &resp.policies);
            if (interned.ok()) {
                verdict.policies = std::move(interned.value);
            } else {  // validate_response checks the syntax already; belt and braces
                verdict.result.outcome = authorization_outcome::invalid_response;
                verdict.result.reason = "policy " + interned.error;
            }
        }
        // The connection waits for this answer, so nothing else touches its cache meanwhile.
        if (answers && verdict.result.allowed()) answers->remember(verdict, token, now());
        done(std::move(verdict));
    });
}

}  // namespace wv::auth
