// Policies with versions, policy attachments, thing principals.
#include <algorithm>
#include <cctype>
#include <mutex>
#include <set>

#include "policy/policy.hpp"
#include "registry/registry.hpp"
#include "registry/registry_state.hpp"

namespace wv::registry {
namespace {

constexpr std::size_t max_versions = 5;        // AWS: a policy keeps at most five versions
constexpr std::size_t max_document_chars = 2048;  // excluding whitespace (AWS's quota)

status validate_document(const std::string& doc) {
    const auto chars = static_cast<std::size_t>(std::count_if(doc.begin(), doc.end(), [](unsigned char c) {
        return !std::isspace(c);
    }));
    if (chars > max_document_chars)
        return fail(errc::malformed_policy, "Policy document is " + std::to_string(chars) +
                                                " characters without whitespace; the limit is 2048");
    const auto parsed = wv::policy::parse_policy(doc);
    if (!parsed.ok()) return fail(errc::malformed_policy, "Policy document is malformed: " + parsed.error);
    return std::nullopt;
}

}  // namespace

outcome<policy> registry::create_policy(const std::string& name, const std::string& document) {
    if (!is_valid_name(name, "_+=,.@-"))
        return fail(errc::invalid_request, "policyName '" + name + "' must be 1-128 characters of [\\w+=,.@-]");
    if (auto e = validate_document(document)) return *e;
    std::unique_lock lock(mu_);
    auto& s = *st_;
    if (s.policies.count(name)) return fail(errc::already_exists, "Policy cannot be created - name already exists (name=" + name + ")");
    const double now = now_seconds();
    policy p{.name = name, .default_version = "1", .versions = {{"1", document, now}}, .next_version = 2,
             .creation_date = now, .last_modified = now, .generation_id = new_hex(32)};
    if (auto e = commit({put_op(kind::policy, name, p)})) return *e;
    s.policies.emplace(name, p);
    return p;
}

outcome<policy> registry::get_policy(const std::string& name) const {
    std::shared_lock lock(mu_);
    const auto it = st_->policies.find(name);
    if (it == st_->policies.end()) return fail(errc::not_found, "Policy not found (name=" + name + ")");
    return it->second;
}

outcome<page<policy>> registry::list_policies(const page_request& p) const {
    std::shared_lock lock(mu_);
    return make_page<std::string>(keys_of(st_->policies), p, [&](const std::string& k) { return st_->policies.at(k); },
                                  self_text);
}

status registry::delete_policy(const std::string& name) {
    std::unique_lock lock(mu_);
    auto& s = *st_;
    const auto it = s.policies.find(name);
    if (it == s.policies.end()) return fail(errc::not_found, "Policy not found (name=" + name + ")");
    if (!s.policy_targets.of(name).empty())
        return fail(errc::delete_conflict, "The policy cannot be deleted as the policy is attached to one or more "
                                           "principals (name=" + name + ")");
    if (it->second.versions.size() > 1)
        return fail(errc::delete_conflict, "Cannot delete the policy because it has one or more policy versions "
                                           "attached to it (name=" + name + "); delete the non-default versions first");
    if (auto e = commit({erase_op(kind::policy, name)})) return *e;
    s.policies.erase(it);
    drop_tags(opts_.acct.arn("policy", name));
    return std::nullopt;
}

outcome<policy_version> registry::create_policy_version(const std::string& name, const std::string& document,
                                                        bool set_default) {
    if (auto e = validate_document(document)) return *e;
    std::unique_lock lock(mu_);
    const auto it = st_->policies.find(name);
    if (it == st_->policies.end()) return fail(errc::not_found, "Policy not found (name=" + name + ")");
    policy p = it->second;
    if (p.versions.size() >= max_versions)
        return fail(errc::versions_limit_exceeded, "The policy " + name + " already has the maximum number of versions "
                                                   "(5); delete one with DeletePolicyVersion");
    const double now = now_seconds();
    policy_version v{std::to_string(p.next_version++), document, now};
    p.versions.push_back(v);
    if (set_default) p.default_version = v.id;
    p.last_modified = now;
    p.generation_id = new_hex(32);
    if (auto e = commit({put_op(kind::policy, name, p)})) return *e;
    it->second = std::move(p);
    return v;
}

status registry::delete_policy_version(const std::string& name, const std::string& version) {
    std::unique_lock lock(mu_);
    const auto it = st_->policies.find(name);
    if (it == st_->policies.end()) return fail(errc::not_found, "Policy not found (name=" + name + ")");
    policy p = it->second;
    if (!p.find_version(version))
        return fail(errc::not_found, "Policy version not found (name=" + name + ", versionId=" + version + ")");
    if (p.default_version == version)
        return fail(errc::delete_conflict, "Cannot delete the default version " + version + " of policy " + name);
    std::erase_if(p.versions, [&](const policy_version& v) { return v.id == version; });
    p.last_modified = now_seconds();
    if (auto e = commit({put_op(kind::policy, name, p)})) return *e;
    it->second = std::move(p);
    return std::nullopt;
}

status registry::set_default_policy_version(const std::string& name, const std::string& version) {
    std::unique_lock lock(mu_);
    const auto it = st_->policies.find(name);
    if (it == st_->policies.end()) return fail(errc::not_found, "Policy not found (name=" + name + ")");
    policy p = it->second;
    if (!p.find_version(version))
        return fail(errc::not_found, "Policy version not found (name=" + name + ", versionId=" + version + ")");
    p.default_version = version;
    p.last_modified = now_seconds();
    p.generation_id = new_hex(32);
    if (auto e = commit({put_op(kind::policy, name, p)})) return *e;
    it->second = std::move(p);
    return std::nullopt;
}

namespace {
// A target or principal naming one of this registry's certificates or thing groups must name
// one that exists; other principals (Cognito identities, IAM ARNs) are taken as given.
status check_principal(const registry::state& s, const account& a, const std::string& p) {
    const std::string cert_prefix = a.arn("cert", "");
    const std::string group_prefix = a.arn("thinggroup", "");
    if (p.rfind(cert_prefix, 0) == 0 && !s.certs.count(p.substr(cert_prefix.size())))
        return fail(errc::not_found, "The certificate " + p.substr(cert_prefix.size()) + " does not exist.");
    if (p.rfind(group_prefix, 0) == 0 && !s.groups.count(p.substr(group_prefix.size())))
        return fail(errc::not_found, "Thing group " + p.substr(group_prefix.size()) + " cannot be found.");
    if (p.rfind("arn:aws:iot:", 0) == 0 && p.find(":cert/") != std::string::npos && p.rfind(cert_prefix, 0) != 0)
        return fail(errc::invalid_request, "The certificate ARN " + p + " names another region or account than this "
                                           "gateway's (" + a.region + ", " + a.id + ")");
    if (p.empty()) return fail(errc::invalid_request, "the principal/target is empty");
    return std::nullopt;
}
}  // namespace

status registry::attach_policy(const std::string& name, const std::string& target) {
    std::unique_lock lock(mu_);
    auto& s = *st_;
    if (!s.policies.count(name)) return fail(errc::not_found, "Policy not found (name=" + name + ")");
    if (auto e = check_principal(s, opts_.acct, target)) return *e;
    if (s.policy_targets.has(name, target)) return std::nullopt;
    if (s.policy_targets.to(target).size() >= 10)
        return fail(errc::limit_exceeded, "At most 10 policies can be attached to " + target);
    if (auto e = commit({put_op(kind::policy_target, pair_key(name, target), nlohmann::json::object())})) return *e;
    s.policy_targets.add(name, target);
    return std::nullopt;
}

status registry::detach_policy(const std::string& name, const std::string& target) {
    std::unique_lock lock(mu_);
    auto& s = *st_;
    if (!s.policies.count(name)) return fail(errc::not_found, "Policy not found (name=" + name + ")");
    if (!s.policy_targets.has(name, target)) return std::nullopt;
    if (auto e = commit({erase_op(kind::policy_target, pair_key(name, target))})) return *e;
    s.policy_targets.remove(name, target);
    return std::nullopt;
}

outcome<page<std::string>> registry::attached_policies(const std::string& target, const page_request& p,
                                                       bool recursive) const {
    std::shared_lock lock(mu_);
    const auto& s = *st_;
    if (auto e = check_principal(s, opts_.acct, target)) return *e;
    auto names = keys_of(s.policy_targets.to(target));
    const std::string group_prefix = opts_.acct.arn("thinggroup", "");
    if (recursive && target.rfind(group_prefix, 0) == 0) {
        std::set<std::string> all(names.begin(), names.end());
        // Up the parent chain (bounded: a cycle cannot be made through the API, but a seed could).
        auto it = s.groups.find(target.substr(group_prefix.size()));
        for (std::size_t depth = 0; it != s.groups.end() && !it->second.parent.empty() && depth < 64; ++depth) {
            for (const auto& n : keys_of(s.policy_targets.to(group_prefix + it->second.parent))) all.insert(n);
            it = s.groups.find(it->second.parent);
        }
        names.assign(all.begin(), all.end());
    }
    return make_page<std::string>(names, p, [](const std::string& k) { return k; }, self_text);
}

outcome<page<std::string>> registry::policy_targets(const std::string& name, const page_request& p) const {
    std::shared_lock lock(mu_);
    if (!st_->policies.count(name)) return fail(errc::not_found, "Policy not found (name=" + name + ")");
    return make_page<std::string>(keys_of(st_->policy_targets.of(name)), p, [](const std::string& k) { return k; },
                                  self_text);
}

status registry::attach_thing_principal(const std::string& thing_name, const std::string& principal) {
    std::unique_lock lock(mu_);
    auto& s = *st_;
    if (!s.things.count(thing_name)) return fail(errc::not_found, "Thing " + thing_name + " cannot be found.");
    if (auto e = check_principal(s, opts_.acct, principal)) return *e;
    if (s.thing_principals.has(thing_name, principal)) return std::nullopt;
    if (auto e = commit({put_op(kind::thing_principal, pair_key(thing_name, principal), nlohmann::json::object())}))
        return *e;
    s.thing_principals.add(thing_name, principal);
    return std::nullopt;
}

status registry::detach_thing_principal(const std::string& thing_name, const std::string& principal) {
    std::unique_lock lock(mu_);
    auto& s = *st_;
    if (!s.things.count(thing_name)) return fail(errc::not_found, "Thing " + thing_name + " cannot be found.");
    if (!s.thing_principals.has(thing_name, principal)) return std::nullopt;
    if (auto e = commit({erase_op(kind::thing_principal, pair_key(thing_name, principal))})) return *e;
    s.thing_principals.remove(thing_name, principal);
    return std::nullopt;
}

outcome<page<std::string>> registry::thing_principals(const std::string& thing_name, const page_request& p) const {
    std::shared_lock lock(mu_);
    if (!st_->things.count(thing_name)) return fail(errc::not_found, "Thing " + thing_name + " cannot be found.");
    return make_page<std::string>(keys_of(st_->thing_principals.of(thing_name)), p,
                                  [](const std::string& k) { return k; }, self_text);
}

outcome<page<std::string>> registry::principal_things(const std::string& principal, const page_request& p) const {
    std::shared_lock lock(mu_);
    if (auto e = check_principal(*st_, opts_.acct, principal)) return *e;
    return make_page<std::string>(keys_of(st_->thing_principals.to(principal)), p,
                                  [](const std::string& k) { return k; }, self_text);
}

}  // namespace wv::registry
