#include "gateway/connect_throttle.hpp"

#include <algorithm>
#include <iterator>

namespace wv::gate {

connect_throttle::connect_throttle(double connects_per_s) {
    if (connects_per_s > 0)
        interval_ = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(1.0 / connects_per_s));
}

bool connect_throttle::admit(const std::string& client_id, time_point now) {
    if (interval_.count() == 0) return true;
    std::lock_guard lock(mu_);
    auto [it, inserted] = last_.try_emplace(client_id, now);
    if (!inserted) {
        if (now - it->second < interval_) return false;
        it->second = now;
    }
    if (last_.size() >= sweep_at_) {
        std::erase_if(last_, [&](const auto& kv) { return now - kv.second >= interval_; });
        sweep_at_ = std::max<std::size_t>(1024, last_.size() * 2);
    }
    return true;
}

std::size_t connect_throttle::tracked() const {
    std::lock_guard lock(mu_);
    return last_.size();
}

}  // namespace wv::gate
