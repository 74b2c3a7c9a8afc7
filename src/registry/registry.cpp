// The registry's core: loading the state, committing changes, the gateway's lookup, listeners.
#include "registry/registry.hpp"

#include <mutex>
#include <stdexcept>

#include "registry/registry_state.hpp"

namespace wv::registry {

bool is_valid_name(const std::string& s, std::string_view extra) {
    if (s.empty() || s.size() > 128) return false;
    for (const char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && extra.find(c) == std::string_view::npos) return false;
    return true;
}

namespace {

template <class T>
void load_kind(const sqlite_store& store, const char* k, std::map<std::string, T>& into) {
    for (const auto& [key, body] : store.load(k)) {
        try {
            into.emplace(key, nlohmann::json::parse(body).template get<T>());
        } catch (const std::exception& e) {
            throw std::runtime_error("registry state " + store.file().string() + ": " + k + " '" + key +
                                     "': " + e.what());
        }
    }
}

void load_relation(const sqlite_store& store, const char* k, relation& into) {
    for (const auto& [key, body] : store.load(k)) {
        const auto nl = key.find('\n');
        if (nl != std::string::npos) into.add(key.substr(0, nl), key.substr(nl + 1));
    }
}

}  // namespace

registry::registry(registry_options options)
    : opts_(std::move(options)), store_(std::make_unique<sqlite_store>(opts_.state)), st_(std::make_unique<state>()) {
    auto& s = *st_;
    load_kind(*store_, kind::thing, s.things);
    load_kind(*store_, kind::thing_type, s.types);
    load_kind(*store_, kind::thing_group, s.groups);
    load_kind(*store_, kind::certificate, s.certs);
    load_kind(*store_, kind::ca, s.cas);
    load_kind(*store_, kind::policy, s.policies);
    load_kind(*store_, kind::rule, s.rules);
    load_kind(*store_, kind::provisioning_template, s.templates);
    load_kind(*store_, kind::provisioning_claim, s.claims);
    load_relation(*store_, kind::policy_target, s.policy_targets);
    load_relation(*store_, kind::thing_principal, s.thing_principals);
    load_relation(*store_, kind::group_thing, s.group_things);
    for (auto& [arn, body] : store_->load(kind::tags))
        s.tags[arn] = nlohmann::json::parse(body).get<std::map<std::string, std::string>>();
    std::map<std::string, std::string> meta;
    for (auto& [k, v] : store_->load(kind::meta)) meta[k] = v;
    // The Amazon CA stand-in and the registration code are state too: certificates issued
    // before a restart must still chain, and a verification certificate made for the code
    // must still verify.
    std::vector<store_op> ops;
    if (meta.count("amazon_ca_cert") && meta.count("amazon_ca_key")) {
        ca_ = std::make_unique<amazon_ca>(amazon_ca::from_pem(meta["amazon_ca_cert"], meta["amazon_ca_key"]));
    } else {
        ca_ = std::make_unique<amazon_ca>(amazon_ca::generate());
        ops.push_back({kind::meta, "amazon_ca_cert", ca_->certificate_pem()});
        ops.push_back({kind::meta, "amazon_ca_key", ca_->private_key_pem()});
    }
    if (meta.count("registration_code")) {
        s.registration_code = meta["registration_code"];
    } else {
        s.registration_code = new_hex(32);
        ops.push_back({kind::meta, "registration_code", s.registration_code});
    }
    if (auto e = store_->apply(ops)) throw std::runtime_error("registry state " + opts_.state.string() + ": " + *e);
}

registry::~registry() = default;

namespace {
thread_local registry::write_batch* open_batch = nullptr;

error store_error(const std::string& why) {
    return error{errc::internal, "the registry could not save the change (" + why + "); nothing was changed"};
}
}  // namespace

status registry::commit(const std::vector<store_op>& ops) {
    if (open_batch && &open_batch->reg_ == this) {
        // Applied in order now, acknowledged by the batch's finish().
        if (auto e = store_->broken()) return store_error(*e);
        store_->submit(ops);
        open_batch->wrote_ = true;
        return std::nullopt;
    }
    if (auto e = store_->apply(ops)) return store_error(*e);
    return std::nullopt;
}

registry::write_batch::write_batch(registry& reg) : reg_(reg) {
    if (open_batch) throw std::logic_error("registry::write_batch: batches do not nest");
    open_batch = this;
}

registry::write_batch::~write_batch() {
    if (open_batch == this) open_batch = nullptr;
    if (!finished_ && wrote_) (void)reg_.store_->apply({});
}

void registry::write_batch::finish(std::function<void(status)> done) {
    if (open_batch == this) open_batch = nullptr;
    finished_ = true;
    if (!wrote_) return done(std::nullopt);
    reg_.store_->submit({}, [done = std::move(done)](std::optional<std::string> e) {
        if (!e) return done(std::nullopt);
        done(error{errc::internal, "the registry could not save the change (" + *e + ")"});
    });
}

const std::string& registry::amazon_ca_pem() const { return ca_->certificate_pem(); }

certificate_identity registry::identify(const std::string& certificate_id) const {
    certificate_identity out;
    std::shared_lock lock(mu_);
    const auto& s = *st_;
    const auto it = s.certs.find(certificate_id);
    if (it == s.certs.end()) {
        // A claim certificate (CreateProvisioningClaim): active with its claim policy until it expires.
        if (const auto c = s.claims.find(certificate_id); c != s.claims.end()) {
            out.known = true;
            out.status = c->second.expiration > now_seconds() ? cert_status::active : cert_status::inactive;
            out.policy_documents.push_back(claim_policy_document(opts_.acct, c->second.template_name));
        }
        return out;
    }
    const certificate& c = it->second;
    out.known = true;
    out.status = c.status;
    out.ca_id = c.ca_id;
    if (!c.ca_id.empty())
        if (const auto ca = s.cas.find(c.ca_id); ca != s.cas.end()) out.ca_active = ca->second.active;
    const std::string arn = opts_.acct.arn("cert", c.id);
    std::set<std::string> names(s.policy_targets.to(arn).begin(), s.policy_targets.to(arn).end());
    for (const auto& t : s.thing_principals.to(arn)) {
        if (const auto th = s.things.find(t); th != s.things.end()) out.things.push_back(th->second);
        for (const auto& g : s.group_things.to(t))
            for (const auto& p : s.policy_targets.to(opts_.acct.arn("thinggroup", g))) names.insert(p);
    }
    for (const auto& n : names)
        if (const auto p = s.policies.find(n); p != s.policies.end()) out.policy_documents.push_back(p->second.current().document);
    return out;
}

namespace {
// Adds `l` to `list` and returns a handle that removes it again.
template <class F>
std::shared_ptr<void> keep(std::mutex& mu, std::vector<std::shared_ptr<F>>& list, F l) {
    auto p = std::make_shared<F>(std::move(l));
    {
        std::lock_guard lock(mu);
        list.push_back(p);
    }
    return std::shared_ptr<void>(nullptr, [&mu, &list, p](void*) {
        std::lock_guard lock(mu);
        std::erase(list, p);
    });
}
}  // namespace

std::shared_ptr<void> registry::on_certificate_change(certificate_listener l) {
    return keep(listeners_mu_, cert_listeners_, std::move(l));
}

std::shared_ptr<void> registry::on_topic_rules_change(std::function<void()> l) {
    return keep(listeners_mu_, rule_listeners_, std::move(l));
}

void registry::notify_certificates(const std::vector<certificate_change>& changes) {
    std::vector<std::shared_ptr<certificate_listener>> ls;
    {
        std::lock_guard lock(listeners_mu_);
        ls = cert_listeners_;
    }
    for (const auto& c : changes)
        for (const auto& l : ls) (*l)(c);
}

void registry::notify_rules() {
    std::vector<std::shared_ptr<std::function<void()>>> ls;
    {
        std::lock_guard lock(listeners_mu_);
        ls = rule_listeners_;
    }
    for (const auto& l : ls) (*l)();
}

}  // namespace wv::registry
