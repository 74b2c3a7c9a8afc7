#pragma once
// Parsed policy sets shared between connections. A fleet's authorizer usually returns the same
// documents to every device (per-device differences live in policy variables such as
// ${iot:ClientId}, which evaluate() resolves per request), so 10,000 connections need one
// parsed copy, not 10,000.
//
//   policy_set_cache cache;
//   auto r = cache.intern(response.policy_documents);      // parses on the first sight only
//   if (!r.ok()) deny(r.error);
//   evaluate(*r.value, request);
//
// Sets are keyed by the exact text of their documents, in order. The cache holds weak
// references: a set lives as long as some connection uses it. Expired entries are swept when
// the table doubles; beyond `max_sets` live distinct sets a new one is returned unshared
// (still correct, only not deduplicated), so the table never grows without bound.
//
// Threading: intern() and size() may be called from any thread (one mutex, held for a hash
// lookup; parsing happens outside it). The returned sets are immutable.
#include <cstddef>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "policy/policy.hpp"

namespace wv::policy {

using policy_set = std::vector<policy>;
using shared_policy_set = std::shared_ptr<const policy_set>;

class policy_set_cache {
public:
    explicit policy_set_cache(std::size_t max_sets = 10'000);

    struct result {
        shared_policy_set value{};  // null on a parse error
        std::string error{};        // "document 2: Statement[0].Effect: ..." when !value
        bool ok() const { return value != nullptr; }
    };

    // The shared set for `documents`. On a miss, `parsed` (the same documents already parsed,
    // e.g. by the authorizer-response check) is copied instead of parsing again when it has one
    // policy per document; otherwise the documents are parsed here.
    result intern(std::span<const std::string> documents, const policy_set* parsed = nullptr);

    std::size_t size() const;  // entries, live or not yet swept

private:
    mutable std::mutex mu_;
    std::unordered_map<std::string, std::weak_ptr<const policy_set>> sets_;
    std::size_t max_sets_;
    std::size_t sweep_at_;
};

}  // namespace wv::policy
