#pragma once
// The AWS IoT registry on this machine: what the control-plane API reads and writes and what
// the gateway consults when a device connects with a certificate.
//
//   wv::registry::registry reg({.acct = {.region = "eu-central-1"}, .state = "registry.db"});
//   auto t = reg.create_thing("dev1", "", {{"model", "w1"}});
//   auto keys = reg.create_keys_and_certificate(true);           // ACTIVE, RSA-2048 as AWS
//   reg.create_policy("p", R"({"Version":"2012-10-17","Statement":[...]})");
//   reg.attach_policy("p", keys.value().certificate.arn);
//   auto who = reg.identify(keys.value().certificate.id);        // on the device's connect
//
// Semantics are AWS's where it documents them: certificate status transitions
// (UpdateCertificate refuses PENDING_TRANSFER/PENDING_ACTIVATION and leaves REVOKED only by
// deletion), DeleteCertificate (ACTIVE -> CertificateStateException; attached things or,
// without forceDelete, policies -> DeleteConflictException), policies (documents validated by
// src/policy and AWS's 2,048-character limit, at most 5 versions, the default version not
// deletable, a policy with targets or old versions not deletable), thing versions
// (expectedVersion), DeleteThing of a missing thing succeeds, of one with principals fails.
// Each refusal is an `error` whose errc is the AWS error type the API answers with.
//
// State: an in-memory index, written through to SQLite (sqlite_store) before each call
// returns, and loaded from it at construction: a restart keeps everything. A write_batch groups
// the writes of several calls (RegisterThing's thing, group, policy, attachments and
// certificate status) into one durable acknowledgement instead of one fsync each.
//
// Threading: every member function may be called from any thread. Reads take a shared lock
// (identify() on the gateway's I/O threads never waits for another read); writes take it
// exclusively for the in-memory change and the SQLite commit. Key generation and signing run
// outside the lock. Listeners (on_certificate_status) are called after the change, outside
// the lock, on the writing thread.
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "registry/amazon_ca.hpp"
#include "registry/errors.hpp"
#include "registry/model.hpp"
#include "registry/provisioning_model.hpp"
#include "registry/sqlite_store.hpp"

namespace wv::registry {

struct registry_options {
    account acct{};
    std::filesystem::path state{};   // SQLite file; empty: in memory only
    // CreateKeysAndCertificate's key type. AWS issues RSA-2048; ec_p256 is a faster stand-in
    // for load tests and is NOT what AWS issues.
    issued_key key_type = issued_key::rsa_2048;
};

// A page request: `marker` is what the previous page returned (empty: from the start).
struct page_request {
    std::string marker{};
    std::size_t page_size = 25;
    bool ascending = true;
};

template <class T>
struct page {
    std::vector<T> items{};
    std::string next{};  // empty: no more
};

struct thing_filter {
    std::optional<std::string> attribute_name{}, attribute_value{};
    bool prefix_value = false;  // usePrefixAttributeValue
    std::optional<std::string> thing_type{};
};

struct created_keys {
    certificate cert;
    issued_keys keys;
};

// UpdateProvisioningTemplate's optional fields (unset: unchanged).
struct provisioning_template_update {
    std::optional<std::string> description{};
    std::optional<bool> enabled{};
    std::optional<std::int64_t> default_version{};
    std::optional<std::string> role_arn{};
    std::optional<provisioning_hook> hook{};
    bool remove_hook = false;
};

struct created_claim {
    provisioning_claim claim;
    issued_keys keys;
};

// What the gateway needs when a device presents a certificate.
struct certificate_identity {
    bool known = false;                     // registered here
    cert_status status = cert_status::inactive;
    std::string ca_id{};                    // empty: not registered with a CA
    bool ca_active = true;                  // false: its CA is registered and INACTIVE
    std::vector<std::string> policy_documents{};  // default versions of the policies attached
                                                  // to it, and to the groups of its things
    std::vector<thing> things{};            // things it is attached to (AttachThingPrincipal)
};

// A certificate's status changed (certificate_id set), or a CA's (ca_certificate_id set,
// certificate_id empty: it concerns every certificate registered under it).
struct certificate_change {
    std::string certificate_id{};
    std::string ca_certificate_id{};
    std::optional<cert_status> status{};  // nullopt: deleted; a CA's: active or inactive
};

class registry {
public:
    explicit registry(registry_options options = {});  // throws std::runtime_error (state file)
    ~registry();
    registry(const registry&) = delete;
    registry& operator=(const registry&) = delete;

