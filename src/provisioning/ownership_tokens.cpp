#include "provisioning/ownership_tokens.hpp"

#include <openssl/rand.h>

#include <stdexcept>

namespace wv::provisioning {
namespace {

std::string random_token() {
    unsigned char raw[32];
    if (RAND_bytes(raw, sizeof raw) != 1) throw std::runtime_error("RAND_bytes failed for an ownership token");
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    for (std::size_t i = 0; i + 2 < sizeof raw; i += 3) {
        const unsigned v = (raw[i] << 16) | (raw[i + 1] << 8) | raw[i + 2];
        for (int s = 18; s >= 0; s -= 6) out += alphabet[(v >> s) & 63];
    }
    return out;
}

}  // namespace

std::string ownership_tokens::issue(const std::string& certificate_id, clock::time_point now) {
    auto token = random_token();
    std::lock_guard lock(mu_);
    tokens_[token] = {certificate_id, now + ttl_};
    by_expiry_.emplace_back(now + ttl_, token);
    return token;
}

ownership_tokens::lookup ownership_tokens::find(const std::string& token, clock::time_point now) const {
    if (token.empty()) return {verdict::empty, {}};
    std::lock_guard lock(mu_);
    const auto it = tokens_.find(token);
    if (it == tokens_.end()) return {verdict::unknown, {}};
    if (it->second.expires <= now) return {verdict::expired, it->second.certificate_id};
    return {verdict::ok, it->second.certificate_id};
}

void ownership_tokens::redeem(const std::string& token) {
    std::lock_guard lock(mu_);
    tokens_.erase(token);
}

std::vector<std::string> ownership_tokens::expired(clock::time_point now) {
    std::vector<std::string> out;
    std::lock_guard lock(mu_);
    while (!by_expiry_.empty() && by_expiry_.front().first <= now) {
        if (const auto it = tokens_.find(by_expiry_.front().second); it != tokens_.end()) {
            out.push_back(it->second.certificate_id);
            // Kept another hour so that a late RegisterThing hears "expired", not "invalid".
            forget_.emplace_back(by_expiry_.front().first + std::chrono::hours(1), by_expiry_.front().second);
        }
        by_expiry_.pop_front();
    }
    while (!forget_.empty() && forget_.front().first <= now) {
        tokens_.erase(forget_.front().second);
        forget_.pop_front();
    }
    return out;
}

std::size_t ownership_tokens::size() const {
    std::lock_guard lock(mu_);
    return tokens_.size();
}

}  // namespace wv::provisioning
