#pragma once
// The AWS IoT control-plane API over a registry, without sockets: one HTTP request in, one
// response out, with the paths, methods, shapes and error types of botocore's iot 2015-05-28
// service model, so unmodified `boto3.client('iot', endpoint_url=...)` and
// `aws iot --endpoint-url ...` work against it.
//
//   wv::registry::registry reg;
//   wv::control_plane::api cp(reg, {.endpoint_address = "localhost"});
//   auto res = cp.handle({.method = "GET", .target = "/things/dev1"});
//   // res.status 404, res.error_type "ResourceNotFoundException", res.body {"message": ...}
//
// Operations (one file per family): things_api.cpp (things, thing types, thing groups),
// certificates_api.cpp, ca_certificates_api.cpp, policies_api.cpp (policies, versions,
// attachments), principals_api.cpp, rules_api.cpp (topic rules), endpoint_api.cpp,
// provisioning_api.cpp (provisioning templates, versions, CreateProvisioningClaim).
// An unknown path or method answers 404 UnknownOperationException.
//
// SigV4: requests are accepted signed or not unless api_options::sigv4_keys names keys; then
// the signature must verify (403 as AWS answers otherwise).
// Thread-safe: handle() may run on several threads at once (the registry locks).
#include <map>
#include <string>

#include "control_plane/http_exchange.hpp"
#include "registry/registry.hpp"

namespace wv::control_plane {

struct api_options {
    std::string endpoint_address = "localhost";  // DescribeEndpoint's answer: the gateway's host
    // Access key id -> secret. Empty: any request is accepted, signed or not. Otherwise every
    // request must carry a SigV4 signature by one of these keys (sigv4_check.hpp).
    std::map<std::string, std::string> sigv4_keys{};
};

class api {
public:
    api(registry::registry& reg, api_options options = {});
    http_response handle(const http_request& request) const;
    registry::registry& reg() const { return reg_; }

private:
    registry::registry& reg_;
    api_options opts_;
};

}  // namespace wv::control_plane
