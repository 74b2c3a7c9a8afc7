// run_simulation in phases, each a function over the run's state that either fills its part or
// throws phase_error with the exit code and the message:
//
//   plan_fleet        identities, report profile, device certificates       (exit 2 on error)
//   open_endpoint     embedded gateway or resolved host, TLS context,       (2: configuration,
//                     the X.509 fleet registered (--register)                1: runtime)
//   start_observers   --verify and --metrics-port, before the first connect
//   start_engine      asio devices, Paho clients or HTTPS devices on the timetable
//   progress_loop     progress line, timeline, Ctrl-C, the end of the run
//   report            finish_report (report_step.hpp: pure), then stdout, --json, --html
#include "simulation.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <span>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/version.hpp>
#include <openssl/crypto.h>
#include <sstream>

#include "auth/token_signature.hpp"
#include "connector_pool.hpp"
#include "control_plane_registrar.hpp"
#include "device_result.hpp"
#include "embedded_gateway.hpp"
#include "onboard_claim.hpp"
#include "onboard_claim_phase.hpp"
#include "onboard_jitr.hpp"
#include "fleet_stats.hpp"
#include "gateway/gateway.hpp"
#include "https_engine.hpp"
#include "live_metrics.hpp"
#include "paho_engine.hpp"
#include "payload/report_profile.hpp"
#include "progress.hpp"
#include "report_html/page.hpp"
#include "report_step.hpp"
#include "resources.hpp"
#include "verdict.hpp"
#include "verifier.hpp"
#include "thread_plan.hpp"
#include "worker.hpp"

namespace wv::sim {

namespace asio = boost::asio;
using asio::ip::tcp;

const char* wvsim_version() { return "0.1.0"; }

namespace {

// A phase that cannot go on: the exit code (2 configuration, 1 runtime) and what to print.
struct phase_error {
    int exit_code;
    std::string message;
};

// What the phases build, in the order they build it. Members are destroyed in reverse: the
// engine before the gateway, the gateway before main_io and the verifier it posts to.
struct run_state {
    explicit run_state(const sim_options& opts) : o(opts) {}
    const sim_options& o;

    // plan_fleet
    std::uint32_t fleet_devices = 0;
    std::vector<device_identity> ids;
    payload::report_profile profile;
    std::unique_ptr<x509_fleet> certs;
    run_report rep;
    std::uint64_t rss_baseline = 0;

    // open_endpoint
    asio::io_context main_io{1};
    std::unique_ptr<verifier> ver;
    std::unique_ptr<embedded_gateway> gw;
    std::string host;
    std::filesystem::path ca;
    tcp::endpoint address;
    std::unique_ptr<tls::client_context> tls_ctx;

    // start_observers, start_engine
    std::unique_ptr<timetable> tt;
    fleet_stats stats;
    std::unique_ptr<live_metrics> live;
    clock::time_point start;
    engine_settings es;
    // Connects in flight per executor that runs them (connect_target), workers' and connectors';
    // the workers point into it, so it goes after them.
    std::unique_ptr<std::atomic<std::uint32_t>[]> connects_in_flight;
    std::vector<std::unique_ptr<worker>> workers;
    std::unique_ptr<connector_pool> connectors;  // connect-only threads (thread_plan.hpp)
    std::vector<std::thread> threads;
    std::atomic<unsigned> running{0};
    std::unique_ptr<sim_options> paho_options;
    std::unique_ptr<paho_engine> paho;
    std::unique_ptr<https_engine> https;

    // progress_loop
    clock::time_point stop_requested_at{}, finished_at{};
    int signals_seen = 0;
    bool aborted = false;

