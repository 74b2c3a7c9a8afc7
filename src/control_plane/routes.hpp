#pragma once
// The route table the resource files fill (internal to the control plane).
#include <string>
#include <vector>

#include "control_plane/api.hpp"
#include "control_plane/http_exchange.hpp"

namespace wv::control_plane {

struct context {
    registry::registry& reg;
    const api_options& opts;
};

// vars: the path segments matched by "{}" in the pattern, in order.
using handler_fn = http_response (*)(const context&, const parsed_request&, const std::vector<std::string>& vars);

struct route {
    const char* method;
    const char* pattern;  // "things/{}/principals"
    handler_fn fn;
};

void add_things_routes(std::vector<route>& r);
void add_certificates_routes(std::vector<route>& r);
void add_ca_certificates_routes(std::vector<route>& r);
void add_policies_routes(std::vector<route>& r);
void add_principals_routes(std::vector<route>& r);
void add_rules_routes(std::vector<route>& r);
void add_endpoint_routes(std::vector<route>& r);
void add_provisioning_routes(std::vector<route>& r);
void add_tags_routes(std::vector<route>& r);

// A create call with the tags it carries (a `tags` TagList in the body, or CreateTopicRule's
// x-amz-tagging header): checked first, applied to the created resource's ARN, which the
// response's `arn_field` holds (null: the topic rule named in the path).
http_response with_create_tags(const context& c, const parsed_request& r, const std::vector<std::string>& v,
                               handler_fn create, const char* arn_field);

// Paging parameters: nextToken/maxResults (RegistryMaxResults 1..250, default 50) or
// marker/pageSize/isAscendingOrder (PageSize 1..250, default 25).
registry::outcome<registry::page_request> token_page(const parsed_request& r, std::int64_t max = 250);
registry::outcome<registry::page_request> marker_page(const parsed_request& r);

}  // namespace wv::control_plane
