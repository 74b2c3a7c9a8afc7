#include "auth/iam_keys.hpp"

#include <cctype>
#include <set>
#include <stdexcept>

#include "policy/policy.hpp"

namespace wv::auth {

iam_keys::iam_keys(std::vector<iam_key_config> keys) {
    std::vector<std::string> problems;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        auto& k = keys[i];
        const std::string at = "iam[" + std::to_string(i) + "]";
        bool id_ok = !k.access_key_id.empty() && k.access_key_id.size() <= 128;
        for (unsigned char c : k.access_key_id) id_ok = id_ok && std::isalnum(c);
        if (!id_ok)
            problems.push_back(at + ".access_key_id: 1-128 letters and digits (like AKIAIOSFODNN7EXAMPLE)");
        else if (!seen.insert(k.access_key_id).second)
            problems.push_back(at + ".access_key_id: " + k.access_key_id + " is configured twice");
        if (k.secret_access_key.empty()) problems.push_back(at + ".secret_access_key: required");
        if (k.policy_documents.empty())
            problems.push_back(at +
                               ": needs `policy` (or `policies`): the IAM policy that decides iot:Connect, "
                               "iot:Publish, iot:Subscribe and iot:Receive for this key");
        auto set = std::make_shared<policy::policy_set>();
        for (std::size_t d = 0; d < k.policy_documents.size(); ++d) {
            auto parsed = policy::parse_policy(k.policy_documents[d]);
            if (!parsed.ok())
                problems.push_back(at + ".policies[" + std::to_string(d) + "]: " + parsed.error);
            else
                set->push_back(std::move(*parsed.value));
        }
        keys_.push_back(iam_key{.access_key_id = k.access_key_id,
                                .secret_access_key = std::move(k.secret_access_key),
                                .session_token = std::move(k.session_token),
                                .principal = k.principal.empty() ? k.access_key_id : std::move(k.principal),
                                .policies = std::move(set)});
    }
    if (!problems.empty()) {
        std::string msg = "invalid iam: configuration:";
        for (const auto& p : problems) msg += "\n  " + p;
        throw std::invalid_argument(msg);
    }
}

const iam_key* iam_keys::find(std::string_view access_key_id) const {
    for (const auto& k : keys_)
        if (k.access_key_id == access_key_id) return &k;
    return nullptr;
}

}  // namespace wv::auth
