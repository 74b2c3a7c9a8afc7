#pragma once
// Turns gateway_config's authorizers into running objects: the custom-auth front end
// (selection, signatures, events: src/auth), one authorizer_service per authorizer around its
// backend (static, registry, lambda, or one given in code); it also checks the documents of
// certificate_policies. Throws std::runtime_error naming the authorizer and the problem.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "auth/authorizer_service.hpp"
#include "auth/custom_authorizers.hpp"
#include "functions/build_backend.hpp"
#include "gateway/gateway_config.hpp"
#include "policy/policy.hpp"

namespace wv::gate {

struct authorizer_setup {
    std::unique_ptr<auth::custom_authorizers> authorizers;  // null when none configured
    std::map<std::string, std::unique_ptr<auth::authorizer_service>> services;
};

authorizer_setup build_authorizers(const gateway_config& cfg, const backends::local_iot& iot);

// The backend an authorizer_config describes (not wrapped in a service).
std::shared_ptr<auth::authorizer_backend> make_backend(const authorizer_config& a, const gateway_config& cfg,
                                                       const backends::local_iot& iot);

}  // namespace wv::gate
