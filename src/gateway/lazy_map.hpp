#pragma once
// An unordered_map that takes 8 bytes until its first element. An empty std::unordered_map is
// 56 bytes, and the one that needs this (a session's QoS 1 deliveries in flight) lives in every
// connection while most connections only publish and never receive a QoS 1 message. Once
// used, the map is kept until clear(), so a subscriber does not allocate it again per message.
// Only the members the gateway uses are forwarded.
//
// Not thread-safe (like std::unordered_map).
#include <cstddef>
#include <memory>
#include <unordered_map>
#include <utility>

namespace wv::gate {

template <class K, class V>
class lazy_map {
public:
    using map = std::unordered_map<K, V>;

    bool empty() const { return !m_ || m_->empty(); }
    std::size_t size() const { return m_ ? m_->size() : 0; }
    bool contains(const K& k) const { return m_ && m_->contains(k); }
    template <class... A>
    auto emplace(A&&... a) {
        if (!m_) m_ = std::make_unique<map>();
        return m_->emplace(std::forward<A>(a)...);
    }
    std::size_t erase(const K& k) { return m_ ? m_->erase(k) : 0; }
    // Reading never allocates: an unused map iterates over one shared empty map.
    typename map::const_iterator begin() const { return m_ ? m_->cbegin() : none().cbegin(); }
    typename map::const_iterator end() const { return m_ ? m_->cend() : none().cend(); }
    void clear() { m_.reset(); }

private:
    static const map& none() {
        static const map empty;
        return empty;
    }
    std::unique_ptr<map> m_;
};

}  // namespace wv::gate
