#include "gateway/memory_certificate_directory.hpp"

#include <algorithm>

namespace wv::gate {

struct memory_certificate_directory::cert_record {
    certificate_status status = certificate_status::active;
    std::string ca_id;
    std::vector<std::pair<std::string, std::string>> policy_documents;  // name, JSON (attach order)
    policy::shared_policy_set policies;                                 // parsed from the above
    std::shared_ptr<const std::vector<thing_identity>> things;
};

struct memory_certificate_directory::ca_record {
    tls::certificate cert;
    certificate_status status = certificate_status::active;
    bool trusted = false;                // trust_ca: signed certificates count as registered
    policy::shared_policy_set policies;  // for those
};

memory_certificate_directory::memory_certificate_directory(std::string region, std::string account)
    : region_(std::move(region)),
      account_(std::move(account)),
      listeners_(std::make_shared<std::vector<std::shared_ptr<status_listener>>>()) {}

memory_certificate_directory::~memory_certificate_directory() = default;

std::string memory_certificate_directory::arn(const std::string& id) const {
    return "arn:aws:iot:" + region_ + ":" + account_ + ":cert/" + id;
}

namespace {

certificate_check check_for(certificate_status s) {
    switch (s) {
        case certificate_status::active: return certificate_check::active;
        case certificate_status::revoked: return certificate_check::revoked;
        case certificate_status::pending_activation: return certificate_check::pending_activation;
        case certificate_status::pending_transfer: return certificate_check::pending_transfer;
        case certificate_status::inactive:
        case certificate_status::register_inactive: return certificate_check::inactive;
    }
    return certificate_check::inactive;
}

// Parses documents into one shared set; error text names the policy.
std::string parse_all(const std::vector<std::pair<std::string, std::string>>& docs, policy::shared_policy_set& out) {
    auto set = std::make_shared<policy::policy_set>();
    for (const auto& [name, text] : docs) {
        auto r = policy::parse_policy(text);
        if (!r.ok()) return "policy " + name + ": " + r.error;
        set->push_back(std::move(*r.value));
    }
    out = std::move(set);
    return {};
}

}  // namespace

certificate_verdict memory_certificate_directory::look_up(const tls::certificate& cert,
                                                          const tls::certificate* /*issuer*/) const {
    certificate_verdict v;
    v.certificate_id = cert.id();
    v.certificate_arn = arn(cert.id());
    std::shared_lock lock(mu_);
    if (auto it = certs_.find(cert.id()); it != certs_.end()) {
        const auto& r = *it->second;
        v.ca_certificate_id = r.ca_id;
        if (!r.ca_id.empty()) {
            auto ca = cas_.find(r.ca_id);
            if (ca != cas_.end() && ca->second->status != certificate_status::active) {
                v.check = certificate_check::ca_inactive;
                v.detail = "its CA " + r.ca_id + " is " + std::string(to_string(ca->second->status));
                return v;
            }
        }
        v.check = check_for(r.status);
        if (!v.active()) {
            v.detail = "certificate " + cert.id() + " is " + std::string(to_string(r.status));
            return v;
        }
        v.policies = r.policies;
        v.things = r.things;
        return v;
    }
    std::string known_ca;
    {
        std::lock_guard l(signed_mu_);
        if (auto it = signed_by_.find(cert.id()); it != signed_by_.end()) known_ca = it->second;
    }
    for (const auto& [id, ca] : cas_) {
        if (!ca->trusted) continue;
        if (known_ca.empty() || known_ca != id) {
            if (!known_ca.empty() || !cert.issued_by(ca->cert)) continue;
            std::lock_guard l(signed_mu_);
            if (signed_by_.size() >= 100'000) signed_by_.clear();
            signed_by_.emplace(cert.id(), id);
        }
        v.ca_certificate_id = id;
        if (ca->status != certificate_status::active) {
            v.check = certificate_check::ca_inactive;
            v.detail = "its CA " + id + " is " + std::string(to_string(ca->status));
            return v;
        }
        v.check = certificate_check::active;
        v.policies = ca->policies;
        return v;
    }
    v.check = certificate_check::unknown;
    v.detail = "certificate " + cert.id() + " (" + cert.subject() + ", issuer " + cert.issuer() +
               ") is not registered";
    return v;
}

std::shared_ptr<void> memory_certificate_directory::subscribe(status_listener listener) {
    auto l = std::make_shared<status_listener>(std::move(listener));
    {
        std::lock_guard lock(listeners_mu_);
        auto next = std::make_shared<std::vector<std::shared_ptr<status_listener>>>(*listeners_);
        next->push_back(l);
        listeners_ = std::move(next);
    }
    // The handle removes the listener when released.
    return std::shared_ptr<void>(nullptr, [this, l](void*) mutable {
        std::lock_guard lock(listeners_mu_);
        auto next = std::make_shared<std::vector<std::shared_ptr<status_listener>>>(*listeners_);
        std::erase(*next, l);
        listeners_ = std::move(next);
        l.reset();
    });
}

void memory_certificate_directory::notify(const certificate_status_change& c) {
    std::shared_ptr<std::vector<std::shared_ptr<status_listener>>> ls;
    {
        std::lock_guard lock(listeners_mu_);
        ls = listeners_;
    }
    for (const auto& l : *ls) (*l)(c);
}

std::string memory_certificate_directory::add_ca(const tls::certificate& ca, certificate_status status) {
    std::unique_lock lock(mu_);
    auto& r = cas_[ca.id()];
    if (!r) r = std::make_shared<ca_record>(ca_record{ca, status, false, nullptr});
    r->status = status;
    return ca.id();
}

std::string memory_certificate_directory::trust_ca(const tls::certificate& ca,
                                                   const std::vector<std::string>& policy_documents) {
    std::vector<std::pair<std::string, std::string>> docs;
    for (std::size_t i = 0; i < policy_documents.size(); ++i)
        docs.emplace_back("certificate_policies[" + std::to_string(i) + "]", policy_documents[i]);
    policy::shared_policy_set set;
    if (auto e = parse_all(docs, set); !e.empty()) return e;
    std::unique_lock lock(mu_);
    auto& r = cas_[ca.id()];
    if (!r) r = std::make_shared<ca_record>(ca_record{ca, certificate_status::active, false, nullptr});
    r->trusted = true;
    r->policies = std::move(set);
    return {};
}

std::string memory_certificate_directory::add_certificate(const tls::certificate& cert, certificate_status status,
                                                          const std::string& ca_id) {
    std::unique_lock lock(mu_);
    auto& r = certs_[cert.id()];
    if (!r) r = std::make_shared<cert_record>();
    r->status = status;
    r->ca_id = ca_id;
    return cert.id();
}

bool memory_certificate_directory::set_status(const std::string& certificate_id, certificate_status status) {
    {
        std::unique_lock lock(mu_);
        auto it = certs_.find(certificate_id);
        if (it == certs_.end()) return false;
        it->second->status = status;
    }
    notify({.certificate_id = certificate_id, .ca_certificate_id = {}, .status = status});
    return true;
}

bool memory_certificate_directory::set_ca_status(const std::string& ca_id, certificate_status status) {
    {
        std::unique_lock lock(mu_);
        auto it = cas_.find(ca_id);
        if (it == cas_.end()) return false;
        it->second->status = status;
    }
    notify({.certificate_id = {}, .ca_certificate_id = ca_id, .status = status});
    return true;
}

std::string memory_certificate_directory::attach_policy(const std::string& certificate_id,
                                                        const std::string& policy_name, const std::string& document) {
    std::unique_lock lock(mu_);
    auto it = certs_.find(certificate_id);
    if (it == certs_.end()) return "no certificate " + certificate_id;
    auto docs = it->second->policy_documents;
    std::erase_if(docs, [&](const auto& d) { return d.first == policy_name; });
    docs.emplace_back(policy_name, document);
    policy::shared_policy_set set;
    if (auto e = parse_all(docs, set); !e.empty()) return e;
    it->second->policy_documents = std::move(docs);
    it->second->policies = std::move(set);
    return {};
}

bool memory_certificate_directory::detach_policy(const std::string& certificate_id, const std::string& policy_name) {
    std::unique_lock lock(mu_);
    auto it = certs_.find(certificate_id);
    if (it == certs_.end()) return false;
    auto& docs = it->second->policy_documents;
    const auto n = std::erase_if(docs, [&](const auto& d) { return d.first == policy_name; });
    policy::shared_policy_set set;
    parse_all(docs, set);  // parsed before: cannot fail
    it->second->policies = std::move(set);
    return n > 0;
}

bool memory_certificate_directory::attach_thing(const std::string& certificate_id, thing_identity thing) {
    std::unique_lock lock(mu_);
    auto it = certs_.find(certificate_id);
    if (it == certs_.end()) return false;
    auto things = it->second->things ? std::make_shared<std::vector<thing_identity>>(*it->second->things)
                                     : std::make_shared<std::vector<thing_identity>>();
    std::erase_if(*things, [&](const auto& t) { return t.name == thing.name; });
    things->push_back(std::move(thing));
    it->second->things = std::move(things);
    return true;
}

bool memory_certificate_directory::remove_certificate(const std::string& certificate_id) {
    std::unique_lock lock(mu_);
    return certs_.erase(certificate_id) > 0;
}

}  // namespace wv::gate
