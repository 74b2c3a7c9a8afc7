#include "policy/policy_set_cache.hpp"

#include <algorithm>

namespace wv::policy {
namespace {

// Length-prefixed, so no choice of document text can make two different lists collide.
std::string key_of(std::span<const std::string> documents) {
    std::size_t n = 0;
    for (const auto& d : documents) n += d.size() + 8;
    std::string key;
    key.reserve(n);
    for (const auto& d : documents) {
        key += std::to_string(d.size());
        key += ':';
        key += d;
    }
    return key;
}

}  // namespace

policy_set_cache::policy_set_cache(std::size_t max_sets) : max_sets_(std::max<std::size_t>(max_sets, 1)), sweep_at_(64) {}

policy_set_cache::result policy_set_cache::intern(std::span<const std::string> documents, const policy_set* given) {
    auto key = key_of(documents);
    {
        std::lock_guard lock(mu_);
        if (auto it = sets_.find(key); it != sets_.end())
            if (auto live = it->second.lock()) return {std::move(live), {}};
    }
    policy_set parsed;
    if (given && given->size() == documents.size()) {
        parsed = *given;
    } else {
        for (std::size_t i = 0; i < documents.size(); ++i) {
            auto p = parse_policy(std::string_view(documents[i]));
            if (!p.ok()) return {nullptr, "document " + std::to_string(i) + ": " + p.error};
            parsed.push_back(std::move(*p.value));
        }
    }
    auto set = std::make_shared<const policy_set>(std::move(parsed));
    std::lock_guard lock(mu_);
    // Another thread may have interned the same documents meanwhile: share theirs.
    if (auto it = sets_.find(key); it != sets_.end()) {
        if (auto live = it->second.lock()) return {std::move(live), {}};
        it->second = set;
        return {std::move(set), {}};
    }
    if (sets_.size() >= sweep_at_) {
        std::erase_if(sets_, [](const auto& e) { return e.second.expired(); });
        sweep_at_ = std::max<std::size_t>(64, sets_.size() * 2);
    }
    if (sets_.size() < max_sets_) sets_.emplace(std::move(key), set);
    return {std::move(set), {}};
}

std::size_t policy_set_cache::size() const {
    std::lock_guard lock(mu_);
    return sets_.size();
}

}  // namespace wv::policy
