#pragma once
// The pre-provisioning hook's contract (developer guide, pre-provisioning-hook.html), pure:
// the event AWS IoT sends the function on every RegisterThing, and how its reply is read.
//
// Input:  {"claimCertificateId", "certificateId", "certificatePem", "templateArn", "clientId",
//          "parameters": {k: v}}
// Output: {"allowProvisioning": true, "parameterOverrides": {k: v}}: provisioning proceeds only
//         with allowProvisioning true; the overrides are merged into the request's parameters.
// Anything else (not JSON, allowProvisioning missing or not a boolean, overrides that are not
// a map of strings) refuses the request, with a reason for the log.
#include <map>
#include <string>
#include <string_view>

namespace wv::provisioning {

struct hook_input {
    std::string claim_certificate_id;
    std::string certificate_id;
    std::string certificate_pem;
    std::string template_arn;
    std::string client_id;
    std::map<std::string, std::string> parameters;
};

std::string hook_event_json(const hook_input& in);

struct hook_verdict {
    bool allow = false;
    std::map<std::string, std::string> overrides;
    std::string reason;  // why not allowed (empty when allowed)
};

hook_verdict read_hook_reply(std::string_view body);

}  // namespace wv::provisioning
