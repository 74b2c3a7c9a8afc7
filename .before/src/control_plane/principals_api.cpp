// Thing principals: AttachThingPrincipal, DetachThingPrincipal, ListThingPrincipals,
// ListPrincipalThings. The principal travels in the x-amzn-principal header.
#include "control_plane/routes.hpp"

namespace wv::control_plane {
namespace {

using nlohmann::json;
using registry::errc;

registry::outcome<std::string> principal(const parsed_request& r) {
    const auto p = r.header("x-amzn-principal");
    if (!p || p->empty()) return registry::fail(errc::invalid_request, "the x-amzn-principal header (principal) is required");
    return *p;
}

http_response attach_thing_principal(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto p = principal(r);
    if (!p) return error_response(p.err());
    if (auto e = c.reg.attach_thing_principal(v[0], p.value())) return error_response(*e);
    return empty_response();
}

http_response detach_thing_principal(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto p = principal(r);
    if (!p) return error_response(p.err());
    if (auto e = c.reg.detach_thing_principal(v[0], p.value())) return error_response(*e);
    return empty_response();
}

http_response list_thing_principals(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto pg = token_page(r);
    if (!pg) return error_response(pg.err());
    const auto page = c.reg.thing_principals(v[0], pg.value());
    if (!page) return error_response(page.err());
    json body{{"principals", page.value().items}};
    if (!page.value().next.empty()) body["nextToken"] = page.value().next;
    return json_response(body);
}

http_response list_principal_things(const context& c, const parsed_request& r, const std::vector<std::string>&) {
    const auto p = principal(r);
    if (!p) return error_response(p.err());
    const auto pg = token_page(r);
    if (!pg) return error_response(pg.err());
    const auto page = c.reg.principal_things(p.value(), pg.value());
    if (!page) return error_response(page.err());
    json body{{"things", page.value().items}};
    if (!page.value().next.empty()) body["nextToken"] = page.value().next;
    return json_response(body);
}

}  // namespace

void add_principals_routes(std::vector<route>& r) {
    r.insert(r.end(), {
        {"PUT", "things/{}/principals", attach_thing_principal},
        {"DELETE", "things/{}/principals", detach_thing_principal},
        {"GET", "things/{}/principals", list_thing_principals},
        {"GET", "principals/things", list_principal_things},
    });
}

}  // namespace wv::control_plane
