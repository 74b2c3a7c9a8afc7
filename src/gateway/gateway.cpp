// The gateway: I/O threads (one io_context each), listeners, TLS contexts, authorizer
// services, the broker, metrics. Connections are accepted on thread 0 and handed to the
// threads round-robin; each then lives on its thread (see connection.hpp).
#include "gateway/gateway.hpp"

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <iterator>
#include <future>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "auth/authorizer_service.hpp"
#include "auth/custom_authorizers.hpp"
#include "auth/http_authentication.hpp"
#include "auth/iam_keys.hpp"
#include "control_plane/control_plane_server.hpp"
#include "gateway/authorizer_setup.hpp"
#include "gateway/certificate_sessions.hpp"
#include "gateway/connection.hpp"
#include "net/timer_wheel.hpp"
#include "gateway/gateway_metrics.hpp"
#include "gateway/jitr_registrar.hpp"
#include "gateway/mqtt5_properties.hpp"
#include "gateway/memory_certificate_directory.hpp"
#include "gateway/metrics_http.hpp"
#include "gateway/registry_certificate_directory.hpp"
#include "gateway/tls_setup.hpp"
#include "policy/policy.hpp"
#include "provisioning/provisioning_service.hpp"
#include "provisioning/provisioning_template.hpp"
#include "registry/registry.hpp"
#include "registry/seed.hpp"
#include "rules_engine/engine.hpp"
#include "gateway/api_rules.hpp"

namespace wv::gate {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct listener_state {
    listener_config cfg;
    std::unique_ptr<tls::server_context> tls;  // null for plain
    std::unique_ptr<tcp::acceptor> acceptor;
    std::uint16_t port = 0;
};

struct gateway::impl {
    gateway_config config;
    counters stats;
    std::unique_ptr<event_log> log;
    // The registry and its control plane outlive everything that calls them (authorizer
    // backends' boto3 clients, connections looking up certificates).
    std::unique_ptr<wv::registry::registry> reg;
    std::unique_ptr<control_plane::control_plane_server> control_plane;
    // Fleet provisioning's MQTT API; its replies go through the broker (reset before it).
    std::unique_ptr<provisioning::provisioning_service> provisioning;
    // Declared before everything that may post to them, so they are destroyed last.
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    std::vector<std::thread> threads;
    std::unique_ptr<broker> brk;
    policy::policy_set_cache policy_cache;
    std::unique_ptr<connect_throttle> throttle;
    // The `functions:` section, started on first use and shared by authorizers and rules;
    // declared before them so that it outlives their calls.
    std::unique_ptr<wv::functions::function_registry> functions;
    std::unique_ptr<auth::custom_authorizers> authorizers;
    std::map<std::string, std::unique_ptr<auth::authorizer_service>> services;
    // SigV4 keys and the HTTP front's authentication over them and the authorizers above.
    std::unique_ptr<auth::iam_keys> iam;
    std::unique_ptr<auth::http_authenticator> http_auth;
    std::shared_ptr<certificate_directory> certificates;  // config's, or built from the static config
    std::shared_ptr<memory_certificate_directory> static_certificates;  // the built one, if any
    std::shared_ptr<jitr_registrar> jitr;  // just-in-time registration, around `certificates`
    certificate_sessions cert_sessions;
    std::shared_ptr<void> certificate_subscription;
    std::vector<listener_state> listeners;
    certificate_paths certs;
    std::unique_ptr<metrics_server> metrics;
    // Everything /metrics shows: the gateway's (gateway_metrics.hpp) and the rules engine's.
    metrics::registry metric_registry;
    // Topic rules; null when none are configured. Fed by every connection through rules_hook.
    std::unique_ptr<rules_engine::engine> rules;
    // Topic rules created through the control plane (api_rules.hpp); fed by rules_hook too.
    std::unique_ptr<api_rules> live_rules;
    std::function<void(const message&, const std::string&)> rules_hook;
    // Republish actions feed rules_hook from the engines' own threads (republish()); stop()
    // closes that feed under the lock before it destroys the engines, so no action thread is
    // inside one while it goes.
    std::shared_mutex republish_feed_mu;
    bool republish_feed_open = true;
    std::string rules_summary;  // kept after stop() for the exit report
    std::vector<rules_engine::rule_report> rules_report;  // likewise
    std::atomic<std::size_t> next_context{0};
    std::mutex mu;
    std::condition_variable stopped_cv;
    bool started = false, stopped = false;

