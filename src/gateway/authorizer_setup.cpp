#include "gateway/authorizer_setup.hpp"

#include <cctype>
#include <stdexcept>

#include "functions/registry_backend.hpp"
#include "functions/static_backend.hpp"
#include "gateway/gateway.hpp"

namespace wv::gate {
namespace {

// AWS requires principalId to match [a-zA-Z0-9]{1,128}: derive one from the user name the
// way the AWS sample authorizer does (strip everything else).
std::string principal_from(const std::string& username) {
    std::string p;
    for (const char ch : username)
        if (std::isalnum(static_cast<unsigned char>(ch))) p += ch;
    if (p.empty()) p = "device";
    if (p.size() > 128) p.resize(128);
    return p;
}

}  // namespace

std::shared_ptr<auth::authorizer_backend> make_backend(const authorizer_config& a, const gateway_config& cfg,
                                                       functions::function_registry& fns) {
    switch (a.backend) {
        case backend_kind::static_credentials: {
            std::vector<auth::static_credential> creds;
            for (const auto& c : a.credentials) {
                if (!c.authenticated) continue;  // unknown to the backend: answered isAuthenticated false
                auth::static_credential sc;
                sc.username = c.username;
                sc.password = c.password;
                if (!c.client_id.empty()) sc.client_id_pattern = c.client_id;
                sc.principal_id = c.principal_id.empty() ? principal_from(c.username) : c.principal_id;
                sc.policy_documents = c.policy_documents.empty() ? a.default_policies : c.policy_documents;
                if (sc.policy_documents.empty()) sc.policy_documents = {allow_all_policy()};
                sc.refresh_after_s = a.refresh_after_s;
                sc.disconnect_after_s = a.disconnect_after_s;
                creds.push_back(std::move(sc));
            }
            return std::make_shared<auth::static_backend>(std::move(creds));
        }
        case backend_kind::registry: {
            auth::registry_options o;
            o.region = cfg.region;
            o.account = cfg.account;
            o.refresh_after_s = a.refresh_after_s;
            o.disconnect_after_s = a.disconnect_after_s;
            return std::make_shared<auth::registry_backend>(auth::load_registry_csv(a.registry_csv), o);
        }
        case backend_kind::lambda:
        case backend_kind::handler:
            if (!a.factory) throw std::runtime_error("authorizer " + a.name + ": no backend factory (configure it in YAML)");
            return a.factory(fns.iot());
        case backend_kind::function:
            try {
                return fns.resolve(a.function).backend;
            } catch (const std::exception& e) {
                throw std::runtime_error("authorizer " + a.name + ": " + e.what());
            }
        case backend_kind::custom:
            if (!a.custom) throw std::runtime_error("authorizer " + a.name + ": custom backend not set");
            return a.custom;
    }
    throw std::runtime_error("authorizer " + a.name + ": unknown backend");
}

authorizer_setup build_authorizers(const gateway_config& cfg, functions::function_registry& fns) {
    authorizer_setup out;
    if (!cfg.authorizers.empty()) {
        auth::endpoint_authorizers ep;
        for (const auto& a : cfg.authorizers) {
            auth::authorizer_config ac;
            ac.name = a.name;
            ac.status = a.active ? auth::authorizer_status::active : auth::authorizer_status::inactive;
            ac.signing_disabled = a.signing_disabled;
            ac.token_key_name = a.token_key_name;
            ac.enable_caching_for_http = a.enable_caching_for_http;
            ac.token_signing_public_keys = a.token_signing_public_keys;
            ac.function = a.name;
            ep.authorizers.push_back(std::move(ac));
        }
        if (!cfg.default_authorizer.empty()) ep.default_authorizer = cfg.default_authorizer;
        ep.allow_authorizer_override = cfg.allow_authorizer_override;
        try {
            out.authorizers = std::make_unique<auth::custom_authorizers>(std::move(ep));
        } catch (const std::exception& e) {
            throw std::runtime_error(std::string("authorizers: ") + e.what());
        }
        for (const auto& a : cfg.authorizers) {
            auto backend = make_backend(a, cfg, fns);
            out.services.emplace(a.name, std::make_unique<auth::authorizer_service>(
                                             std::move(backend), auth::authorizer_service_options{
                                                                     .deadline = a.timeout,
                                                                     .max_concurrency = a.max_concurrency,
                                                                     .max_queue = a.max_queue}));
        }
    }
    // Checked here so that a bad document stops start() before a port is bound; the
    // certificate directory parses them again (once).
    for (std::size_t i = 0; i < cfg.certificate_policies.size(); ++i) {
        auto p = policy::parse_policy(std::string_view(cfg.certificate_policies[i]));
        if (!p.ok()) throw std::runtime_error("certificate_policies[" + std::to_string(i) + "]: " + p.error);
    }
    return out;
}

}  // namespace wv::gate
