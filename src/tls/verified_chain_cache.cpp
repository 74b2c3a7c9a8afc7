#include "tls/verified_chain_cache.hpp"

#include <openssl/crypto.h>
#include <openssl/x509_vfy.h>

namespace wv::tls {

namespace {

// OpenSSL's own rule (x509_check_cert_time): notBefore at or before `now`, notAfter after it.
// X509_cmp_time returns 0 for a malformed time, which is neither.
bool chain_valid_at(STACK_OF(X509) * chain, std::time_t now) {
    for (int i = 0; i < sk_X509_num(chain); ++i) {
        X509* c = sk_X509_value(chain, i);
        if (X509_cmp_time(X509_get0_notBefore(c), &now) != -1) return false;
        if (X509_cmp_time(X509_get0_notAfter(c), &now) != 1) return false;
    }
    return true;
}

void free_chain(STACK_OF(X509) * chain) { sk_X509_pop_free(chain, X509_free); }

}  // namespace

verified_chain_cache::verified_chain_cache(std::size_t capacity) : capacity_(capacity ? capacity : 1) {
    entries_.reserve(capacity_);
}

verified_chain_cache::~verified_chain_cache() {
    for (auto& e : entries_) free_chain(e.chain);
}

bool verified_chain_cache::make_key(std::string_view name, STACK_OF(X509) * peer, key& out) {
    out.name.assign(name);
    out.der.clear();
    if (!peer || sk_X509_num(peer) == 0) return false;
    for (int i = 0; i < sk_X509_num(peer); ++i) {
        X509* c = sk_X509_value(peer, i);
        // Each certificate's length first, so two chains never concatenate to the same bytes.
        const int n = i2d_X509(c, nullptr);
        if (n <= 0) return false;
        out.der.append(reinterpret_cast<const char*>(&n), sizeof n);
        const std::size_t at = out.der.size();
        out.der.resize(at + static_cast<std::size_t>(n));
        auto* p = reinterpret_cast<unsigned char*>(out.der.data() + at);
        if (i2d_X509(c, &p) != n) return false;
    }
    return true;
}

STACK_OF(X509) * verified_chain_cache::find(const key& k, X509* leaf, std::time_t now) {
    STACK_OF(X509)* found = nullptr;
    {
        std::lock_guard lock(mu_);
        for (const auto& e : entries_) {
            if (e.k.name != k.name || e.k.der != k.der) continue;
            if (!chain_valid_at(e.chain, now)) return nullptr;  // expired since: verify in full
            found = X509_chain_up_ref(e.chain);
            break;
        }
    }
    if (!found) return nullptr;
    // This handshake's own leaf (the same bytes) in place of the remembered one.
    if (leaf && X509_up_ref(leaf)) {
        X509_free(sk_X509_value(found, 0));
        sk_X509_set(found, 0, leaf);
    }
    hits_.fetch_add(1, std::memory_order_relaxed);
    return found;
}

void verified_chain_cache::remember(const key& k, STACK_OF(X509) * verified) {
    if (!verified || sk_X509_num(verified) == 0) return;
    std::lock_guard lock(mu_);
    for (const auto& e : entries_)
        if (e.k.name == k.name && e.k.der == k.der) return;  // another handshake was first
    STACK_OF(X509)* chain = X509_chain_up_ref(verified);
    if (!chain) return;
    if (entries_.size() < capacity_) {
        entries_.push_back({k, chain});
        return;
    }
    auto& e = entries_[next_];
    next_ = (next_ + 1) % capacity_;
    free_chain(e.chain);
    e = {k, chain};
}

std::size_t verified_chain_cache::size() const {
    std::lock_guard lock(mu_);
    return entries_.size();
}

std::string verification_name(const X509_VERIFY_PARAM* param) {
    const unsigned long flags = X509_VERIFY_PARAM_get_flags(param);
    if (flags & (X509_V_FLAG_USE_CHECK_TIME | X509_V_FLAG_NO_CHECK_TIME)) return {};
    if (X509_VERIFY_PARAM_get0_email(const_cast<X509_VERIFY_PARAM*>(param))) return {};
    std::string name = "flags=" + std::to_string(flags) + ",depth=" + std::to_string(X509_VERIFY_PARAM_get_depth(param)) +
                       ",level=" + std::to_string(X509_VERIFY_PARAM_get_auth_level(param)) +
                       ",hostflags=" + std::to_string(X509_VERIFY_PARAM_get_hostflags(param));
    auto* p = const_cast<X509_VERIFY_PARAM*>(param);
    for (int i = 0;; ++i) {
        const char* host = X509_VERIFY_PARAM_get0_host(p, i);
        if (!host) break;
        name += ",host=";
        name += host;
    }
    if (char* ip = X509_VERIFY_PARAM_get1_ip_asc(p)) {
        name += ",ip=";
        name += ip;
        OPENSSL_free(ip);
    }
    return name;
}

int verify_with_cache(X509_STORE_CTX* ctx, void* arg) {
    const auto& v = *static_cast<const chain_verifier*>(arg);
    verified_chain_cache::key k;
    const bool cacheable = X509_STORE_CTX_get0_store(ctx) == v.store && [&] {
        const auto name = verification_name(X509_STORE_CTX_get0_param(ctx));
        return !name.empty() && verified_chain_cache::make_key(name, X509_STORE_CTX_get0_untrusted(ctx), k);
    }();
    if (cacheable) {
        if (STACK_OF(X509)* chain = v.cache->find(k, X509_STORE_CTX_get0_cert(ctx), std::time(nullptr))) {
            // What X509_verify_cert leaves on success: the verified chain and no error (the
            // SSL copies both: SSL_get0_verified_chain, SSL_get_verify_result).
            X509_STORE_CTX_set0_verified_chain(ctx, chain);
            X509_STORE_CTX_set_error(ctx, X509_V_OK);
            return 1;
        }
    }
    const int ok = X509_verify_cert(ctx);
    if (cacheable && ok == 1 && X509_STORE_CTX_get_error(ctx) == X509_V_OK)
        v.cache->remember(k, X509_STORE_CTX_get0_chain(ctx));
    return ok;
}

}  // namespace wv::tls
