#pragma once
// A deque that allocates nothing until its first element. libstdc++'s std::deque allocates
// ~576 bytes (a 512-byte node and its map) on construction; a queue that most connections
// never use (QoS 1 deliveries waiting for the in-flight window, a persistent session's offline
// messages) would cost every connected device that much for nothing. Only the members the
// gateway uses are forwarded; clear() gives the memory back.
//
// Not thread-safe (like std::deque).
#include <cstddef>
#include <deque>
#include <memory>
#include <utility>

namespace wv::gate {

template <class T>
class lazy_deque {
public:
    using iterator = typename std::deque<T>::iterator;
    using const_iterator = typename std::deque<T>::const_iterator;

    bool empty() const { return !d_ || d_->empty(); }
    std::size_t size() const { return d_ ? d_->size() : 0; }
    iterator begin() { return get().begin(); }
    iterator end() { return get().end(); }
    // Reading never allocates: an unused queue iterates over one shared empty deque.
    const_iterator begin() const { return d_ ? d_->cbegin() : none().cbegin(); }
    const_iterator end() const { return d_ ? d_->cend() : none().cend(); }
    T& front() { return get().front(); }
    void push_back(T v) { get().push_back(std::move(v)); }
    template <class... A>
    T& emplace_back(A&&... a) { return get().emplace_back(std::forward<A>(a)...); }
    void pop_front() {
        get().pop_front();
        if (d_->empty()) d_.reset();  // an emptied queue holds nothing either
    }
    template <class It>
    iterator insert(iterator at, It first, It last) { return get().insert(at, first, last); }
    void clear() { d_.reset(); }

private:
    static const std::deque<T>& none() {
        static const std::deque<T> empty;
        return empty;
    }
    std::deque<T>& get() {
        if (!d_) d_ = std::make_unique<std::deque<T>>();
        return *d_;
    }
    std::unique_ptr<std::deque<T>> d_;
};

}  // namespace wv::gate
