#include "provisioning/pre_provisioning_hook.hpp"

#include <nlohmann/json.hpp>

namespace wv::provisioning {

std::string hook_event_json(const hook_input& in) {
    return nlohmann::json{{"claimCertificateId", in.claim_certificate_id},
                          {"certificateId", in.certificate_id},
                          {"certificatePem", in.certificate_pem},
                          {"templateArn", in.template_arn},
                          {"clientId", in.client_id},
                          {"parameters", in.parameters}}
        .dump();
}

hook_verdict read_hook_reply(std::string_view body) {
    hook_verdict v;
    const auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        v.reason = "the hook's reply is not a JSON object: " + std::string(body.substr(0, 200));
        return v;
    }
    const auto allow = j.find("allowProvisioning");
    if (allow == j.end() || !allow->is_boolean()) {
        v.reason = "the hook's reply has no boolean allowProvisioning";
        return v;
    }
    if (const auto o = j.find("parameterOverrides"); o != j.end() && !o->is_null()) {
        if (!o->is_object()) {
            v.reason = "the hook's parameterOverrides is not a map of strings";
            return v;
        }
        for (const auto& [k, x] : o->items()) {
            if (!x.is_string()) {
                v.reason = "the hook's parameterOverrides." + k + " is not a string";
                v.overrides.clear();
                return v;
            }
            v.overrides[k] = x.get<std::string>();
        }
    }
    v.allow = allow->get<bool>();
    if (!v.allow) v.reason = "the hook answered allowProvisioning false";
    return v;
}

}  // namespace wv::provisioning