    bool embedded() const { return o.host.empty(); }
    bool engine_done() const {
        if (paho) return paho->finished();
        if (https) return https->finished();
        return running.load() == 0;
    }
    void request_stop() {
        if (stop_requested_at == clock::time_point{}) stop_requested_at = clock::now();
        if (paho) paho->request_stop();
        if (https) https->request_stop();
        for (auto& w : workers) w->request_stop();
    }
    void abort() {
        aborted = true;
        if (paho) paho->abort();
        if (https) https->abort();
        for (auto& w : workers) w->io.stop();
        if (connectors) connectors->stop();
    }
};

// --- plan_fleet ---------------------------------------------------------------------------

std::vector<device_identity> fleet_identities(const sim_options& o, std::uint32_t& fleet_devices, std::string& note) {
    if (!o.credentials.empty()) {
        auto rows = load_credentials(o.credentials);
        // --devices N takes the first N rows, said out loud; more devices than rows is refused.
        if (o.devices_given && o.devices > rows.size())
            throw config_error("--devices " + std::to_string(o.devices) + " but " + o.credentials.string() + " has " +
                               std::to_string(rows.size()) + " device rows: give --devices " + std::to_string(rows.size()) +
                               " or fewer, or leave --devices out to run every row");
        if (o.devices_given && o.devices < rows.size()) {
            note = "--devices " + std::to_string(o.devices) + ": running the first " + std::to_string(o.devices) + " of the " +
                   std::to_string(rows.size()) + " devices in " + o.credentials.string();
            rows.resize(o.devices);
        }
        fleet_devices = static_cast<std::uint32_t>(rows.size());
        const auto first = o.part.first(fleet_devices), last = o.part.last(fleet_devices);  // shard the rows too
        return std::vector<device_identity>(rows.begin() + first, rows.begin() + last);
    }
    fleet_devices = o.devices;
    identity_generator gen(o.ids);
    std::vector<device_identity> out;
    const auto first = o.part.first(o.devices), last = o.part.last(o.devices);
    out.reserve(last - first);
    for (auto i = first; i < last; ++i) out.push_back(gen.make(i));
    return out;
}

// --onboard jitr against the embedded gateway: the CA that signs the generated certificates is
// registered with auto-registration (with --device-certs, the gateway's state or seed must hold it).
std::string jitr_ca_pem(const sim_options& o) {
    if (o.certs.onboard != "jitr" || o.certs.device_ca.empty()) return {};
    std::ifstream in(o.certs.device_ca);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void plan_fleet(run_state& s) {
    const auto& o = s.o;
    std::string note;
    try {
        s.ids = fleet_identities(o, s.fleet_devices, note);
        if (!note.empty()) std::cerr << "wvsim: " << note << "\n";
        s.profile = o.profile.empty() ? payload::default_profile() : payload::load_profile(o.profile);
        s.profile.seed = payload_seed(o.ids.seed, s.profile.seed);
    } catch (const std::exception& e) {
        throw phase_error{2, e.what()};
    }
    // --auth x509: every device's certificate, before anything connects (--create-keys: the
    // control plane issues them in open_endpoint).
    if (o.x509()) {
        if (o.engine == engine_kind::paho) throw phase_error{2, "--auth x509 runs on the asio engine only (not --engine paho)"};
        try {
            if (!o.certs.device_certs.empty()) {
                const auto first = o.part.first(s.fleet_devices), last = o.part.last(s.fleet_devices);
                s.certs = std::make_unique<x509_fleet>(x509_fleet::load(o.certs, first, last - first, s.ids));
            } else if (!o.certs.create_keys && o.claim.mode.empty()) {  // --onboard claim: provisioned later
                s.certs = std::make_unique<x509_fleet>(x509_fleet::generate(s.ids, o.certs, o.ids.seed));
            }
        } catch (const std::exception& e) {
            throw phase_error{2, e.what()};
        }
        if (s.certs && !o.quiet)
            std::fprintf(stderr, "wvsim: %zu device certificates %s in %.2f s\n", s.certs->size(), s.certs->source().c_str(),
                         std::chrono::duration<double>(s.certs->prepare_time()).count());
    }
    if (s.ids.empty())
        throw phase_error{2, "shard " + std::to_string(o.part.index) + "/" + std::to_string(o.part.count) + " of " +
                                 std::to_string(s.fleet_devices) + " devices is empty"};

    auto& rep = s.rep;
    rep.version = wvsim_version();
    rep.command_line = o.command_line;
    rep.started_at = report_html::utc_now_iso8601();
    rep.versions = {{"wvsim", wvsim_version()},
                    {"OpenSSL", OpenSSL_version(OPENSSL_VERSION_STRING)},
                    {"Boost", std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000)}};
    rep.engine = o.engine == engine_kind::paho ? "paho" : "asio";
    rep.protocol = o.protocol;
    rep.transport = o.transport;
    rep.mqtt_version = o.mqtt;
    rep.topic_alias = o.mqtt5() && o.topic_alias && o.engine == engine_kind::asio;  // Paho sends no alias
    rep.embedded_gateway = s.embedded();
    rep.fleet_devices = s.fleet_devices;
    rep.devices = static_cast<std::uint32_t>(s.ids.size());
    rep.shard = std::to_string(o.part.index) + "/" + std::to_string(o.part.count);
    rep.qos = o.qos;
    rep.warnings = identity_warnings(s.ids);
    if (!note.empty()) rep.notes.push_back(note);
    if (o.topic.starts_with("/") || o.will_topic.starts_with("/"))
        rep.warnings.push_back("a topic starts with '/': in MQTT that is an empty first level, and a rule FROM 'wv/#' "
                               "does not match it");
    for (const auto& w : rep.warnings) std::cerr << "wvsim: warning: " << w << "\n";

    const std::uint64_t files =
        s.ids.size() * (s.embedded() ? 2 : 1) + 64 + (o.engine == engine_kind::paho ? s.ids.size() * 2 : 0);
    if (auto msg = ensure_open_files(files); !msg.empty()) throw phase_error{2, msg};
    s.rss_baseline = rss_kib();
}

// --- open_endpoint ------------------------------------------------------------------------

// --register api: the policy, things, certificates and attachments through the control plane.
void register_through_api(run_state& s, const std::string& url) {
    const auto& o = s.o;
    // Its own policy for HTTPS fleets: the document differs (fleet_policy).
    control_plane_registrar reg({.url = url, .credentials = optional_credentials()},
                                o.https() ? "wvsim-device-https" : "wvsim-device");
    try {
        if (o.certs.create_keys) {
            s.certs = std::make_unique<x509_fleet>(reg.create_fleet(s.ids, fleet_policy(o.https())));
        } else {
            reg.register_fleet(s.ids, *s.certs, fleet_policy(o.https()));
        }
    } catch (const std::exception& e) {
        throw phase_error{1, std::string("--register api: ") + e.what()};
    }
    if (s.gw) s.gw->set_fleet(s.certs.get());
    if (!o.quiet) std::cerr << "wvsim: " << reg.summary() << "\n";
    s.rep.notes.push_back(reg.summary() + (s.certs ? " (" + s.certs->source() + ")" : ""));
}

void open_endpoint(run_state& s) {
    const auto& o = s.o;
    s.host = o.sni.empty() ? o.host : o.sni;
    s.ca = o.ca_file;
    try {
        if (s.embedded()) {
            s.gw = std::make_unique<embedded_gateway>(s.ids, embedded_gateway_options{.config_file = o.gateway_config,
                                                                                     .log_level = o.gateway_log_level,
                                                                                     .port = o.gateway_port,
                                                                                     .metrics_port = o.gateway_metrics_port,
                                                                                     .x509 = o.x509(),
                                                                                     .https = o.https(),
                                                                                     .certs = s.certs.get(),
                                                                                     .register_fleet = o.certs.register_fleet,
                                                                                     .jitr_ca_pem = jitr_ca_pem(o)});
            s.host = s.gw->endpoint().host;
            if (s.ca.empty()) s.ca = s.gw->endpoint().ca_file;
            s.address = tcp::endpoint(asio::ip::make_address("127.0.0.1"), s.gw->endpoint().port);
            for (const auto& n : s.gw->start_notes()) std::cerr << "wvsim: " << n << "\n";
            if (o.certs.onboard == "jitr" && o.certs.device_ca.empty())
                std::cerr << "wvsim: --onboard jitr with --device-certs: the embedded gateway knows your CA only if the "
                             "config's state or seed registers it with auto-registration (or give --device-ca with "
                             "--device-ca-key and let wvsim sign the fleet)\n";
        } else {
            asio::io_context rio;
            tcp::resolver res(rio);
            boost::system::error_code ec;
            const auto r = res.resolve(o.host, std::to_string(o.port), ec);
            if (ec || r.empty()) throw phase_error{1, "cannot resolve " + o.host + ": " + ec.message()};
            // Prefer IPv4: "localhost" often resolves to ::1 first, where test brokers do not listen.
            s.address = r.begin()->endpoint();
            for (const auto& e : r)
                if (e.endpoint().address().is_v4()) {
                    s.address = e.endpoint();
                    break;
                }
        }
    } catch (const gateway_setup_error& e) {  // nothing ran: a configuration error
        throw phase_error{2, std::string("--gateway-config: ") + e.what()};
    } catch (const phase_error&) {
        throw;
    } catch (const std::exception& e) {
        throw phase_error{1, std::string("embedded gateway: ") + e.what()};
    }
    s.rep.target = (s.embedded() ? "127.0.0.1" : o.host) + ":" + std::to_string(s.address.port());

    if (o.x509() && o.certs.register_fleet == registration::api) {
        const auto url = s.gw ? s.gw->endpoint().control_plane_url : o.certs.control_plane;
        if (!url.empty()) register_through_api(s, url);
    }

    try {
        const bool loopback = s.address.address().is_loopback();
        s.tls_ctx = std::make_unique<tls::client_context>(tls::client_options{
            .ca_file = s.ca,
            .insecure = o.insecure,
            .alpn = o.alpn,
            .session_resumption = o.resumption == "on" || (o.resumption == "auto" && loopback)});
    } catch (const std::exception& e) {
        throw phase_error{2, std::string("TLS: ") + e.what()};
    }
}

// --- onboard_fleet ------------------------------------------------------------------------

// --onboard jitr: the fleet registers itself (first attempt refused, retries until ACTIVE)
// before the timetable starts.
void onboard_by_provisioning(run_state& s);

// The onboarding phase's first line, for stderr as the run goes on to its reports; the whole
// block is in the summary (stdout), so a terminal showing both does not read it twice.
std::string onboarding_headline(const std::string& summary) {
    const auto start = summary.find_first_not_of('\n');
    if (start == std::string::npos) return {};
    const auto end = summary.find('\n', start);
    return "wvsim: " + summary.substr(start, end == std::string::npos ? std::string::npos : end - start) +
           " (the details are in the summary)\n";
}

void onboard_fleet(run_state& s) {
    const auto& o = s.o;
    if (!o.claim.mode.empty()) return onboard_by_provisioning(s);
    if (o.certs.onboard != "jitr") return;
    auto target = s.address;
    std::function<outcome(std::uint32_t, std::chrono::system_clock::time_point)> explain;
    if (s.gw) {
        if (std::find(o.alpn.begin(), o.alpn.end(), "x-amzn-mqtt-ca") == o.alpn.end())
            target.port(s.gw->endpoint().x509_port);
        explain = [g = s.gw.get()](std::uint32_t local, std::chrono::system_clock::time_point began) {
            return g->explain_x509_refusal(local, began);
        };
    }
    const auto jr = run_jitr_onboarding(
        s.ids, jitr_settings{.host = s.host,
                             .address = target,
                             .tls = s.tls_ctx.get(),
                             .certs = s.certs.get(),
                             .retry = o.retry,
                             .seed = o.ids.seed,
                             .connect_rate = o.connect_rate / o.part.count,
                             .max_connecting = o.max_connecting,
                             .connect_timeout = o.connect_timeout,
                             .deadline = std::chrono::milliseconds(static_cast<std::int64_t>(o.certs.onboard_timeout_s * 1000)),
                             .explain_refusal = std::move(explain),
                             .progress = !o.quiet});
    s.rep.onboarding = jitr_to_json(jr);
    s.rep.latency["time_to_active"] = jr.time_to_active;
    s.rep.latency["onboard_attempt"] = jr.attempt_time;
    if (!o.quiet) std::cerr << onboarding_headline(jitr_summary_text(s.rep.onboarding));
    // AWS allows one CONNECT per second per client id: the run's first connects come after that.
    std::this_thread::sleep_for(min_connect_spacing);
}

// --onboard claim:<t> / trusted-user:<t>: the fleet provisions itself (onboard_claim_phase.hpp);
// the run goes on with the devices that got a certificate.
void onboard_by_provisioning(run_state& s) {
    const auto& o = s.o;
    auto target = s.address;
    if (s.gw && std::find(o.alpn.begin(), o.alpn.end(), "x-amzn-mqtt-ca") == o.alpn.end())
        target.port(s.gw->endpoint().x509_port);
    claim_phase_result r;
    try {
        r = run_claim_phase(s.ids, o,
                            {.host = s.host,
                             .address = target,
                             .tls = s.tls_ctx.get(),
                             .control_plane_url = s.gw ? s.gw->endpoint().control_plane_url : o.certs.control_plane},
                            s.gw ? std::function<metrics::histogram()>([g = s.gw.get()] { return g->provisioning_hook_times(); })
                                 : std::function<metrics::histogram()>{});
    } catch (const std::exception& e) {
        throw phase_error{1, "--onboard " + o.certs.onboard + ": " + e.what()};
    }
    s.rep.onboarding = std::move(r.onboarding);
    s.rep.latency["onboard_total"] = r.total;
    for (auto& [name, h] : r.steps) s.rep.latency[name] = std::move(h);
    if (!o.quiet) std::cerr << onboarding_headline(claim_summary_text(s.rep.onboarding));
    if (r.ids.empty())
        throw phase_error{1, "--onboard " + o.certs.onboard + ": no device provisioned (outcomes: " +
                                 s.rep.onboarding["device_outcomes"].dump() + ")"};
    if (r.not_provisioned)
        s.rep.notes.push_back(std::to_string(r.not_provisioned) + " devices did not provision and are not in the run");
    s.ids = std::move(r.ids);
    s.certs = std::move(r.certs);
    s.rep.devices = static_cast<std::uint32_t>(s.ids.size());
    if (s.gw) s.gw->set_fleet(s.certs.get());
    std::this_thread::sleep_for(min_connect_spacing);  // AWS: one CONNECT per second per client id
}

// --- start_observers ----------------------------------------------------------------------

load_shape shape_of(const run_state& s) {
    const auto& o = s.o;
    load_shape shape;
    shape.devices = s.rep.devices;
    const double shards = o.part.count;
    shape.connect_rate = o.connect_rate / shards;
    shape.interval = run_time(o.rate > 0 ? static_cast<double>(s.fleet_devices) / o.rate : o.interval_s);
    shape.jitter = o.jitter;
    shape.duration = run_time(o.duration_s);
    shape.messages = o.messages;
    shape.churn = run_time(o.churn_s);
    shape.kill = o.kill;
    shape.seed = o.ids.seed;
    shape.first_index = o.part.first(s.fleet_devices);
    return shape;
}

// --verify observes before the first device connects; --metrics-port serves from main_io.
void start_observers(run_state& s) {
    const auto& o = s.o;
    s.tt = std::make_unique<timetable>(shape_of(s));
    s.rep.asked_msgs_per_s = s.rep.devices / s.tt->shape().interval.count();
    s.rep.asked_connects_per_s = s.tt->shape().connect_rate;

    if (o.verify && s.embedded()) {
        // Inside the gateway, as its trusted observer: no login for the user's authorizer to refuse.
        s.ver = std::make_unique<verifier>(verifier_settings{}, s.ids);
        s.gw->observe(verifier_settings{}.filter, [&io = s.main_io, v = s.ver.get()](const gate::message_ptr& m) {
            asio::post(io, [v, m] {
                v->on_publish(m->topic, std::as_bytes(std::span(m->payload.data(), m->payload.size())));
            });
        });
    } else if (o.verify) {
        verifier_settings vs;
        vs.host = s.host;
        vs.address = s.address;
        vs.tls = s.tls_ctx.get();
        vs.client_id = o.verify_client_id;
        vs.username = o.verify_username.empty() ? o.verify_client_id : o.verify_username;
        vs.password = o.verify_password;
        s.ver = std::make_unique<verifier>(vs, s.ids);
        std::string err = "not run";
        asio::co_spawn(s.main_io, s.ver->connect_and_subscribe(), [&](std::exception_ptr, std::string e) { err = e; });
        s.main_io.run();
        s.main_io.restart();
        if (!err.empty())
            throw phase_error{1, "--verify subscriber (client id " + vs.client_id + ", user " + vs.username + "): " + err +
                                     "\n(--verify-client-id, --verify-username and --verify-password give it a login "
                                     "your endpoint accepts, with subscribe and receive rights on " + vs.filter + ")"};
        asio::co_spawn(s.main_io, s.ver->receive(), asio::detached);
    }

    if (o.metrics_port) {
        try {
            std::function<std::string()> more;
            if (s.gw) more = [g = s.gw.get()] { return g->metrics_text(); };
            s.live = std::make_unique<live_metrics>(s.main_io, o.metrics_address, *o.metrics_port, s.stats,
                                                    run_identity{s.rep.version, s.rep.target, s.rep.engine, s.rep.devices},
                                                    std::move(more));
            std::cerr << "wvsim: Prometheus metrics on http://" << o.metrics_address << ":" << s.live->port()
                      << "/metrics\n";
        } catch (const std::exception& e) {
            throw phase_error{2, std::string("--metrics-port: ") + e.what()};
        }
    }
}

// --- start_engine -------------------------------------------------------------------------

void start_engine(run_state& s) {
    const auto& o = s.o;
    s.start = clock::now() + std::chrono::milliseconds(20);
    s.es = engine_settings{.host = s.host,
                           .address = s.address,
                           .tls = s.tls_ctx.get(),
                           .own_tls_records = o.tls_records == "own",
                           .qos = o.qos,
                           .keep_alive_s = o.keep_alive_s,
                           .connect_timeout = o.connect_timeout,
                           .ack_timeout = o.ack_timeout,
                           .messages_budget = o.messages > 0,
                           .x509 = s.certs.get(),
                           .explain_x509 = {},
                           .protocol = o.mqtt5() ? mqtt::protocol_level::v5 : mqtt::protocol_level::v3_1_1,
                           .session_expiry_s = o.session_expiry_s,
                           .user_properties = {},
                           .topic_alias = o.topic_alias,
                           .retry = o.retry,
                           .seed = o.ids.seed};
    if (o.wss())
        s.es.wss = websocket::client_options{.host = s.host.empty() ? std::string("localhost") : s.host,
                                             .target = o.ws_path,
                                             .handshake_timeout = o.connect_timeout};
    if (o.sigv4())
        s.es.sigv4 = engine_settings::sigv4_signing{
            .keys = {o.access_key_id, o.secret_access_key, o.session_token, "wvsim options"}, .region = o.region};
    for (const auto& p : o.user_properties) {  // NAME=VALUE, checked by parse_options
        const auto eq = p.find('=');
        s.es.user_properties.push_back({field_template(p.substr(0, eq), "--user-property name"),
                                        field_template(p.substr(eq + 1), "--user-property value")});
    }
    if (s.certs && s.gw) {
        // X.509 devices reach the embedded gateway's aws-8883 listener (aws-8443 for HTTPS), or
        // aws-443 with ALPN x-amzn-mqtt-ca / x-amzn-http-ca; its directory says why a
        // certificate was refused.
        const char* alpn = o.https() ? "x-amzn-http-ca" : "x-amzn-mqtt-ca";
        if (std::find(o.alpn.begin(), o.alpn.end(), alpn) == o.alpn.end())
            s.es.address.port(o.https() ? s.gw->endpoint().https_port : s.gw->endpoint().x509_port);
        s.es.explain_x509 = [g = s.gw.get()](std::uint32_t local) { return g->explain_x509_refusal(local); };
    }
    const unsigned nthreads = std::max(1u, std::min<unsigned>(o.threads ? o.threads : std::thread::hardware_concurrency(),
                                                              s.rep.devices));
    s.es.max_connecting_per_worker = std::max(1u, o.max_connecting / nthreads);
    auto topic_of = [&](const std::string& text, const char* flag, std::uint32_t d) {
        return field_template(text, flag).expand(s.ids[d].index, s.ids[d].akid, "", o.ids.seed);
    };

    if (o.https()) {
        std::vector<https_device_paths> paths(s.ids.size());
        std::string signing_key;  // custom auth: each device signs its token (a signing-enabled authorizer)
        if (!o.x509() && !o.token_signing_key.empty()) {
            std::ifstream in(o.token_signing_key);
            std::stringstream ss;
            ss << in.rdbuf();
            signing_key = ss.str();
        }
        for (std::uint32_t d = 0; d < s.ids.size(); ++d) {
            paths[d] = {https_publish_target(topic_of(o.topic, "--topic", d), o.qos),
                        https_publish_target(topic_of(o.will_topic, "--will-topic", d), 1), {}};
            if (!o.x509()) {
                const auto& id = s.ids[d];
                std::string sig;
                try {
                    if (!signing_key.empty()) sig = auth::sign_token_b64(signing_key, id.password);
                } catch (const std::invalid_argument& e) {
                    throw config_error("--token-signing-key " + o.token_signing_key.string() + ": " + e.what());
                }
                paths[d].auth_headers = https_custom_auth_headers(id.authorizer, o.token_key_name, id.password, sig);
            }
        }
        s.https = std::make_unique<https_engine>(s.es, *s.tt, s.stats, s.profile, s.start, s.ids, std::move(paths), nthreads);
        s.https->start();
    } else if (o.engine == engine_kind::paho) {
        // Paho reads its trust store from the options: give it the embedded gateway's CA too.
        s.paho_options = std::make_unique<sim_options>(o);  // the engine keeps a reference
        s.paho_options->ca_file = s.ca;
        s.paho = std::make_unique<paho_engine>(s.es, *s.tt, s.stats, s.profile, s.start, s.ids, *s.paho_options);
        s.paho->start();
    } else {
        const double rate = o.rate > 0 ? o.rate : s.rep.devices / std::max(o.interval_s, 1e-3);
        const auto plan = plan_threads(o.threads, std::thread::hardware_concurrency(), s.rep.devices, rate);
        const unsigned nsessions = plan.sessions;
        s.es.max_connecting_per_worker = std::max(1u, o.max_connecting / nsessions);
        s.es.timer_tick = timer_tick_for(o.timer_tick_ms, s.rep.devices / std::max(rate, 1e-9));
        for (unsigned t = 0; t < nsessions; ++t)
            s.workers.push_back(std::make_unique<worker>(s.es, *s.tt, s.stats, s.profile, s.start));
        if (plan.spread_connects) {
            if (plan.connectors) s.connectors = std::make_unique<connector_pool>(plan.connectors);
            std::vector<asio::any_io_executor> all;
            for (auto& w : s.workers) all.push_back(w->io.get_executor());
            for (std::size_t c = 0; s.connectors && c < s.connectors->size(); ++c) all.push_back(s.connectors->executor(c));
            s.connects_in_flight = std::make_unique<std::atomic<std::uint32_t>[]>(all.size());
            for (std::size_t t = 0; t < s.workers.size(); ++t) {  // each worker lists its own thread first
                auto& list = s.workers[t]->connectors;
                for (std::size_t k = 0; k < all.size(); ++k) {
                    const auto i = (t + k) % all.size();
                    list.push_back({all[i], &s.connects_in_flight[i]});
                }
            }
        }
        for (std::uint32_t d = 0; d < s.ids.size(); ++d) {
            auto& w = *s.workers[d % nsessions];
            w.devices.push_back(std::make_unique<device>(w.io.get_executor(), d, s.ids[d], topic_of(o.topic, "--topic", d),
                                                         topic_of(o.will_topic, "--will-topic", d)));
        }
        s.running = nsessions;
        for (auto& w : s.workers) {
            w->launch();
            s.threads.emplace_back([&w, &s] {
                w->io.run();
                // The last worker lets the connector threads go (no connect can start after it).
                if (--s.running == 0 && s.connectors) s.connectors->release();
            });
        }
    }
}

// --- progress_loop ------------------------------------------------------------------------

struct sampler_state {
    std::uint64_t ok = 0, fail = 0, sent = 0, acked = 0;
};

// Runs main_io until the engine is done (and --verify has drained) or a stop is forced: a
// progress line and a timeline row a second, Ctrl-C (clean stop, then at once).
void progress_loop(run_state& s) {
    const auto& o = s.o;
    asio::signal_set sigs(s.main_io, SIGINT, SIGTERM);
    std::function<void()> arm_signals = [&] {
        sigs.async_wait([&](boost::system::error_code ec, int) {
            if (ec) return;
            if (++s.signals_seen == 1) {
                std::cerr << "\nwvsim: stopping cleanly (ReportEnd + DISCONNECT); Ctrl-C again to stop at once\n";
                s.request_stop();
                arm_signals();
            } else {
                s.abort();
            }
        });
    };
    arm_signals();

    const bool tty = ::isatty(2);
    sampler_state last;
    asio::steady_timer tick(s.main_io);
    bool stop_sent = false;
    const auto hard_end = s.start + std::chrono::duration_cast<clock::duration>(s.tt->end()) + o.ack_timeout +
                          o.connect_timeout + std::chrono::seconds(10);
    // The heap pages a ramp freed go back to the OS in the first second without connects, and
    // every 30 s after (trim_free_heap: 2,000 devices, 20.5 -> 19.7 KiB per device).
    bool connects_since_trim = false;
    auto last_trim = s.start;
    std::function<void()> on_tick = [&] {
        const auto now = clock::now();
        auto& stats = s.stats;
        timeline_sample ts;
        ts.t = std::chrono::duration<double>(now - s.start).count();
        ts.connected = static_cast<std::uint64_t>(std::max<std::int64_t>(0, stats.connected.load()));
        const sampler_state cur{stats.connects_ok.load(), stats.connect_failures.load(), stats.sent.load(),
                                stats.acked.load()};
        ts.connects = cur.ok - last.ok;
        ts.failures = cur.fail - last.fail;
        ts.sent = cur.sent - last.sent;
        ts.acked = cur.acked - last.acked;
        last = cur;
        if (ts.connects) connects_since_trim = true;
        else if (connects_since_trim || now - last_trim >= std::chrono::seconds(30)) {
            trim_free_heap();
            connects_since_trim = false;
            last_trim = now;
        }
        ts.set_latency(metrics::sparse_histogram(stats.connack_second.take()),
                       metrics::sparse_histogram(stats.puback_second.take()));
        if (s.gw) ts.authorizer = s.gw->take_authorizer_second();
        if (ts.t > 0) s.rep.timeline.push_back(ts);
        if (!o.quiet) {
            const auto line = progress_line(ts, stats.connecting.load(), cur.fail);
            std::cerr << line << (tty ? "\x1b[K\r" : "\n") << std::flush;
        }
        if (!stop_sent && now > hard_end) {  // a device stuck past every deadline: stop it
            stop_sent = true;
            s.request_stop();
        }
        if (stop_sent && now > hard_end + std::chrono::seconds(15)) s.abort();
        if (s.engine_done() || s.aborted) {
            if (s.finished_at == clock::time_point{}) s.finished_at = now;
            // Give the --verify subscriber until everything acked has arrived (bounded).
            const bool drained = !s.ver || (s.ver->reports_seen() >= stats.acked.load() &&
                                            s.ver->wills_seen() >= stats.killed.load() &&
                                            s.ver->report_ends_seen() >= stats.report_ends.load());
            if (drained || now - s.finished_at > std::chrono::seconds(5) || s.aborted) {
                if (s.ver) s.ver->stop();
                sigs.cancel();
                s.live.reset();  // closes the metrics listener, so main_io runs out of work
                return;
            }
        }
        tick.expires_at(tick.expiry() + (s.engine_done() ? std::chrono::milliseconds(100) : std::chrono::seconds(1)));
        tick.async_wait([&](boost::system::error_code ec) {
            if (!ec) on_tick();
        });
    };
    tick.expires_at(s.start + std::chrono::seconds(1));
    tick.async_wait([&](boost::system::error_code ec) {
        if (!ec) on_tick();
    });
    s.main_io.run();
    if (!o.quiet && tty) std::cerr << "\n";
    for (auto& t : s.threads) t.join();
    if (s.connectors) s.connectors->join();
    if (s.paho) s.paho->join();
    if (s.https) s.https->join();
    // Stopping the embedded gateway lets its rules finish what is queued (validate's decoder
    // calls included), so their counts are complete.
    if (s.gw) s.gw->stop();
}

// --- report -------------------------------------------------------------------------------

std::uint64_t peak_rss_kib() {
    std::ifstream st("/proc/self/status");
    std::string line;
    std::uint64_t kib = 0;
    while (std::getline(st, line))
        if (line.rfind("VmHWM:", 0) == 0) kib = std::stoull(line.substr(6));
    return kib;
}

// What the engine and the gateway left behind, for finish_report.
run_facts gather_facts(run_state& s, const cpu_times& cpu0) {
    const auto& o = s.o;
    const auto cpu1 = process_cpu();
    const auto end = s.finished_at == clock::time_point{} ? clock::now() : s.finished_at;
    run_facts f;
    f.tt = s.tt.get();
    f.elapsed_s = std::chrono::duration<double>(end - s.start).count();
    if (s.stop_requested_at != clock::time_point{})
        f.stop_requested_s = std::chrono::duration<double>(s.stop_requested_at - s.start).count();
    f.messages_budget = o.messages > 0;
    f.embedded = s.embedded();
    f.paho = s.paho != nullptr;
    f.paho_kills_failed = s.paho ? s.paho->kills_failed() : 0;
    f.https = s.https != nullptr;
    f.churn_s = o.churn_s;
    f.signals_seen = s.signals_seen;
    f.aborted = s.aborted;
    f.devices.resize(s.ids.size());
    if (s.paho) f.devices = s.paho->results();
    if (s.https) f.devices = s.https->results();
    for (auto& w : s.workers)
        for (auto& d : w->devices)
            f.devices[d->local] = {.last_sent = d->last_report_sent,
                                   .killed = d->session_end == outcome::killed,
                                   .ever_connected = d->ever_connected,
                                   .first = d->first_outcome,
                                   .last_end = d->session_end};
    if (s.ver) {
        std::vector<std::uint64_t> last_sent;
        std::vector<bool> killed;
        for (const auto& r : f.devices) {
            last_sent.push_back(r.last_sent);
            killed.push_back(r.killed);
        }
        f.verify = s.ver->result(last_sent, killed, s.stats.acked.load());
    }
    if (s.gw) {
        f.gateway = s.gw->stats_json();
        f.rules = s.gw->rules();
        f.throttled = s.gw->connects_throttled();
    }
    f.cpu_user_s = cpu1.user_s - cpu0.user_s;
    f.cpu_system_s = cpu1.system_s - cpu0.system_s;
    f.rss_baseline_kib = s.rss_baseline;
    f.rss_peak_kib = peak_rss_kib();
    f.expect = o.expect;
    return f;
}

int write_report(const sim_options& o, const run_report& rep) {
    std::cout << summary_text(rep) << std::flush;
    try {
        if (!o.json_file.empty()) {
            std::ofstream f(o.json_file);
            f << to_json_text(rep);
            if (!f) throw std::runtime_error("cannot write " + o.json_file.string());
        }
        if (!o.html_file.empty()) {
            std::ofstream f(o.html_file);
            f << html_page(rep);
            if (!f) throw std::runtime_error("cannot write " + o.html_file.string());
        }
    } catch (const std::exception& e) {
        std::cerr << "wvsim: " << e.what() << "\n";
        return 1;
    }
    return judge(rep).exit_code;
}

}  // namespace

int run_simulation(const sim_options& o) {
    run_state s(o);
    // The gateway stops before what its observer posts to (main_io, the verifier) goes away,
    // on every way out of this function.
    struct stop_gateway {
        run_state& s;
        ~stop_gateway() {
            if (s.gw) s.gw->stop();
        }
    } stop_gateway_first{s};
    cpu_times cpu0;
    try {
        plan_fleet(s);
        open_endpoint(s);
        onboard_fleet(s);
        start_observers(s);
        cpu0 = process_cpu();
        start_engine(s);
    } catch (const phase_error& e) {
        std::cerr << "wvsim: " << e.message << "\n";
        return e.exit_code;
    }
    progress_loop(s);
    auto facts = gather_facts(s, cpu0);
    s.stats.fill(s.rep);
    const auto rep = finish_report(std::move(s.rep), facts, s.ids);
    return write_report(o, rep);
}

}  // namespace wv::sim
