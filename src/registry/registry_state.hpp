#pragma once
// The registry's in-memory index and the helpers its .cpp files share (not a public header).
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "registry/model_json.hpp"
#include "registry/registry.hpp"
#include "util/base64.hpp"

namespace wv::registry {

// Row kinds in the SQLite store. Attachments are rows keyed "<left>\n<right>".
namespace kind {
inline constexpr const char* thing = "thing";
inline constexpr const char* thing_type = "thing_type";
inline constexpr const char* thing_group = "thing_group";
inline constexpr const char* certificate = "certificate";
inline constexpr const char* ca = "ca_certificate";
inline constexpr const char* policy = "policy";
inline constexpr const char* rule = "topic_rule";
inline constexpr const char* policy_target = "policy_target";    // policy \n target
inline constexpr const char* thing_principal = "thing_principal";  // thing \n principal
inline constexpr const char* group_thing = "group_thing";        // group \n thing
inline constexpr const char* meta = "meta";
inline constexpr const char* provisioning_template = "provisioning_template";
inline constexpr const char* provisioning_claim = "provisioning_claim";
inline constexpr const char* tags = "tags";                      // resource ARN -> {key: value}
}  // namespace kind

// A many-to-many relation kept in both directions.
struct relation {
    std::map<std::string, std::set<std::string>> forward, backward;
    void add(const std::string& a, const std::string& b) {
        forward[a].insert(b);
        backward[b].insert(a);
    }
    void remove(const std::string& a, const std::string& b) {
        if (auto it = forward.find(a); it != forward.end() && (it->second.erase(b), it->second.empty())) forward.erase(it);
        if (auto it = backward.find(b); it != backward.end() && (it->second.erase(a), it->second.empty())) backward.erase(it);
    }
    bool has(const std::string& a, const std::string& b) const {
        const auto it = forward.find(a);
        return it != forward.end() && it->second.count(b);
    }
    const std::set<std::string>& of(const std::string& a) const { return get(forward, a); }
    const std::set<std::string>& to(const std::string& b) const { return get(backward, b); }

private:
    static const std::set<std::string>& get(const std::map<std::string, std::set<std::string>>& m, const std::string& k) {
        static const std::set<std::string> none;
        const auto it = m.find(k);
        return it == m.end() ? none : it->second;
    }
};

struct registry::state {
    std::map<std::string, thing> things;
    std::map<std::string, thing_type> types;
    std::map<std::string, thing_group> groups;
    std::map<std::string, certificate> certs;
    std::map<std::string, ca_certificate> cas;
    std::map<std::string, policy> policies;
    std::map<std::string, topic_rule> rules;
    relation policy_targets;    // policy -> target (principal ARN, thing group ARN)
    relation thing_principals;  // thing -> principal ARN
    relation group_things;      // group -> thing
    std::map<std::string, std::map<std::string, std::string>> tags;  // resource ARN -> tags
    std::string registration_code;
    std::map<std::string, provisioning_template_record> templates;
    std::map<std::string, provisioning_claim> claims;  // by certificate id; expired ones pruned on write
};

inline std::string pair_key(const std::string& a, const std::string& b) { return a + "\n" + b; }

inline store_op put_op(const char* k, const std::string& key, const nlohmann::json& body) {
    return store_op{k, key, body.dump()};
}
inline store_op erase_op(const char* k, const std::string& key) { return store_op{k, key, std::nullopt}; }

// Markers are base64 of the last key a page returned, so a page resumes after it even when
// things were added or deleted in between (and match botocore's Marker pattern).
inline std::string make_marker(const std::string& last_key) { return util::base64_encode(last_key); }
inline std::optional<std::string> read_marker(const std::string& marker) {
    if (marker.empty()) return std::string{};
    auto k = util::base64_decode(marker);
    if (!k || k->empty()) return std::nullopt;
    return k;
}

// One page of `keys` (sorted ascending; walked backwards when !ascending) after the marker.
template <class Key, class F>
outcome<page<std::invoke_result_t<F, const Key&>>> make_page(const std::vector<Key>& keys, const page_request& p,
                                                             F&& item, const std::string& (*key_text)(const Key&)) {
    using T = std::invoke_result_t<F, const Key&>;
    const auto after = read_marker(p.marker);
    if (!after) return fail(errc::invalid_request, "the marker/nextToken '" + p.marker + "' was not issued by this registry");
    page<T> out;
    std::size_t i = 0;
    const std::size_t n = keys.size();
    const auto at = [&](std::size_t j) -> const Key& { return p.ascending ? keys[j] : keys[n - 1 - j]; };
    if (!after->empty())
        while (i < n && (p.ascending ? key_text(at(i)) <= *after : key_text(at(i)) >= *after)) ++i;
    for (; i < n && out.items.size() < p.page_size; ++i) out.items.push_back(item(at(i)));
    if (i < n && !out.items.empty()) out.next = make_marker(key_text(at(i - 1)));
    return out;
}

inline const std::string& self_text(const std::string& s) { return s; }

template <class Map>
std::vector<std::string> keys_of(const Map& m) {
    std::vector<std::string> out;
    out.reserve(m.size());
    for (const auto& kv : m) out.push_back(kv.first);
    return out;
}
inline std::vector<std::string> keys_of(const std::set<std::string>& s) { return {s.begin(), s.end()}; }

// AWS name patterns: `extra` lists the characters allowed besides [a-zA-Z0-9] (things, types,
// groups: ":_-"; policies: "_+=,.@-"; rules: "_"), 1 to 128 characters.
bool is_valid_name(const std::string& s, std::string_view extra);

}  // namespace wv::registry
