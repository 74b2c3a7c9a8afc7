// Tags: TagResource, UntagResource, ListTagsForResource, and the tags of a create call.
#include <mutex>

#include "registry/registry.hpp"
#include "registry/registry_state.hpp"

namespace wv::registry {

namespace {

// The taggable resource an ARN names here, or why not.
status check_taggable(const registry::state& s, const account& a, const std::string& arn) {
    struct kind_of {
        const char* kind;
        bool (*exists)(const registry::state&, const std::string&);
    };
    static const kind_of kinds[] = {
        {"policy", [](const registry::state& s, const std::string& n) { return s.policies.count(n) > 0; }},
        {"thinggroup", [](const registry::state& s, const std::string& n) { return s.groups.count(n) > 0; }},
        {"thingtype", [](const registry::state& s, const std::string& n) { return s.types.count(n) > 0; }},
        {"rule", [](const registry::state& s, const std::string& n) { return s.rules.count(n) > 0; }},
        {"cacert", [](const registry::state& s, const std::string& n) { return s.cas.count(n) > 0; }},
    };
    for (const auto& k : kinds) {
        const auto prefix = a.arn(k.kind, "");
        if (arn.rfind(prefix, 0) != 0) continue;
        const auto name = arn.substr(prefix.size());
        if (!k.exists(s, name)) return fail(errc::not_found, "The resource " + arn + " does not exist.");
        return std::nullopt;
    }
    return fail(errc::invalid_request, "resourceArn " + arn + " is not a policy, thing group, thing type, topic rule or "
                                       "CA certificate of this gateway's account and region (" + a.region + ", " + a.id + ")");
}

status check_tag(const std::string& key, const std::string& value) {
    if (key.empty() || key.size() > 128) return fail(errc::invalid_request, "tag key '" + key + "' must be 1 to 128 characters");
    if (key.rfind("aws:", 0) == 0) return fail(errc::invalid_request, "tag key '" + key + "': the aws: prefix is reserved");
    if (value.size() > 256) return fail(errc::invalid_request, "tag '" + key + "': the value is over 256 characters");
    return std::nullopt;
}

}  // namespace

status registry::check_tags(const tag_map& tags) {
    for (const auto& [k, v] : tags)
        if (auto e = check_tag(k, v)) return e;
    if (tags.size() > 50) return fail(errc::limit_exceeded, std::to_string(tags.size()) + " tags given; AWS allows 50");
    return std::nullopt;
}

status registry::tag_resource(const std::string& arn, const tag_map& tags) {
    std::unique_lock lock(mu_);
    auto& s = *st_;
    if (auto e = check_taggable(s, opts_.acct, arn)) return e;
    auto next = s.tags.count(arn) ? s.tags.at(arn) : tag_map{};
    for (const auto& [k, v] : tags) {
        if (auto e = check_tag(k, v)) return e;
        next[k] = v;
    }
    if (next.size() > 50) return fail(errc::limit_exceeded, arn + " would have " + std::to_string(next.size()) + " tags; AWS allows 50");
    if (auto e = commit({put_op(kind::tags, arn, nlohmann::json(next))})) return e;
    s.tags[arn] = std::move(next);
    return std::nullopt;
}

status registry::untag_resource(const std::string& arn, const std::vector<std::string>& keys) {
    std::unique_lock lock(mu_);
    auto& s = *st_;
    if (auto e = check_taggable(s, opts_.acct, arn)) return e;
    const auto it = s.tags.find(arn);
    if (it == s.tags.end()) return std::nullopt;
    auto next = it->second;
    for (const auto& k : keys) next.erase(k);
    if (auto e = commit({next.empty() ? erase_op(kind::tags, arn) : put_op(kind::tags, arn, nlohmann::json(next))})) return e;
    if (next.empty()) s.tags.erase(it);
    else it->second = std::move(next);
    return std::nullopt;
}

outcome<page<std::pair<std::string, std::string>>> registry::list_tags_for_resource(const std::string& arn,
                                                                                  const page_request& p) const {
    std::shared_lock lock(mu_);
    const auto& s = *st_;
    if (auto e = check_taggable(s, opts_.acct, arn)) return *e;
    const auto it = s.tags.find(arn);
    static const tag_map none;
    const auto& tags = it == s.tags.end() ? none : it->second;
    return make_page<std::string>(keys_of(tags), p, [&](const std::string& k) { return std::pair{k, tags.at(k)}; },
                                  self_text);
}

void registry::drop_tags(const std::string& arn) {
    auto& s = *st_;
    const auto it = s.tags.find(arn);
    if (it == s.tags.end()) return;
    // The resource is gone already: when the store fails here its tags stay, in the store and
    // here alike (a resource created again under that name would show them).
    if (commit({erase_op(kind::tags, arn)})) return;
    s.tags.erase(it);
}

}  // namespace wv::registry
