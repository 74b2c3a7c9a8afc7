#pragma once
// One connection's recent policy decisions per (action, topic). Policies change only when the
// authorizer is invoked again (clear() then), and a device publishes to a handful of topics,
// so a few entries searched linearly answer almost every check without evaluating the
// policies again. Small on purpose: it lives in every connection (an unordered_map per action
// cost ~200 bytes per connection before its first lookup paid off); past `capacity` topics,
// entries are replaced round-robin, which only costs a re-evaluation.
//
// Not thread-safe: one per connection, used from its executor.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wv::gate {

class decision_cache {
public:
    static constexpr std::size_t capacity = 16;
    enum class kind : std::uint8_t { publish, retain_publish, receive };

    std::optional<bool> find(kind k, std::string_view topic) const {
        for (const auto& e : entries_)
            if (e.what == k && e.topic == topic) return e.allowed;
        return std::nullopt;
    }

    void put(kind k, std::string_view topic, bool allowed) {
        if (entries_.size() < capacity) {
            entries_.push_back({std::string(topic), k, allowed});
            return;
        }
        entries_[next_evict_] = {std::string(topic), k, allowed};
        next_evict_ = (next_evict_ + 1) % capacity;
    }

    void clear() {
        entries_.clear();
        entries_.shrink_to_fit();
        next_evict_ = 0;
    }

    std::size_t size() const { return entries_.size(); }

private:
    struct entry {
        std::string topic;
        kind what;
        bool allowed;
    };
    std::vector<entry> entries_;
    std::size_t next_evict_ = 0;
};

}  // namespace wv::gate