    const account& acct() const { return opts_.acct; }
    std::string certificate_arn(const std::string& id) const { return opts_.acct.arn("cert", id); }

    // Things, thing types, thing groups (registry_things.cpp).
    outcome<thing> create_thing(const std::string& name, const std::string& type,
                                const std::map<std::string, std::string>& attributes);
    outcome<thing> describe_thing(const std::string& name) const;
    outcome<page<thing>> list_things(const thing_filter& filter, const page_request& p) const;
    status update_thing(const std::string& name, const std::optional<std::string>& type, bool remove_type,
                        const std::optional<std::map<std::string, std::string>>& attributes, bool merge,
                        std::optional<std::int64_t> expected_version);
    status delete_thing(const std::string& name, std::optional<std::int64_t> expected_version);

    outcome<thing_type> create_thing_type(const std::string& name, const std::string& description,
                                          const std::vector<std::string>& searchable);
    outcome<thing_type> describe_thing_type(const std::string& name) const;
    outcome<page<thing_type>> list_thing_types(const std::optional<std::string>& name, const page_request& p) const;
    status deprecate_thing_type(const std::string& name, bool undo);
    status delete_thing_type(const std::string& name);

    outcome<thing_group> create_thing_group(const std::string& name, const std::string& parent,
                                            const std::string& description,
                                            const std::map<std::string, std::string>& attributes);
    outcome<thing_group> describe_thing_group(const std::string& name) const;
    outcome<page<thing_group>> list_thing_groups(const std::optional<std::string>& parent,
                                                 const std::optional<std::string>& name_prefix,
                                                 const page_request& p) const;
    status delete_thing_group(const std::string& name, std::optional<std::int64_t> expected_version);
    status add_thing_to_group(const std::string& group, const std::string& thing);
    status remove_thing_from_group(const std::string& group, const std::string& thing);
    outcome<page<thing_group>> groups_for_thing(const std::string& thing, const page_request& p) const;
    outcome<page<std::string>> things_in_group(const std::string& group, const page_request& p) const;

    // Certificates and CA certificates (registry_certificates.cpp).
    outcome<created_keys> create_keys_and_certificate(bool set_active);
    outcome<certificate> create_certificate_from_csr(const std::string& csr_pem, bool set_active);
    outcome<certificate> register_certificate(const std::string& pem, const std::string& ca_pem,
                                              const std::optional<std::string>& status_name, bool set_active);
    outcome<certificate> register_certificate_without_ca(const std::string& pem,
                                                         const std::optional<std::string>& status_name);
    outcome<certificate> describe_certificate(const std::string& id) const;
    // ca_id: only certificates registered with that CA (ListCertificatesByCA).
    outcome<page<certificate>> list_certificates(const std::optional<std::string>& ca_id, const page_request& p) const;
    status update_certificate(const std::string& id, const std::string& new_status);
    status delete_certificate(const std::string& id, bool force);

    std::string registration_code();
    outcome<ca_certificate> register_ca_certificate(const std::string& ca_pem, const std::string& verification_pem,
                                                    bool set_active, bool allow_auto_registration,
                                                    const nlohmann::json& registration_config,
                                                    const std::string& mode);
    outcome<ca_certificate> describe_ca_certificate(const std::string& id) const;
    status update_ca_certificate(const std::string& id, const std::optional<std::string>& new_status,
                                 const std::optional<std::string>& new_auto_registration,
                                 const std::optional<nlohmann::json>& registration_config, bool remove_auto_registration);
    outcome<page<ca_certificate>> list_ca_certificates(const page_request& p) const;
    status delete_ca_certificate(const std::string& id);
    const std::string& amazon_ca_pem() const;

