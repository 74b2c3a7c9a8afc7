#include "provisioning/provisioning_service.hpp"

#include <thread>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "provisioning/apply_plan.hpp"
#include "provisioning/pre_provisioning_hook.hpp"
#include "provisioning/provisioning_template.hpp"
#include "registry/certificate_pem.hpp"

namespace wv::provisioning {

using nlohmann::json;
using std::chrono::system_clock;

struct provisioning_service::pool {
    explicit pool(std::size_t n) : workers(n) {}
    boost::asio::thread_pool workers;
};

struct provisioning_service::register_job {
    provisioning_request request;
    request_topic topic;
    completion done;
    std::string token;
    std::string certificate_id;
    std::map<std::string, std::string> parameters;
    registry::provisioning_template_record record;
    std::chrono::nanoseconds hook_time{0};
};

std::string accepted_topic(std::string_view request_topic) { return std::string(request_topic) + "/accepted"; }
std::string rejected_topic(std::string_view request_topic) { return std::string(request_topic) + "/rejected"; }

namespace {

provisioning_reply rejection(const provisioning_request& r, payload_format f, const api_error& e) {
    return {rejected_topic(r.topic), encode_payload(error_body(e), f), false,
            std::to_string(e.status_code) + " " + e.error_code + ": " + e.message, {}};
}

provisioning_reply acceptance(const provisioning_request& r, payload_format f, const json& body, std::string log) {
    return {accepted_topic(r.topic), encode_payload(body, f), true, std::move(log), {}};
}

std::optional<api_error> token_refusal(ownership_tokens::verdict v) {
    const auto bad = [](const char* m) { return api_error{400, "InvalidCertificateOwnershipToken", m}; };
    switch (v) {
        case ownership_tokens::verdict::ok: return std::nullopt;
        case ownership_tokens::verdict::empty: return bad("Certificate ownership token cannot be empty.");
        case ownership_tokens::verdict::expired: return bad("Certificate ownership token has expired.");
        case ownership_tokens::verdict::unknown: break;
    }
    return bad("Certificate ownership token is invalid.");
}

}  // namespace

provisioning_service::provisioning_service(registry::registry& reg, provisioning_options options)
    : reg_(reg), opts_(std::move(options)), tokens_(opts_.token_ttl),
      pool_(std::make_unique<pool>(std::max<std::size_t>(1, opts_.threads))) {}

provisioning_service::~provisioning_service() {
    // Hooks first: their pending calls complete (shut_down) into the still-running workers.
    std::map<std::string, std::unique_ptr<auth::authorizer_service>> hooks;
    {
        std::lock_guard lock(mu_);
        hooks.swap(hooks_);
    }
    hooks.clear();
    pool_->workers.join();
    // Replies waiting for the registry's disk write complete on the store's thread.
    while (pending_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

metrics::histogram provisioning_service::hook_times() const {
    std::lock_guard lock(mu_);
    return hook_times_;
}

bool provisioning_service::handles(std::string_view topic) { return parse_request_topic(topic).has_value(); }

provisioning_stats provisioning_service::stats() const {
    std::lock_guard lock(mu_);
    return stats_;
}

void provisioning_service::complete(const completion& done, provisioning_reply reply) {
    {
        std::lock_guard lock(mu_);
        ++(reply.accepted ? stats_.accepted : stats_.rejected);
    }
    --pending_;
    done(std::move(reply));
}

void provisioning_service::submit(provisioning_request r, completion done) {
    const auto t = parse_request_topic(r.topic);
    {
        std::lock_guard lock(mu_);
        ++stats_.requests;
    }
    if (!t) {
        // Not a request topic: the caller should not have handed it over; answered anyway.
        ++pending_;
        complete(done, rejection(r, payload_format::json, {400, "InvalidRequest", "Not a provisioning request topic."}));
        return;
    }
    if (pending_.fetch_add(1) >= opts_.max_pending) {
        {
            std::lock_guard lock(mu_);
            ++stats_.throttled;
        }
        complete(done, rejection(r, t->format, {429, "Throttling", "Too many provisioning requests in progress."}));
        return;
    }
    boost::asio::post(pool_->workers, [this, r = std::move(r), t = *t, done = std::move(done)]() mutable {
        run(std::move(r), t, std::move(done));
    });
}

void provisioning_service::run(provisioning_request r, const request_topic& t, completion done) {
    sweep_expired_certificates();
    auto body = decode_payload(r.payload, t.format);
    if (auto* e = std::get_if<api_error>(&body)) return complete(done, rejection(r, t.format, *e));
    auto& b = std::get<json>(body);
    try {
        switch (t.op) {
            case operation::create_keys_and_certificate:
            case operation::create_certificate_from_csr: {
                registry::registry::write_batch batch(reg_);
                auto reply = t.op == operation::create_keys_and_certificate ? create_keys(r, t, b) : create_from_csr(r, t, b);
                return complete_when_saved(batch, done, std::move(reply), r, t.format);
            }
            case operation::register_thing: {
                auto job = std::make_shared<register_job>();
                job->request = std::move(r);
                job->topic = t;
                job->done = std::move(done);
                const auto token = b.find("certificateOwnershipToken");
                if (token != b.end() && !token->is_string() && !token->is_null())
                    return complete(job->done, rejection(job->request, t.format,
                                                         {400, "InvalidPayload", "certificateOwnershipToken must be a string."}));
                job->token = token != b.end() && token->is_string() ? token->get<std::string>() : "";
                auto params = string_map(b, "parameters");
                if (auto* e = std::get_if<api_error>(&params)) return complete(job->done, rejection(job->request, t.format, *e));
                job->parameters = std::move(std::get<0>(params));
                return register_thing(std::move(job));
            }
        }
    } catch (const std::exception& e) {
        return complete(done, rejection(r, t.format, {500, "InternalError", e.what()}));
    }
}

std::optional<api_error> provisioning_service::claim_refusal(const provisioning_request& r,
                                                             const std::string* template_name) const {
    if (r.certificate_id.empty()) return std::nullopt;
    const auto claim = reg_.find_provisioning_claim(r.certificate_id);
    if (!claim) return std::nullopt;
    if (claim->expiration <= registry::now_seconds())
        return api_error{403, "AccessDenied", "The provisioning claim certificate has expired (claims are valid for 5 minutes)."};
    if (template_name && claim->template_name != *template_name)
        return api_error{403, "AccessDenied", "The provisioning claim certificate is for template " + claim->template_name +
                                                  ", not " + *template_name + "."};
    return std::nullopt;
}

provisioning_reply provisioning_service::create_keys(const provisioning_request& r, const request_topic& t, const json&) {
    if (auto e = claim_refusal(r, nullptr)) return rejection(r, t.format, *e);
    const auto k = reg_.issue_keys_and_certificate(registry::cert_status::pending_activation);
    if (!k) return rejection(r, t.format, from_registry(k.err()));
    const auto& c = k.value();
    const auto token = tokens_.issue(c.cert.id, system_clock::now());
    return acceptance(r, t.format,
                      {{"certificateId", c.cert.id},
                       {"certificatePem", c.cert.pem},
                       {"privateKey", c.keys.private_key_pem},
                       {"certificateOwnershipToken", token}},
                      "CreateKeysAndCertificate: certificate " + c.cert.id + " (PENDING_ACTIVATION)");
}

provisioning_reply provisioning_service::create_from_csr(const provisioning_request& r, const request_topic& t,
                                                         const json& body) {
    if (auto e = claim_refusal(r, nullptr)) return rejection(r, t.format, *e);
    const auto csr = body.find("certificateSigningRequest");
    if (csr == body.end() || !csr->is_string() || csr->get<std::string>().empty())
        return rejection(r, t.format, {400, "InvalidCSR", "certificateSigningRequest is required (a PEM CSR)."});
    const auto c = reg_.issue_certificate_from_csr(csr->get<std::string>(), registry::cert_status::pending_activation);
    if (!c) {
        auto e = from_registry(c.err());
        if (e.status_code == 400) e.error_code = "InvalidCSR";
        return rejection(r, t.format, e);
    }
    const auto token = tokens_.issue(c.value().id, system_clock::now());
    return acceptance(r, t.format,
                      {{"certificateOwnershipToken", token},
                       {"certificateId", c.value().id},
                       {"certificatePem", c.value().pem}},
                      "CreateCertificateFromCsr: certificate " + c.value().id + " (PENDING_ACTIVATION)");
}

void provisioning_service::register_thing(std::shared_ptr<register_job> job) {
    const auto& r = job->request;
    const auto f = job->topic.format;
    const auto& name = job->topic.template_name;
    const auto found = tokens_.find(job->token, system_clock::now());
    if (auto e = token_refusal(found.v)) return complete(job->done, rejection(r, f, *e));
    job->certificate_id = found.certificate_id;
    const auto rec = reg_.describe_provisioning_template(name);
    if (!rec) return complete(job->done, rejection(r, f, {404, "ResourceNotFound", "Template " + name + " does not exist."}));
    if (!rec.value().enabled)
        return complete(job->done, rejection(r, f, {400, "InvalidRequest", "Template " + name + " is disabled."}));
    if (auto e = claim_refusal(r, &name)) return complete(job->done, rejection(r, f, *e));
    job->record = rec.value();
    if (!job->record.hook) return finish_register(std::move(job));

    const auto cert = reg_.describe_certificate(job->certificate_id);
    if (!cert) return complete(job->done, rejection(r, f, from_registry(cert.err())));
    std::string why_not;
    auth::authorizer_service* hook = hook_service(job->record.hook->target_arn, why_not);
    if (!hook) {
        auto reply = rejection(r, f, {403, "AccessDenied", "The pre-provisioning hook could not be called."});
        reply.log += " (the pre-provisioning hook " + job->record.hook->target_arn + ": " + why_not + ")";
        return complete(job->done, std::move(reply));
    }
    {
        std::lock_guard lock(mu_);
        ++stats_.hook_calls;
    }
    const auto event = hook_event_json({.claim_certificate_id = r.certificate_id,
                                        .certificate_id = job->certificate_id,
                                        .certificate_pem = cert.value().pem,
                                        .template_arn = reg_.acct().arn("provisioningtemplate", name),
                                        .client_id = r.client_id,
                                        .parameters = job->parameters});
    hook->authorize(event, [this, job](auth::authorization_result res) mutable {
        job->hook_time = res.queue_wait + res.call_time;
        {
            std::lock_guard lock(mu_);
            hook_times_.record(job->hook_time);
        }
        const auto refuse = [&](std::string why) {
            auto reply = rejection(job->request, job->topic.format,
                                   {403, "AccessDenied", "The pre-provisioning hook did not allow provisioning."});
            reply.log += " (" + why + ")";
            reply.hook_time = job->hook_time;
            complete(job->done, std::move(reply));
        };
        switch (res.outcome) {
            case auth::authorization_outcome::timeout:
                return refuse("the hook did not answer within " + std::to_string(opts_.hook_deadline.count()) + " ms");
            case auth::authorization_outcome::backend_error:
            case auth::authorization_outcome::overloaded:
            case auth::authorization_outcome::shut_down: {
                std::string why = "the hook failed: " + res.reason;
                for (const auto& l : res.reply.log_lines) why += " | " + l;
                return refuse(why);
            }
            default: break;
        }
        auto verdict = read_hook_reply(res.reply.body);
        if (!verdict.allow) return refuse(verdict.reason);
        for (auto& [k, v] : verdict.overrides) job->parameters[k] = std::move(v);
        boost::asio::post(pool_->workers, [this, job]() mutable { finish_register(std::move(job)); });
    });
}

void provisioning_service::finish_register(std::shared_ptr<register_job> job) {
    const auto& r = job->request;
    const auto f = job->topic.format;
    const auto fail = [&](const api_error& e) {
        auto reply = rejection(r, f, e);
        reply.hook_time = job->hook_time;
        complete(job->done, std::move(reply));
    };
    try {
        registry::registry::write_batch batch(reg_);  // the plan's writes: one transaction, acknowledged together
        const auto parsed = parse_template(job->record.current().body);
        if (const auto* p = std::get_if<template_problem>(&parsed)) return fail({400, "InvalidTemplate", p->message});
        const auto cert = reg_.describe_certificate(job->certificate_id);
        if (!cert) return fail(from_registry(cert.err()));
        const auto& tmpl = std::get<provisioning_template>(parsed);
        certificate_facts facts{job->certificate_id, {}};
        if (tmpl.names_certificate_subject) {  // parsing the certificate costs as much as the template's whole evaluation
            std::string why;
            if (const auto pc = registry::parse_certificate_pem(cert.value().pem, &why)) facts.subject = subject_fields(pc->subject);
        }
        const auto evaluated = evaluate(tmpl, job->parameters, facts);
        if (const auto* p = std::get_if<template_problem>(&evaluated)) return fail({400, "InvalidParameters", p->message});
        const auto& p = std::get<plan>(evaluated);
        if (auto e = apply_plan(reg_, p, job->certificate_id)) return fail(*e);
        tokens_.redeem(job->token);
        json out{{"deviceConfiguration", p.device_configuration}};
        if (p.thing) out["thingName"] = p.thing->name;
        auto reply = acceptance(r, f, out,
                                "RegisterThing " + job->topic.template_name + ": thing " +
                                    (p.thing ? p.thing->name : std::string("(none)")) + ", certificate " +
                                    job->certificate_id + " " + (p.certificate ? p.certificate->status : "unchanged"));
        reply.hook_time = job->hook_time;
        complete_when_saved(batch, job->done, std::move(reply), r, f);
    } catch (const std::exception& e) {
        fail({500, "InternalError", e.what()});
    }
}

void provisioning_service::complete_when_saved(registry::registry::write_batch& batch, const completion& done,
                                               provisioning_reply reply, const provisioning_request& r, payload_format f) {
    batch.finish([this, done, reply = std::move(reply), r, f](registry::status e) mutable {
        if (e && reply.accepted) {
            const auto hook_time = reply.hook_time;
            reply = rejection(r, f, {500, "InternalError", e->message});
            reply.hook_time = hook_time;
        }
        complete(done, std::move(reply));
    });
}

auth::authorizer_service* provisioning_service::hook_service(const std::string& target_arn, std::string& why_not) {
    std::lock_guard lock(mu_);
    if (const auto it = hooks_.find(target_arn); it != hooks_.end()) return it->second.get();
    std::shared_ptr<auth::authorizer_backend> backend;
    try {
        if (opts_.resolve_function) backend = opts_.resolve_function(target_arn);
    } catch (const std::exception& e) {  // a known function that cannot start
        why_not = e.what();
        return nullptr;
    }
    if (!backend) {
        why_not = "not a function this gateway knows (name it under functions:)";
        return nullptr;
    }
    auto svc = std::make_unique<auth::authorizer_service>(
        std::move(backend), auth::authorizer_service_options{.deadline = opts_.hook_deadline,
                                                             .max_concurrency = opts_.hook_concurrency,
                                                             .max_queue = opts_.max_pending});
    return hooks_.emplace(target_arn, std::move(svc)).first->second.get();
}

void provisioning_service::sweep_expired_certificates() {
    for (const auto& id : tokens_.expired(system_clock::now())) {
        const auto c = reg_.describe_certificate(id);
        if (c && c.value().status == registry::cert_status::pending_activation) (void)reg_.delete_certificate(id, true);
    }
}

}  // namespace wv::provisioning
