// Things, thing types and thing groups.
#include <mutex>

#include "registry/registry.hpp"
#include "registry/registry_state.hpp"

namespace wv::registry {
namespace {

constexpr std::string_view name_chars = ":_-";

status check_attributes(const std::map<std::string, std::string>& a) {
    // AWS: at most 50 attributes on a thing with a type, 3 without; we keep AWS's 50 cap only,
    // since the 3-attribute limit for untyped things was lifted in 2020.
    if (a.size() > 50) return fail(errc::invalid_request, "a thing holds at most 50 attributes, got " + std::to_string(a.size()));
    for (const auto& [k, v] : a) {
        if (k.empty() || k.size() > 128) return fail(errc::invalid_request, "attribute name '" + k + "' must be 1-128 characters");
        if (v.size() > 800) return fail(errc::invalid_request, "attribute '" + k + "': value over 800 characters");
    }
    return std::nullopt;
}

}  // namespace

outcome<thing> registry::create_thing(const std::string& name, const std::string& type,
                                      const std::map<std::string, std::string>& attributes) {
    if (!is_valid_name(name, name_chars))
        return fail(errc::invalid_request, "thingName '" + name + "' must be 1-128 characters of [a-zA-Z0-9:_-]");
    if (auto e = check_attributes(attributes)) return *e;
    std::unique_lock lock(mu_);
    auto& s = *st_;
    if (!type.empty()) {
        const auto t = s.types.find(type);
        if (t == s.types.end()) return fail(errc::not_found, "Thing type " + type + " does not exist.");
        if (t->second.deprecated)
            return fail(errc::invalid_request, "Thing type " + type + " is deprecated; new things cannot use it.");
    }
    if (const auto it = s.things.find(name); it != s.things.end()) {
        // AWS: creating an identical thing again is idempotent; a different one conflicts.
        if (it->second.type == type && it->second.attributes == attributes) return it->second;
        return fail(errc::already_exists, "Thing " + name + " already exists in account with different attributes");
    }
    thing t{.name = name, .id = new_uuid(), .type = type, .attributes = attributes, .version = 1};
    if (auto e = commit({put_op(kind::thing, name, t)})) return *e;
    s.things.emplace(name, t);
    return t;
}

outcome<thing> registry::describe_thing(const std::string& name) const {
    std::shared_lock lock(mu_);
    const auto it = st_->things.find(name);
    if (it == st_->things.end()) return fail(errc::not_found, "Thing " + name + " cannot be found.");
    return it->second;
}

outcome<page<thing>> registry::list_things(const thing_filter& f, const page_request& p) const {
    if (f.attribute_value && !f.attribute_name)
        return fail(errc::invalid_request, "attributeValue requires attributeName");
    std::shared_lock lock(mu_);
    std::vector<const thing*> matched;
    for (const auto& [name, t] : st_->things) {
        if (f.thing_type && t.type != *f.thing_type) continue;
        if (f.attribute_name) {
            const auto a = t.attributes.find(*f.attribute_name);
            if (a == t.attributes.end()) continue;
            if (f.attribute_value &&
                !(f.prefix_value ? a->second.rfind(*f.attribute_value, 0) == 0 : a->second == *f.attribute_value))
                continue;
        }
        matched.push_back(&t);
    }
    return make_page<const thing*>(matched, {.marker = p.marker, .page_size = p.page_size, .ascending = true},
                                   [](const thing* const& t) { return *t; },
                                   +[](const thing* const& t) -> const std::string& { return t->name; });
}

status registry::update_thing(const std::string& name, const std::optional<std::string>& type, bool remove_type,
                              const std::optional<std::map<std::string, std::string>>& attributes, bool merge,
                              std::optional<std::int64_t> expected_version) {
    if (type && remove_type)
        return fail(errc::invalid_request, "thingTypeName and removeThingType cannot be given together");
    std::unique_lock lock(mu_);
    auto& s = *st_;
    const auto it = s.things.find(name);
    if (it == s.things.end()) return fail(errc::not_found, "Thing " + name + " cannot be found.");
    if (expected_version && *expected_version != it->second.version)
        return fail(errc::version_conflict, "The version for thing " + name + " does not match the expected version.");
    thing t = it->second;
    if (type && !type->empty()) {
        const auto tt = s.types.find(*type);
        if (tt == s.types.end()) return fail(errc::not_found, "Thing type " + *type + " does not exist.");
        if (tt->second.deprecated) return fail(errc::invalid_request, "Thing type " + *type + " is deprecated.");
        t.type = *type;
    }
    if (remove_type) t.type.clear();
    if (attributes) {
        if (merge) {
            // Merge: an empty value removes the attribute, others are added or replaced.
            for (const auto& [k, v] : *attributes) {
                if (v.empty()) t.attributes.erase(k);
                else t.attributes[k] = v;
            }
        } else {
            t.attributes = *attributes;
        }
    }
    if (auto e = check_attributes(t.attributes)) return *e;
    ++t.version;
    if (auto e = commit({put_op(kind::thing, name, t)})) return *e;
    it->second = std::move(t);
    return std::nullopt;
}

status registry::delete_thing(const std::string& name, std::optional<std::int64_t> expected_version) {
    std::unique_lock lock(mu_);
    auto& s = *st_;
    const auto it = s.things.find(name);
    if (it == s.things.end()) return std::nullopt;  // AWS: deleting a missing thing succeeds
    if (expected_version && *expected_version != it->second.version)
        return fail(errc::version_conflict, "The version for thing " + name + " does not match the expected version.");
    if (!s.thing_principals.of(name).empty())
        return fail(errc::invalid_request, "Cannot delete thing " + name + " which has principals attached; "
                                           "detach them first (DetachThingPrincipal)");
    std::vector<store_op> ops{erase_op(kind::thing, name)};
    const auto groups = s.group_things.to(name);
    for (const auto& g : groups) ops.push_back(erase_op(kind::group_thing, pair_key(g, name)));
    if (auto e = commit(ops)) return *e;
    for (const auto& g : groups) s.group_things.remove(g, name);
    s.things.erase(it);
    return std::nullopt;
}

outcome<thing_type> registry::create_thing_type(const std::string& name, const std::string& description,
                                                const std::vector<std::string>& searchable) {
    if (!is_valid_name(name, name_chars))
        return fail(errc::invalid_request, "thingTypeName '" + name + "' must be 1-128 characters of [a-zA-Z0-9:_-]");
    if (searchable.size() > 3) return fail(errc::invalid_request, "at most 3 searchableAttributes");
    std::unique_lock lock(mu_);
    auto& s = *st_;
    if (const auto it = s.types.find(name); it != s.types.end()) {
        if (it->second.description == description && it->second.searchable_attributes == searchable) return it->second;
        return fail(errc::already_exists, "Thing type " + name + " already exists with different properties");
    }
    thing_type t{.name = name, .id = new_uuid(), .description = description, .searchable_attributes = searchable,
                 .creation_date = now_seconds()};
    if (auto e = commit({put_op(kind::thing_type, name, t)})) return *e;
    s.types.emplace(name, t);
    return t;
}

outcome<thing_type> registry::describe_thing_type(const std::string& name) const {
    std::shared_lock lock(mu_);
    const auto it = st_->types.find(name);
    if (it == st_->types.end()) return fail(errc::not_found, "Thing type " + name + " cannot be found.");
    return it->second;
}

outcome<page<thing_type>> registry::list_thing_types(const std::optional<std::string>& name, const page_request& p) const {
    std::shared_lock lock(mu_);
    std::vector<std::string> keys;
    for (const auto& [n, t] : st_->types)
        if (!name || n == *name) keys.push_back(n);
    return make_page<std::string>(keys, {.marker = p.marker, .page_size = p.page_size, .ascending = true},
                                  [&](const std::string& k) { return st_->types.at(k); }, self_text);
}

status registry::deprecate_thing_type(const std::string& name, bool undo) {
    std::unique_lock lock(mu_);
    const auto it = st_->types.find(name);
    if (it == st_->types.end()) return fail(errc::not_found, "Thing type " + name + " cannot be found.");
    thing_type t = it->second;
    t.deprecated = !undo;
    t.deprecation_date = undo ? 0 : now_seconds();
    if (auto e = commit({put_op(kind::thing_type, name, t)})) return *e;
    it->second = std::move(t);
    return std::nullopt;
}

status registry::delete_thing_type(const std::string& name) {
    std::unique_lock lock(mu_);
    auto& s = *st_;
    const auto it = s.types.find(name);
    if (it == s.types.end()) return fail(errc::not_found, "Thing type " + name + " cannot be found.");
    // AWS: a type must be deprecated for 5 minutes and used by no thing before deletion; the
    // wait is left out here (nothing to wait for offline), the other two are kept.
    if (!it->second.deprecated)
        return fail(errc::invalid_request, "Thing type " + name + " must be deprecated (DeprecateThingType) before deletion");
    for (const auto& [n, t] : s.things)
        if (t.type == name)
            return fail(errc::invalid_request, "Thing type " + name + " is still used by thing " + n);
    if (auto e = commit({erase_op(kind::thing_type, name)})) return *e;
    s.types.erase(it);
    drop_tags(opts_.acct.arn("thingtype", name));
    return std::nullopt;
}

outcome<thing_group> registry::create_thing_group(const std::string& name, const std::string& parent,
                                                  const std::string& description,
                                                  const std::map<std::string, std::string>& attributes) {
    if (!is_valid_name(name, name_chars))
        return fail(errc::invalid_request, "thingGroupName '" + name + "' must be 1-128 characters of [a-zA-Z0-9:_-]");
    if (auto e = check_attributes(attributes)) return *e;
    std::unique_lock lock(mu_);
    auto& s = *st_;
    if (const auto it = s.groups.find(name); it != s.groups.end()) {
        if (it->second.parent == parent && it->second.description == description && it->second.attributes == attributes)
            return it->second;
        return fail(errc::already_exists, "Thing group " + name + " already exists with different properties");
    }
    if (!parent.empty() && !s.groups.count(parent))
        return fail(errc::not_found, "Parent thing group " + parent + " cannot be found.");
    thing_group g{.name = name, .id = new_uuid(), .parent = parent, .description = description,
                  .attributes = attributes, .version = 1, .creation_date = now_seconds()};
    if (auto e = commit({put_op(kind::thing_group, name, g)})) return *e;
    s.groups.emplace(name, g);
    return g;
}

outcome<thing_group> registry::describe_thing_group(const std::string& name) const {
    std::shared_lock lock(mu_);
    const auto it = st_->groups.find(name);
    if (it == st_->groups.end()) return fail(errc::not_found, "Thing group " + name + " cannot be found.");
    return it->second;
}

outcome<page<thing_group>> registry::list_thing_groups(const std::optional<std::string>& parent,
                                                       const std::optional<std::string>& name_prefix,
                                                       const page_request& p) const {
    std::shared_lock lock(mu_);
    if (parent && !st_->groups.count(*parent))
        return fail(errc::not_found, "Thing group " + *parent + " cannot be found.");
    std::vector<std::string> keys;
    for (const auto& [n, g] : st_->groups)
        if ((!parent || g.parent == *parent) && (!name_prefix || n.rfind(*name_prefix, 0) == 0)) keys.push_back(n);
    return make_page<std::string>(keys, {.marker = p.marker, .page_size = p.page_size, .ascending = true},
                                  [&](const std::string& k) { return st_->groups.at(k); }, self_text);
}

status registry::delete_thing_group(const std::string& name, std::optional<std::int64_t> expected_version) {
    std::unique_lock lock(mu_);
    auto& s = *st_;
    const auto it = s.groups.find(name);
    if (it == s.groups.end()) return std::nullopt;  // AWS: idempotent
    if (expected_version && *expected_version != it->second.version)
        return fail(errc::version_conflict, "The version for thing group " + name + " does not match the expected version.");
    for (const auto& [n, g] : s.groups)
        if (g.parent == name) return fail(errc::invalid_request, "Thing group " + name + " has child group " + n);
    std::vector<store_op> ops{erase_op(kind::thing_group, name)};
    const auto members = s.group_things.of(name);
    for (const auto& t : members) ops.push_back(erase_op(kind::group_thing, pair_key(name, t)));
    const auto arn = opts_.acct.arn("thinggroup", name);
    const auto policies = s.policy_targets.to(arn);
    for (const auto& p : policies) ops.push_back(erase_op(kind::policy_target, pair_key(p, arn)));
    if (auto e = commit(ops)) return *e;
    for (const auto& t : members) s.group_things.remove(name, t);
    for (const auto& p : policies) s.policy_targets.remove(p, arn);
    s.groups.erase(it);
    drop_tags(arn);
    return std::nullopt;
}

status registry::add_thing_to_group(const std::string& group, const std::string& thing_name) {
    std::unique_lock lock(mu_);
    auto& s = *st_;
    if (!s.groups.count(group)) return fail(errc::not_found, "Thing group " + group + " cannot be found.");
    if (!s.things.count(thing_name)) return fail(errc::not_found, "Thing " + thing_name + " cannot be found.");
    if (s.group_things.has(group, thing_name)) return std::nullopt;
    if (s.group_things.to(thing_name).size() >= 10)
        return fail(errc::invalid_request, "Thing " + thing_name + " is already in 10 thing groups (AWS's limit)");
    if (auto e = commit({put_op(kind::group_thing, pair_key(group, thing_name), nlohmann::json::object())})) return *e;
    s.group_things.add(group, thing_name);
    return std::nullopt;
}

status registry::remove_thing_from_group(const std::string& group, const std::string& thing_name) {
    std::unique_lock lock(mu_);
    auto& s = *st_;
    if (!s.groups.count(group)) return fail(errc::not_found, "Thing group " + group + " cannot be found.");
    if (!s.things.count(thing_name)) return fail(errc::not_found, "Thing " + thing_name + " cannot be found.");
    if (!s.group_things.has(group, thing_name)) return std::nullopt;
    if (auto e = commit({erase_op(kind::group_thing, pair_key(group, thing_name))})) return *e;
    s.group_things.remove(group, thing_name);
    return std::nullopt;
}

outcome<page<thing_group>> registry::groups_for_thing(const std::string& thing_name, const page_request& p) const {
    std::shared_lock lock(mu_);
    if (!st_->things.count(thing_name)) return fail(errc::not_found, "Thing " + thing_name + " cannot be found.");
    return make_page<std::string>(keys_of(st_->group_things.to(thing_name)),
                                  {.marker = p.marker, .page_size = p.page_size, .ascending = true},
                                  [&](const std::string& k) { return st_->groups.at(k); }, self_text);
}

outcome<page<std::string>> registry::things_in_group(const std::string& group, const page_request& p) const {
    std::shared_lock lock(mu_);
    if (!st_->groups.count(group)) return fail(errc::not_found, "Thing group " + group + " cannot be found.");
    return make_page<std::string>(keys_of(st_->group_things.of(group)),
                                  {.marker = p.marker, .page_size = p.page_size, .ascending = true},
                                  [](const std::string& k) { return k; }, self_text);
}

}  // namespace wv::registry