    // Policies, attachments, principals (registry_policies.cpp).
    outcome<policy> create_policy(const std::string& name, const std::string& document);
    outcome<policy> get_policy(const std::string& name) const;
    outcome<page<policy>> list_policies(const page_request& p) const;
    status delete_policy(const std::string& name);
    outcome<policy_version> create_policy_version(const std::string& name, const std::string& document,
                                                  bool set_default);
    status delete_policy_version(const std::string& name, const std::string& version);
    status set_default_policy_version(const std::string& name, const std::string& version);
    status attach_policy(const std::string& name, const std::string& target);
    status detach_policy(const std::string& name, const std::string& target);
    // `recursive` (ListAttachedPolicies' recursive=true): for a thing group, its ancestors'
    // policies too (AWS: a group's policies apply to the things of its child groups).
    outcome<page<std::string>> attached_policies(const std::string& target, const page_request& p,
                                                 bool recursive = false) const;
    outcome<page<std::string>> policy_targets(const std::string& name, const page_request& p) const;
    status attach_thing_principal(const std::string& thing, const std::string& principal);
    status detach_thing_principal(const std::string& thing, const std::string& principal);
    outcome<page<std::string>> thing_principals(const std::string& thing, const page_request& p) const;
    outcome<page<std::string>> principal_things(const std::string& principal, const page_request& p) const;

    // Topic rules (registry_rules.cpp): the SQL is compiled by src/rules before it is kept.
    status create_topic_rule(const std::string& name, const nlohmann::json& payload);
    status replace_topic_rule(const std::string& name, const nlohmann::json& payload);
    outcome<topic_rule> get_topic_rule(const std::string& name) const;
    outcome<page<topic_rule>> list_topic_rules(const std::optional<std::string>& topic,
                                               std::optional<bool> disabled, const page_request& p) const;
    status delete_topic_rule(const std::string& name);
    status set_topic_rule_enabled(const std::string& name, bool enabled);
    std::vector<topic_rule> topic_rules() const;

    // Fleet provisioning (registry_provisioning.cpp). Template bodies are checked by the caller
    // (src/provisioning's parse_template) before they are kept. At most 5 versions per
    // template; the default version cannot be deleted.
    outcome<provisioning_template_record> create_provisioning_template(provisioning_template_record t);
    outcome<provisioning_template_record> describe_provisioning_template(const std::string& name) const;
    outcome<page<provisioning_template_record>> list_provisioning_templates(const page_request& p) const;
    status update_provisioning_template(const std::string& name, const provisioning_template_update& u);
    status delete_provisioning_template(const std::string& name);
    outcome<provisioning_template_version> create_provisioning_template_version(const std::string& name,
                                                                                const std::string& body,
                                                                                bool set_default);
    status delete_provisioning_template_version(const std::string& name, std::int64_t version);
    // Certificates the fleet-provisioning MQTT API issues (PENDING_ACTIVATION until RegisterThing).
    outcome<created_keys> issue_keys_and_certificate(cert_status s);
    outcome<certificate> issue_certificate_from_csr(const std::string& csr_pem, cert_status s);
    // RegisterThing's activation: any status to `s`, without UpdateCertificate's transition
    // rules (PENDING_ACTIVATION -> ACTIVE is what provisioning does).
    status set_certificate_status(const std::string& id, cert_status s);
    // CreateProvisioningClaim: a claim certificate for an existing template, valid for `ttl`
    // seconds (AWS: 300); identify() knows it (ACTIVE with its claim policy) until it expires.
    outcome<created_claim> create_provisioning_claim(const std::string& template_name, double ttl_seconds);
    std::optional<provisioning_claim> find_provisioning_claim(const std::string& certificate_id) const;
    // Tags (registry_tags.cpp), by resource ARN, on what AWS IoT tags here: policies, thing
    // groups, thing types, topic rules and CA certificates. AWS's limits: 50 tags, keys 1..128
    // characters not starting with "aws:", values up to 256. Deleting a resource drops its tags.
    using tag_map = std::map<std::string, std::string>;
    status tag_resource(const std::string& arn, const tag_map& tags);
    // The limits alone (a create call checks its tags before it creates anything).
    static status check_tags(const tag_map& tags);
    status untag_resource(const std::string& arn, const std::vector<std::string>& keys);
    outcome<page<std::pair<std::string, std::string>>> list_tags_for_resource(const std::string& arn,
                                                                            const page_request& p) const;

