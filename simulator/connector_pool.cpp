#include "connector_pool.hpp"

namespace wv::sim {

std::size_t least_busy(const std::vector<connect_target>& targets) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < targets.size(); ++i)
        if (targets[i].in_flight->load(std::memory_order_relaxed) < targets[best].in_flight->load(std::memory_order_relaxed))
            best = i;
    return best;
}

connector_pool::connector_pool(unsigned threads) {
    for (unsigned i = 0; i < threads; ++i) {
        auto s = std::make_unique<slot>();
        s->thread = std::thread([io = &s->io] { io->run(); });
        slots_.push_back(std::move(s));
    }
}

connector_pool::~connector_pool() {
    release();
    join();
}

void connector_pool::release() {
    if (released_.exchange(true)) return;  // the guards are reset by one caller only
    for (auto& s : slots_) s->keep.reset();
}

void connector_pool::stop() {
    for (auto& s : slots_) s->io.stop();
}

void connector_pool::join() {
    for (auto& s : slots_)
        if (s->thread.joinable()) s->thread.join();
}

}  // namespace wv::sim
