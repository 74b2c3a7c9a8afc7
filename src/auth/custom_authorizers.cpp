#include "auth/custom_authorizers.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>

namespace wv::auth {

const char* to_string(prepare_errc e) noexcept {
    switch (e) {
    case prepare_errc::none: return "ok";
    case prepare_errc::username_malformed: return "username_malformed";
    case prepare_errc::query_malformed: return "query_malformed";
    case prepare_errc::no_authorizer: return "no_authorizer";
    case prepare_errc::authorizer_not_found: return "authorizer_not_found";
    case prepare_errc::authorizer_inactive: return "authorizer_inactive";
    case prepare_errc::credentials_present: return "credentials_present";
    case prepare_errc::missing_token: return "missing_token";
    case prepare_errc::missing_signature: return "missing_signature";
    case prepare_errc::bad_signature: return "bad_signature";
    }
    return "unknown";
}

namespace {

bool same_header_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// The HTTP request's credential parameters ahead of the user name's: headers (AWS's two
// x-amz-customauthorizer-* names matched case-insensitively; a signature header is
// percent-decoded like the query's, base64 never holds a '%'), then the query's. nullopt on a
// malformed query escape.
std::optional<parsed_username> with_http_parameters(const http_request_info& http, parsed_username from_username) {
    parsed_username out;
    out.base = std::move(from_username.base);
    out.has_query = true;
    for (const auto& [name, value] : http.headers) {
        if (same_header_name(name, authorizer_name_key)) {
            out.parameters.push_back({std::string(authorizer_name_key), value});
        } else if (same_header_name(name, signature_key)) {
            out.parameters.push_back({std::string(signature_key), url_decode(value).value_or(value)});
        }
    }
    std::string_view q = http.query_string;
    if (!q.empty() && q.front() == '?') q.remove_prefix(1);
    while (!q.empty()) {
        const auto amp = q.find('&');
        const auto kv = q.substr(0, amp);
        if (!kv.empty()) {
            const auto eq = kv.find('=');
            auto k = url_decode(kv.substr(0, eq));
            auto v = eq == std::string_view::npos ? std::optional<std::string>("") : url_decode(kv.substr(eq + 1));
            if (!k || !v) return std::nullopt;
            out.parameters.push_back({std::move(*k), std::move(*v)});
        }
        if (amp == std::string_view::npos) break;
        q.remove_prefix(amp + 1);
    }
    for (auto& p : from_username.parameters) out.parameters.push_back(std::move(p));
    return out;
}

// The token under `key`: a header of that name (case-insensitive) first, then the parameters.
std::optional<std::string> find_token(const connect_info& c, const parsed_username& params, const std::string& key) {
    if (key.empty()) return std::nullopt;
    if (c.http)
        for (const auto& [name, value] : c.http->headers)
            if (same_header_name(name, key)) return value;
    return params.token(key);
}

}  // namespace

struct custom_authorizers::impl {
    endpoint_authorizers config;
    std::map<std::string, token_verifier> verifiers;  // signing-enabled authorizers only
};

custom_authorizers::custom_authorizers(endpoint_authorizers config) : impl_(std::make_unique<impl>()) {
    if (auto problems = validate(config); !problems.empty()) {
        std::string msg = "invalid custom authorizer configuration:";
        for (const auto& p : problems) msg += "\n  " + p;
        throw std::invalid_argument(msg);
    }
    impl_->config = std::move(config);
    for (const auto& a : impl_->config.authorizers)
        if (!a.signing_disabled) impl_->verifiers.emplace(a.name, token_verifier{a.token_signing_public_keys});
}

custom_authorizers::~custom_authorizers() = default;
custom_authorizers::custom_authorizers(custom_authorizers&&) noexcept = default;
custom_authorizers& custom_authorizers::operator=(custom_authorizers&&) noexcept = default;

const endpoint_authorizers& custom_authorizers::config() const { return impl_->config; }

prepared_invocation custom_authorizers::prepare(const connect_info& c, bool presents_aws_credentials) const {
    prepared_invocation p;
    // A device that sends no user name can still reach the endpoint's default authorizer.
    const auto parsed = parse_username(c.username.value_or(""));
    if (!parsed.ok()) {
        p.error = prepare_errc::username_malformed;
        p.reason = std::string(to_string(parsed.error)) + " at offset " + std::to_string(parsed.error_position);
        return p;
    }
    auto params = parsed.value;
    if (c.http) {
        auto merged = with_http_parameters(*c.http, std::move(params));
        if (!merged) {
            p.error = prepare_errc::query_malformed;
            p.reason = "the request's query has a '%' not followed by two hex digits";
            return p;
        }
        params = std::move(*merged);
    }
    const auto sel = select_authorizer(impl_->config, params, presents_aws_credentials);
    p.authorizer = sel.authorizer;
    if (!sel.ok()) {
        switch (sel.error) {
        case selection_errc::not_found: p.error = prepare_errc::authorizer_not_found; break;
        case selection_errc::inactive: p.error = prepare_errc::authorizer_inactive; break;
        case selection_errc::credentials_present: p.error = prepare_errc::credentials_present; break;
        default: p.error = prepare_errc::no_authorizer; break;
        }
        p.reason = sel.reason;
        return p;
    }
    const auto& a = *sel.authorizer;
    p.token = find_token(c, params, a.token_key_name);
    if (!a.signing_disabled) {
        signature_errc se = signature_errc::none;
        const auto sig = params.signature();
        if (!p.token) se = signature_errc::missing_token;
        else if (!sig || sig->empty()) se = signature_errc::missing_signature;
        else se = impl_->verifiers.at(a.name).verify(*p.token, *sig);
        if (se != signature_errc::none) {
            p.error = se == signature_errc::missing_token       ? prepare_errc::missing_token
                      : se == signature_errc::missing_signature ? prepare_errc::missing_signature
                                                                : prepare_errc::bad_signature;
            p.reason = "authorizer '" + a.name + "': " + to_string(se) + "; the function is not invoked";
            return p;
        }
        p.signature_verified = true;
    }
    p.event_json = make_authorizer_event_json(c, {.token = p.token, .signature_verified = p.signature_verified});
    p.reason = sel.reason;
    return p;
}

}  // namespace wv::auth