    // What every connection machine reads (set once in start()).
    machine_env env() {
        return machine_env{.config = &config,
                           .authorizers = authorizers.get(),
                           .policy_cache = &policy_cache,
                           .stats = &stats,
                           .min_log_level = config.level,
                           .has_rules = true,  // topic rules may be created through the API at any time (api_rules.hpp)
                           .provisioning = provisioning != nullptr,
                           .http_auth = http_auth.get()};
    }
    // What the connections' effects change (effect_applier.hpp); set once in start().
    gateway_services shared_state;

    auth::authorizer_service* find_service(const std::string& name) {
        auto it = services.find(name);
        return it == services.end() ? nullptr : it->second.get();
    }
    // The one lookup every connection asks (each keeps a pointer to it, not a copy).
    const authorizer_lookup lookup_authorizer = [this](const std::string& n) { return find_service(n); };

    asio::awaitable<void> accept_loop(listener_state& l);
    asio::awaitable<void> housekeeping();
};

asio::awaitable<void> gateway::impl::accept_loop(listener_state& l) {
    const auto tok = asio::as_tuple(asio::use_awaitable);
    for (;;) {
        auto& ctx = *contexts[next_context++ % contexts.size()];
        auto [ec, sock] = co_await l.acceptor->async_accept(ctx, tok);
        if (ec) {
            if (ec == asio::error::operation_aborted || !l.acceptor->is_open()) co_return;
            // EMFILE and friends: log, back off a little, go on accepting.
            log->emit(log_level::error, {{"eventType", "Listener"}, {"status", "Failure"},
                                         {"listener", l.cfg.name}, {"details", "accept: " + ec.message()}});
            asio::steady_timer t(l.acceptor->get_executor(), std::chrono::milliseconds(50));
            co_await t.async_wait(tok);
            continue;
        }
        bump(stats.connections_accepted);
        if (stats.connections_open.load(std::memory_order_relaxed) >= config.limits.max_connections) {
            bump(stats.connections_refused_limit);
            log->emit(log_level::warn, {{"eventType", "Connect"}, {"status", "Failure"}, {"reason", "THROTTLED"},
                                        {"listener", l.cfg.name},
                                        {"details", "connection limit " + std::to_string(config.limits.max_connections) +
                                                        " reached; closed at once"}});
            boost::system::error_code ignored;
            sock.close(ignored);
            continue;
        }
        tls::stream s = l.tls ? tls::stream(std::move(sock), *l.tls) : tls::stream(std::move(sock));
        asio::co_spawn(ctx,
                       serve_connection(std::move(s), env(), &shared_state, &lookup_authorizer, l.cfg.name, l.cfg.kind),
                       asio::detached);
    }
}

asio::awaitable<void> gateway::impl::housekeeping() {
    const auto tok = asio::as_tuple(asio::use_awaitable);
    asio::steady_timer t(*contexts[0]);
    for (;;) {
        t.expires_after(std::chrono::seconds(1));
        auto [ec] = co_await t.async_wait(tok);
        if (ec) co_return;
        brk->expire(clock::now());
    }
}

namespace {

// The static config's X.509 trust (before the registry): every certificate an X.509
// listener's client CA signed is ACTIVE with certificate_policies.
void trust_client_ca(memory_certificate_directory& dir, const listener_config& l, const certificate_paths& paths,
                     const gateway_config& cfg) {
    if (l.kind == listener_kind::plain) return;
    const auto file = l.client_ca_file.empty() ? paths.ca_cert : l.client_ca_file;
    if (file.empty()) return;
    std::ifstream in(file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto [cas, error] = tls::certificate::all_from_pem(text);
    if (!error.empty() || cas.empty())
        throw std::runtime_error("wvgate: listener " + l.name + ": client CA " + file.string() + ": " +
                                 (error.empty() ? "no certificate in it" : error));
    for (const auto& ca : cas)
        if (auto e = dir.trust_ca(ca, cfg.certificate_policies); !e.empty()) throw std::runtime_error("wvgate: " + e);
}

// AWS publishes the Will on every disconnect the client did not ask for, a server-side one
// included: before the threads stop, stop accepting, then close every connected session as
// SERVER_INITIATED_DISCONNECT (Will, lifecycle event, log line) and give the connections a
// moment to run that. Bounded, so stop() stays prompt with a stuck peer.
void close_sessions_for_shutdown(gateway::impl& m) {
    constexpr auto patience = std::chrono::seconds(2);
    if (!m.brk || m.contexts.empty()) return;
    std::promise<void> closed;
    asio::post(*m.contexts[0], [&m, &closed] {
        for (auto& l : m.listeners) {
            boost::system::error_code ignored;
            if (l.acceptor) l.acceptor->close(ignored);
        }
        closed.set_value();
    });
    const auto until = clock::now() + patience;
    if (closed.get_future().wait_until(until) != std::future_status::ready) return;
    if (m.brk->kick_all(disconnect_reason::server_initiated_disconnect) == 0) return;
    while (m.brk->counts().online > 0 && clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

// The registry (from its state file, then the seed) and the control-plane listener. Throws
// std::runtime_error naming the file or the address.
void start_registry(gateway::impl& m) {
    const auto& cp = m.config.control_plane;
    m.reg = std::make_unique<registry::registry>(registry::registry_options{
        .acct = {.region = m.config.region, .id = m.config.account},
        .state = cp.state,
        .key_type = cp.issue_ec_keys ? registry::issued_key::ec_p256 : registry::issued_key::rsa_2048});
    if (!cp.seed.empty()) registry::seed_registry(*m.reg, cp.seed);
    if (!cp.enabled) return;
    try {
        m.control_plane = std::make_unique<control_plane::control_plane_server>(
            *m.reg, control_plane::server_options{.address = cp.address, .port = cp.port, .threads = 2,
                                                  .api = {.endpoint_address = m.config.endpoint_host,
                                                          .sigv4_keys = cp.sigv4_keys}});
    } catch (const std::exception& e) {
        throw std::runtime_error("wvgate: control_plane: cannot listen on " + cp.address + ":" + std::to_string(cp.port) +
                                 ": " + e.what());
    }
    m.log->emit(log_level::info,
                {{"eventType", "Listener"}, {"status", "Success"}, {"listener", "control_plane"},
                 {"details", "AWS IoT control plane (boto3/aws iot --endpoint-url) on " + m.control_plane->url() +
                                 (cp.state.empty() ? ", registry in memory" : ", registry state " + cp.state.string()) +
                                 (cp.sigv4_keys.empty() ? ", SigV4 not verified" : ", SigV4 verified")}});
}

// The fleet-provisioning service. A hook's targetArn (or name) resolves through `functions:`
// first, as authorizers and rule actions do, then through the older `provisioning.hooks`.
std::unique_ptr<provisioning::provisioning_service> make_provisioning(gateway::impl& m) {
    const auto& pc = m.config.provisioning;
    const backends::local_iot iot{.reg = m.reg.get(), .url = m.control_plane ? m.control_plane->url() : std::string{}};
    auto resolve = [&m, hooks = pc.hooks, iot](const std::string& target) -> std::shared_ptr<auth::authorizer_backend> {
        if (m.functions && m.functions->find(target)) return m.functions->resolve(target).backend;
        // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>] or a bare name.
        std::string name = target;
        if (const auto at = target.find(":function:"); at != std::string::npos) {
            name = target.substr(at + 10);
            name = name.substr(0, name.find(':'));
        }
        const auto it = hooks.find(name);
        return it == hooks.end() ? nullptr : it->second(iot);
    };
    for (const auto& t : pc.templates) {
        const auto parsed = provisioning::parse_template(t.body);
        if (const auto* bad = std::get_if<provisioning::template_problem>(&parsed))
            throw std::runtime_error("wvgate: provisioning.templates " + t.name + ": " + bad->message);
        if (m.reg->describe_provisioning_template(t.name)) continue;  // the registry's (state file) wins
        registry::provisioning_template_record rec;
        rec.name = t.name;
        rec.description = t.description;
        rec.enabled = t.enabled;
        rec.versions.push_back({1, t.body, 0});
        if (!t.hook.empty())
            rec.hook = registry::provisioning_hook{t.hook.rfind("arn:", 0) == 0
                                                       ? t.hook
                                                       : "arn:aws:lambda:" + m.config.region + ":" + m.config.account +
                                                             ":function:" + t.hook};
        if (auto made = m.reg->create_provisioning_template(std::move(rec)); !made)
            throw std::runtime_error("wvgate: provisioning.templates " + t.name + ": " + made.err().message);
    }
    return std::make_unique<provisioning::provisioning_service>(
        *m.reg, provisioning::provisioning_options{.threads = pc.threads,
                                                   .max_pending = pc.max_pending,
                                                   .hook_concurrency = pc.hook_concurrency,
                                                   .resolve_function = std::move(resolve)});
}

// A rule's handler function that calls boto3's 'iot' client (a JITR activation Lambda) reaches
// this gateway's control plane, as a Lambda reaches the account's AWS IoT.
void point_rule_functions_at(rules_engine::engine_config& rules, const std::string& control_plane_url) {
    if (control_plane_url.empty()) return;
    for (auto& r : rules.rules)
        for (auto& a : r.actions)
            if (auto* l = std::get_if<rules_engine::lambda_action_config>(&a))
                if (l->function.kind == backends::backend_kind::handler && l->function.handler.iot_endpoint_url.empty())
                    l->function.handler.iot_endpoint_url = control_plane_url;
}

// JITR's registration event goes where AWS's does: to subscribers and to the topic rules (the
// activation Lambda's trigger); each registration is one log line.
jitr_hooks make_jitr_hooks(gateway::impl& m) {
    return jitr_hooks{
        .publish =
            [&m](std::string topic, std::string payload) {
                const auto msg = std::make_shared<message>(message{std::move(topic), std::move(payload), 1, false, {}, {}, {}});
                if (m.brk) m.brk->publish(msg);
                if (m.rules_hook) m.rules_hook(*msg, {});
            },
        .log =
            [&m](bool ok, const std::string& certificate_id, const std::string& detail) {
                m.log->emit(ok ? log_level::info : log_level::error,
                            {{"eventType", "JustInTimeRegistration"}, {"status", ok ? "Success" : "Failure"},
                             {"principalId", certificate_id}, {"details", detail}});
            },
    };
}

// The function a rule's lambda action names by ARN (...:function:<name>[:qualifier]): one of
// the `functions:` section, else one the configuration's rules name inline.
std::optional<backends::backend_spec> function_named_in_config(const wv::functions::function_registry* fns,
                                                               const rules_engine::engine_config& rules,
                                                               const std::string& arn) {
    if (fns)
        if (const auto* spec = fns->find(arn)) return *spec;
    const auto at = arn.find(":function:");
    if (at == std::string::npos) return std::nullopt;
    auto name = arn.substr(at + 10);
    if (const auto q = name.find(':'); q != std::string::npos) name.resize(q);
    for (const auto& r : rules.rules)
        for (const auto& a : r.actions)
            if (const auto* l = std::get_if<rules_engine::lambda_action_config>(&a); l && l->function.name == name)
                return l->function;
    return std::nullopt;
}

// A republish action's message: it enters the broker like a gateway-generated one (no client),
// with the action's MQTT 5 headers as its properties.
message_ptr republished_message(rules_engine::republish_request r) {
    auto m = message{std::move(r.topic), std::move(r.payload), r.qos, false, {}, forwarded_properties(r.properties), {}};
    if (r.message_expiry_s) m.expires_at = message_expires_at(std::chrono::steady_clock::now(), *r.message_expiry_s);
    m.republish_hops = r.republish_hops;
    return std::make_shared<const message>(std::move(m));
}

// A chain of republish actions this long is a rule loop (a rule republishing into its own
// filter, or two rules into each other's). AWS IoT documents no limit: there each hop is one
// more message and one more rule evaluation, forever; here the chain stops and says so.
constexpr std::uint32_t max_republish_hops = 8;

// Where every republish action's message goes: to the subscribers and, as on AWS ("messages
// republished by a rule act like messages sent by any other AWS IoT device or client"), through
// the topic rules again, unless the chain is a loop.
std::string republish(gateway::impl& m, rules_engine::republish_request r) {
    const auto rule = r.rule;
    const auto msg = republished_message(std::move(r));
    m.brk->publish(msg);
    std::shared_lock feed(m.republish_feed_mu);
    if (!m.republish_feed_open) return {};  // stop(): the engines are going
    if (msg->republish_hops < max_republish_hops) {
        if (m.rules_hook) m.rules_hook(*msg, {});
    } else if (m.log->enabled(log_level::error)) {
        m.log->emit(log_level::error,
                    {{"eventType", "RuleEngine"}, {"status", "Failure"}, {"reason", "RULE_LOOP"},
                     {"topicName", msg->topic}, {"ruleName", rule},
                     {"details", "message republished " + std::to_string(msg->republish_hops) +
                                     " times in a row by topic rules (last: rule " + rule +
                                     "): delivered, not evaluated by the rules again. A rule republishes into its "
                                     "own topic filter, or rules into each other's; AWS IoT would go on and bill every hop"}});
    }
    return {};
}

// Topic rules created through the control plane run beside the configuration's.
void start_live_rules(gateway::impl& m) {
    m.live_rules = std::make_unique<api_rules>(
        *m.reg,
        rules_engine::engine_hooks{.republish = [&m](rules_engine::republish_request r) { return republish(m, std::move(r)); },
                                   .log = {},
                                   .metrics = nullptr},
        [&m](const std::string& arn) { return function_named_in_config(m.functions.get(), m.config.rules, arn); },
        [&m](const std::string& line) {
            m.log->emit(log_level::warn, {{"eventType", "RuleEngine"}, {"status", "Failure"}, {"details", line}});
        });
}

}  // namespace

gateway::gateway(gateway_config config) : impl_(std::make_unique<impl>()) {
    impl_->config = std::move(config);
}

gateway::~gateway() { stop(); }

void gateway::start() {
    auto& m = *impl_;
    if (m.started) throw std::runtime_error("wvgate: gateway already started");
    auto& cfg = m.config;
    if (!m.log) {
        if (cfg.log_file.empty()) {
            m.log = std::make_unique<event_log>(cfg.level, cfg.account);
        } else {
            auto f = std::shared_ptr<std::FILE>(std::fopen(cfg.log_file.c_str(), "a"), [](std::FILE* p) {
                if (p) std::fclose(p);
            });
            if (!f) throw std::runtime_error("wvgate: log_file " + cfg.log_file + ": cannot open for appending");
            m.log = std::make_unique<event_log>(cfg.level, cfg.account, [f](std::string_view line) {
                std::fwrite(line.data(), 1, line.size(), f.get());
                std::fputc('\n', f.get());
                std::fflush(f.get());
            });
        }
    }
    if (cfg.listeners.empty()) throw std::runtime_error("wvgate: no listeners configured");

    start_registry(m);
    // Authorizers and policies first: a config error must not leave a port bound.
    m.functions = std::make_unique<wv::functions::function_registry>(
        backends::local_iot{.reg = m.reg.get(), .url = m.control_plane ? m.control_plane->url() : std::string{}});
    for (const auto& f : cfg.functions) m.functions->add(f);
    auto setup = build_authorizers(cfg, *m.functions);
    m.authorizers = std::move(setup.authorizers);
    m.services = std::move(setup.services);
    try {
        m.iam = std::make_unique<auth::iam_keys>(cfg.iam);
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(e.what());
    }
    m.http_auth = std::make_unique<auth::http_authenticator>(auth::http_authenticator_options{
        .authorizers = m.authorizers.get(),
        .services = [&m](const std::string& n) { return m.find_service(n); },
        .iam = m.iam.get(),
        .region = cfg.region,
        .policy_cache = &m.policy_cache});
    m.certificates = cfg.certificates;
    if (!m.certificates) {
        m.static_certificates = std::make_shared<memory_certificate_directory>(cfg.region, cfg.account);
        m.certificates = m.static_certificates;
    }
    // The registry decides for the certificates it knows; the directory above for the rest.
    m.certificates = std::make_shared<registry_certificate_directory>(*m.reg, m.certificates);
    // Unknown certificates of CAs with auto-registration: registered, announced, refused (JITR).
    m.jitr = std::make_shared<jitr_registrar>(*m.reg, m.certificates, make_jitr_hooks(m));
    m.certificates = m.jitr;

    m.brk = std::make_unique<broker>(broker_options{
        .max_offline_messages = cfg.limits.max_offline_messages,
        .session_expiry = std::chrono::duration_cast<clock::duration>(
            std::chrono::duration<double>(static_cast<double>(cfg.limits.persistent_session_expiry.count()) /
                                          (cfg.time_scale > 0 ? cfg.time_scale : 1.0))),
    });

    m.provisioning = make_provisioning(m);

    if (cfg.limits.connects_per_s_per_client_id > 0)
        m.throttle = std::make_unique<connect_throttle>(cfg.limits.connects_per_s_per_client_id);

    {
        std::vector<std::string> names;
        for (const auto& [name, svc] : m.services) names.push_back(name);
        register_gateway_metrics(m.metric_registry, m.stats, names,
                                 [&m](const std::string& n) -> const auth::authorizer_service* { return m.find_service(n); });
    }
    if (!cfg.rules.rules.empty()) {
        point_rule_functions_at(cfg.rules, m.control_plane ? m.control_plane->url() : std::string{});
        // Republished messages enter the broker like a gateway-generated message (no client) and
        // run through the rules again (republish()).
        m.rules = std::make_unique<rules_engine::engine>(
            cfg.rules, rules_engine::engine_hooks{
                           .republish = [&m](rules_engine::republish_request r) { return republish(m, std::move(r)); },
                           .log = {},
                           .metrics = &m.metric_registry,
                           .functions = m.functions.get()});
    }
    start_live_rules(m);
    m.rules_hook = [&m](const message& msg, const std::string& principal) {
        // Decoded only for an MQTT 5 PUBLISH that carried properties.
        std::optional<rules::mqtt5_properties> props;
        if (!msg.properties.empty()) read_rules_properties(msg.properties, props.emplace());
        const rules_engine::inbound_message in{.topic = msg.topic,
                                               .payload = msg.payload,
                                               .client_id = msg.client_id,
                                               .principal = principal,
                                               .timestamp_ms = 0,
                                               .properties = props ? &*props : nullptr,
                                               .republish_hops = msg.republish_hops};
        if (m.rules) m.rules->on_message(in);
        m.live_rules->on_message(in);
    };

    m.shared_state = gateway_services{.brk = m.brk.get(),
                                  .log = m.log.get(),
                                  .rules = &m.rules_hook,
                                  .throttle = m.throttle.get(),
                                  .certificates = m.certificates.get(),
                                  .cert_sessions = &m.cert_sessions,
                                  .provisioning = m.provisioning.get()};

    const unsigned n = cfg.threads ? cfg.threads : std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < n; ++i) m.contexts.push_back(std::make_unique<asio::io_context>(1));

    for (const auto& lc : cfg.listeners) {
        listener_state l;
        l.cfg = lc;
        if (lc.kind != listener_kind::plain) {
            auto made = make_server_context(cfg, lc, *m.log);
            l.tls = std::move(made.context);
            if (m.certs.ca_cert.empty()) m.certs = made.paths;
            if (m.static_certificates) trust_client_ca(*m.static_certificates, lc, made.paths, cfg);
        }
        boost::system::error_code ec;
        const auto addr = asio::ip::make_address(lc.address, ec);
        if (ec) throw std::runtime_error("wvgate: listener " + lc.name + ": bad address '" + lc.address + "'");
        l.acceptor = std::make_unique<tcp::acceptor>(*m.contexts[0]);
        const tcp::endpoint ep(addr, lc.port);
        l.acceptor->open(ep.protocol(), ec);
        if (!ec) l.acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
        if (!ec) l.acceptor->bind(ep, ec);
        if (!ec) l.acceptor->listen(asio::socket_base::max_listen_connections, ec);
        if (ec)
            throw std::runtime_error("wvgate: listener " + lc.name + ": cannot listen on " + lc.address + ":" +
                                     std::to_string(lc.port) + ": " + ec.message());
        l.port = l.acceptor->local_endpoint().port();
        m.listeners.push_back(std::move(l));
    }
    for (auto& l : m.listeners) {
        asio::co_spawn(*m.contexts[0], m.accept_loop(l), asio::detached);
        m.log->emit(log_level::info, {{"eventType", "Listener"}, {"status", "Success"}, {"listener", l.cfg.name},
                                      {"details", "listening on " + l.cfg.address + ":" + std::to_string(l.port)}});
    }
    asio::co_spawn(*m.contexts[0], m.housekeeping(), asio::detached);
    // UpdateCertificate to INACTIVE/REVOKED (or a CA's) closes the live connections using it.
    m.certificate_subscription =
        m.certificates->subscribe([&m](const certificate_status_change& c) { m.cert_sessions.on_status_change(c); });
    if (cfg.metrics_port) {
        m.metrics = std::make_unique<metrics_server>(*m.contexts[0], cfg.metrics_address, *cfg.metrics_port,
                                                     [this] { return metrics_text(); });
        m.log->emit(log_level::info, {{"eventType", "Listener"}, {"status", "Success"}, {"listener", "metrics"},
                                      {"details", "Prometheus metrics on http://" + cfg.metrics_address + ":" +
                                                      std::to_string(m.metrics->port()) + "/metrics"}});
    }
    for (auto& ctx : m.contexts) {
        m.threads.emplace_back([c = ctx.get()] {
            auto guard = asio::make_work_guard(*c);
            // The thread's connections share one timer (connection.hpp): 8 ms ticks (a deadline
            // fires at most that late), a turn of ~33 s, so a far keep-alive deadline costs a
            // look every 33 s rather than a wake-up per connection. Destroyed before the
            // context; drivers that outlive it no longer refer to it.
            net::timer_wheel wheel{c->get_executor(), std::chrono::milliseconds(8), 4096};
            set_thread_timer_wheel(&wheel);
            c->run();
            set_thread_timer_wheel(nullptr);
        });
    }
    m.started = true;
}

void gateway::stop() {
    auto& m = *impl_;
    {
        std::lock_guard lock(m.mu);
        if (!m.started || m.stopped) return;
        m.stopped = true;
    }
    m.certificate_subscription.reset();
    close_sessions_for_shutdown(m);
    for (auto& ctx : m.contexts) ctx->stop();
    for (auto& t : m.threads)
        if (t.joinable()) t.join();
    m.threads.clear();
    // Registrations already queued publish their events before the rules engine drains.
    if (m.jitr) m.jitr->stop();
    // No connection feeds the rules any more: let queued actions finish (validate calls to
    // the user's decoder included), keep the summary, then stop the engine before the broker
    // its republish actions publish into.
    // Republished messages still run through both engines while they drain (a chain ends
    // within max_republish_hops); then the feed closes before either engine is destroyed.
    if (m.rules) m.rules->drain(std::chrono::seconds(5));
    if (m.live_rules) m.live_rules->drain(std::chrono::seconds(5));
    {
        std::unique_lock feed(m.republish_feed_mu);
        m.republish_feed_open = false;
    }
    if (m.rules) {
        m.rules_summary = m.rules->summary();
        m.rules_report = m.rules->report();
        m.rules.reset();
    }
    if (m.live_rules) {
        for (auto& r : m.live_rules->report()) m.rules_report.push_back(std::move(r));
        m.live_rules.reset();
    }
    // Authorizer services complete their pending calls (posting into stopped contexts).
    m.services.clear();
    // Provisioning requests in progress finish; their replies reach the broker, not a socket.
    m.provisioning.reset();
    m.functions.reset();  // the started functions (handler workers call the control plane)
    m.control_plane.reset();
    m.metrics.reset();
    for (auto& l : m.listeners) l.acceptor.reset();
    // The broker holds attached connections (and their sockets): release them while their
    // io_context still exists, or their destructors would touch a dead one. Taken out under the
    // lock so a concurrent unobserve() sees either the broker or none.
    std::unique_ptr<broker> gone;
    {
        std::lock_guard lock(m.mu);
        gone = std::move(m.brk);
    }
    gone.reset();
    // Destroying the contexts destroys every coroutine frame and with it every socket.
    m.contexts.clear();
    m.stopped_cv.notify_all();
}

void gateway::wait() {
    std::unique_lock lock(impl_->mu);
    impl_->stopped_cv.wait(lock, [&] { return impl_->stopped || !impl_->started; });
}

std::vector<bound_listener> gateway::listeners() const {
    std::vector<bound_listener> out;
    for (const auto& l : impl_->listeners) out.push_back({l.cfg.name, l.cfg.kind, l.cfg.address, l.port});
    return out;
}

std::optional<std::uint16_t> gateway::metrics_port() const {
    if (!impl_->metrics) return std::nullopt;
    return impl_->metrics->port();
}

certificate_paths gateway::certificates() const { return impl_->certs; }
std::string gateway::control_plane_url() const { return impl_->control_plane ? impl_->control_plane->url() : std::string{}; }
registry::registry* gateway::registry() const { return impl_->reg.get(); }
const provisioning::provisioning_service* gateway::provisioning() const { return impl_->provisioning.get(); }
std::string gateway::rules_summary() const {
    return impl_->rules ? impl_->rules->summary() : impl_->rules_summary;
}
std::vector<rules_engine::rule_report> gateway::rules_report() const {
    if (!impl_->rules && !impl_->live_rules) return impl_->rules_report;
    auto out = impl_->rules ? impl_->rules->report() : std::vector<rules_engine::rule_report>{};
    if (impl_->live_rules)
        for (auto& r : impl_->live_rules->report()) out.push_back(std::move(r));
    return out;
}

std::uint64_t gateway::observe(std::string filter, std::function<void(const message_ptr&)> fn) {
    std::lock_guard lock(impl_->mu);
    if (!impl_->started || impl_->stopped || !impl_->brk) return 0;
    return impl_->brk->observe(std::move(filter), std::move(fn));
}

void gateway::unobserve(std::uint64_t id) {
    std::lock_guard lock(impl_->mu);
    if (impl_->brk && id) impl_->brk->unobserve(id);
}

gateway_stats gateway::stats() const { return impl_->stats.snapshot(); }
metrics::histogram gateway::authorizer_latency() const { return impl_->stats.authorizer_latency.snapshot(); }
const gateway_config& gateway::config() const { return impl_->config; }

std::string gateway::metrics_text() const { return impl_->metric_registry.render(); }

}  // namespace wv::gate
