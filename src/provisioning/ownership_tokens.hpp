#pragma once
// certificateOwnershipToken: what CreateKeysAndCertificate / CreateCertificateFromCsr hand the
// device, and RegisterThing takes back. A token is bound to the certificate it was issued
// with and lives one hour (AWS); RegisterThing redeems it once. A certificate whose token
// expired unredeemed is AWS's to delete: expired() hands those over.
//
// Tokens are random (256 bits, base64url), held in memory: a gateway restart invalidates
// them, as a device must then start over. Thread-safe; time is passed in (tests use any clock).
#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace wv::provisioning {

class ownership_tokens {
public:
    using clock = std::chrono::system_clock;
    explicit ownership_tokens(std::chrono::seconds ttl = std::chrono::hours(1)) : ttl_(ttl) {}

    std::string issue(const std::string& certificate_id, clock::time_point now);

    enum class verdict { ok, empty, unknown, expired };
    struct lookup {
        verdict v = verdict::unknown;
        std::string certificate_id;
    };
    // Does not consume: a RegisterThing that fails later (hook, template) may be retried.
    lookup find(const std::string& token, clock::time_point now) const;
    // RegisterThing succeeded: the token is spent.
    void redeem(const std::string& token);
    // Certificates whose tokens expired unredeemed since the last call (each once).
    std::vector<std::string> expired(clock::time_point now);
    std::size_t size() const;

private:
    struct entry {
        std::string certificate_id;
        clock::time_point expires;
    };
    std::chrono::seconds ttl_;
    mutable std::mutex mu_;
    std::unordered_map<std::string, entry> tokens_;
    std::deque<std::pair<clock::time_point, std::string>> by_expiry_;  // (expiry, token), oldest first
    std::deque<std::pair<clock::time_point, std::string>> forget_;     // expired: (when to drop, token)
};

}  // namespace wv::provisioning