    // The gateway's view of a certificate (by certificateId). Never fails: unknown ids give
    // known == false.
    certificate_identity identify(const std::string& certificate_id) const;
    // Called after a certificate's status changes or it is deleted, and after a CA's status
    // changes. Keeps the listener until the returned handle is released (it must not outlive
    // the registry).
    using certificate_listener = std::function<void(const certificate_change&)>;
    [[nodiscard]] std::shared_ptr<void> on_certificate_change(certificate_listener l);
    // Called after a topic rule is created, replaced, enabled, disabled or deleted.
    [[nodiscard]] std::shared_ptr<void> on_topic_rules_change(std::function<void()> l);

    // Seeding and export (seed.cpp): the whole state as one JSON document with AWS's field
    // names, and the reverse (objects already present are left alone, attachments added).
    nlohmann::json snapshot() const;
    status import(const nlohmann::json& doc);

    struct state;
    class write_batch;
    // Transactions written to the state file so far (each one fsync with a file).
    std::uint64_t store_transactions() const { return store_->transactions(); }

private:
    status commit(const std::vector<store_op>& ops);
    void notify_certificates(const std::vector<certificate_change>& changes);
    void notify_rules();
    void drop_tags(const std::string& arn);  // mu_ held (unique): the resource was deleted
    outcome<certificate> add_certificate(const std::string& pem, const std::string& ca_id, cert_status s,
                                         const std::string& mode, bool must_be_new);

    registry_options opts_;
    std::unique_ptr<sqlite_store> store_;
    std::unique_ptr<amazon_ca> ca_;
    mutable std::shared_mutex mu_;
    std::unique_ptr<state> st_;
    std::mutex listeners_mu_;
    std::vector<std::shared_ptr<certificate_listener>> cert_listeners_;
    std::vector<std::shared_ptr<std::function<void()>>> rule_listeners_;
};

// The writes this thread makes to one registry while a batch is open are applied to the
// in-memory state at once (other threads see them, in order) and queued for the disk without
// waiting; finish(done) calls `done` once all of them are on disk, without blocking this
// thread. The store's group commit writes everything queued at a time in one transaction, so a
// batch's writes usually share one fsync with each other and with other batches'. Each call
// inside the batch returns before its change is durable, so the caller must not acknowledge
// anything to anyone before `done`. Order is kept across threads (a write is on disk only if
// every earlier one is), so nothing acknowledged depends on something lost; a batch is not
// atomic: a crash before `done` may keep part of it (as separate calls would).
//
//   registry::write_batch batch(reg);
//   reg.create_thing(...); reg.attach_thing_principal(...);      // applied, not yet durable
//   batch.finish([](status e) { /* e: nullopt once durable, else why nothing may be trusted */ });
//
// `done` runs on the store's thread (must not block), or at once when nothing was written. A
// batch left without finish() waits in its destructor. Batches do not nest.
class registry::write_batch {
public:
    explicit write_batch(registry& reg);
    ~write_batch();
    write_batch(const write_batch&) = delete;
    write_batch& operator=(const write_batch&) = delete;
    void finish(std::function<void(status)> done);

private:
    friend class registry;
    registry& reg_;
    bool wrote_ = false, finished_ = false;
};

}  // namespace wv::registry
