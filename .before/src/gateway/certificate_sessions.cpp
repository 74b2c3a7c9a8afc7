#include "gateway/certificate_sessions.hpp"

#include <vector>

namespace wv::gate {

std::uint64_t certificate_sessions::add(const std::string& certificate_id, const std::string& ca_id,
                                        std::weak_ptr<subscriber> s) {
    std::lock_guard lock(mu_);
    const auto t = next_++;
    entries_.emplace(t, entry{certificate_id, ca_id, std::move(s)});
    return t;
}

void certificate_sessions::remove(std::uint64_t token) {
    std::lock_guard lock(mu_);
    entries_.erase(token);
}

std::size_t certificate_sessions::size() const {
    std::lock_guard lock(mu_);
    return entries_.size();
}

std::size_t certificate_sessions::on_status_change(const certificate_status_change& c) {
    if (c.status == certificate_status::active) return 0;
    std::vector<std::shared_ptr<subscriber>> hit;
    {
        // A linear pass: status changes are rare, connects frequent (they only insert).
        std::lock_guard lock(mu_);
        for (const auto& [t, e] : entries_) {
            const bool match = (!c.certificate_id.empty() && e.certificate_id == c.certificate_id) ||
                               (c.certificate_id.empty() && !c.ca_certificate_id.empty() && e.ca_id == c.ca_certificate_id);
            if (!match) continue;
            if (auto s = e.s.lock()) hit.push_back(std::move(s));
        }
    }
    for (const auto& s : hit) s->kick(disconnect_reason::auth_error);
    return hit.size();
}

}  // namespace wv::gate
