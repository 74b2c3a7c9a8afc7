#include "provisioning/apply_plan.hpp"

#include <algorithm>
#include <set>

#include "sigv4/crypto.hpp"

namespace wv::provisioning {
namespace {

using registry::errc;

api_error conflict(const thing_plan& t, const char* property) {
    return {409, "ResourceConflict",
            "Thing " + t.name + " exists with a different " + property + " and the template's OverrideSettings say FAIL."};
}

std::optional<api_error> apply_thing(registry::registry& reg, const thing_plan& t) {
    const auto existing = reg.describe_thing(t.name);
    if (!existing) {
        if (existing.err().code != errc::not_found) return from_registry(existing.err());
        if (auto c = reg.create_thing(t.name, t.type.value_or(""), t.attributes); !c) return from_registry(c.err());
        for (const auto& g : t.groups)
            if (auto e = reg.add_thing_to_group(g, t.name)) return from_registry(*e);
        return std::nullopt;
    }
    const auto& th = existing.value();
    // Attributes.
    if (t.attributes_mode == override_mode::fail && th.attributes != t.attributes) return conflict(t, "AttributePayload");
    if (t.attributes_mode == override_mode::merge || t.attributes_mode == override_mode::replace)
        if (auto e = reg.update_thing(t.name, std::nullopt, false, t.attributes, t.attributes_mode == override_mode::merge,
                                      std::nullopt))
            return from_registry(*e);
    // Type.
    if (t.type && *t.type != th.type) {
        if (t.type_mode == override_mode::fail) return conflict(t, "ThingTypeName");
        if (t.type_mode == override_mode::replace)
            if (auto e = reg.update_thing(t.name, *t.type, false, std::nullopt, true, std::nullopt)) return from_registry(*e);
    }
    // Groups.
    if (t.groups_mode == override_mode::do_nothing) return std::nullopt;
    std::set<std::string> current;
    registry::page_request p{.page_size = 250};
    for (;;) {
        const auto page = reg.groups_for_thing(t.name, p);
        if (!page) return from_registry(page.err());
        for (const auto& g : page.value().items) current.insert(g.name);
        if (page.value().next.empty()) break;
        p.marker = page.value().next;
    }
    const std::set<std::string> wanted(t.groups.begin(), t.groups.end());
    if (t.groups_mode == override_mode::fail) return current == wanted ? std::nullopt : std::optional(conflict(t, "ThingGroups"));
    if (t.groups_mode == override_mode::replace)
        for (const auto& g : current)
            if (!wanted.count(g))
                if (auto e = reg.remove_thing_from_group(g, t.name)) return from_registry(*e);
    for (const auto& g : wanted)
        if (!current.count(g))
            if (auto e = reg.add_thing_to_group(g, t.name)) return from_registry(*e);
    return std::nullopt;
}

std::optional<api_error> apply_policy(registry::registry& reg, const policy_plan& p, const std::string& cert_arn) {
    std::string name = p.name;
    if (name.empty()) {
        name = sigv4::sha256_hex(p.document);
        if (auto c = reg.create_policy(name, p.document); !c && c.err().code != errc::already_exists)
            return from_registry(c.err());
    } else if (auto g = reg.get_policy(name); !g) {
        return from_registry(g.err());
    }
    if (auto e = reg.attach_policy(name, cert_arn)) return from_registry(*e);
    return std::nullopt;
}

}  // namespace

api_error from_registry(const registry::error& e) {
    switch (e.code) {
        case errc::not_found: return {404, "ResourceNotFound", e.message};
        case errc::malformed_policy: return {400, "InvalidPolicy", e.message};
        case errc::already_exists:
        case errc::version_conflict:
        case errc::delete_conflict:
        case errc::certificate_conflict: return {409, "ResourceConflict", e.message};
        case errc::limit_exceeded: return {429, "Throttling", e.message};
        case errc::internal: return {500, "InternalError", e.message};
        default: return {400, "InvalidRequest", e.message};
    }
}

std::optional<api_error> apply_plan(registry::registry& reg, const plan& p, const std::string& certificate_id) {
    const auto cert_arn = reg.certificate_arn(certificate_id);
    if (p.thing)
        if (auto e = apply_thing(reg, *p.thing)) return e;
    for (const auto& pol : p.policies)
        if (auto e = apply_policy(reg, pol, cert_arn)) return e;
    if (p.thing)
        if (auto e = reg.attach_thing_principal(p.thing->name, cert_arn)) return from_registry(*e);
    if (p.certificate) {
        const auto st = p.certificate->status == "ACTIVE" ? registry::cert_status::active : registry::cert_status::inactive;
        if (auto e = reg.set_certificate_status(certificate_id, st)) return from_registry(*e);
    }
    return std::nullopt;
}

}  // namespace wv::provisioning
