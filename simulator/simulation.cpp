#include "simulation.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <span>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/version.hpp>
#include <openssl/crypto.h>

#include "device_result.hpp"
#include "embedded_gateway.hpp"
#include "onboard_jitr.hpp"
#include "fleet_stats.hpp"
#include "live_metrics.hpp"
#include "paho_engine.hpp"
#include "progress.hpp"
#include "payload/report_profile.hpp"
#include "report_html/page.hpp"
#include "resources.hpp"
#include "run_metrics.hpp"
#include "verdict.hpp"
#include "verifier.hpp"
#include "worker.hpp"

namespace wv::sim {

namespace asio = boost::asio;
using asio::ip::tcp;

const char* wvsim_version() { return "0.1.0"; }

namespace {

std::vector<device_identity> build_fleet(const sim_options& o, std::uint32_t& fleet_devices, std::string& note) {
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
        return rows;
    }
    fleet_devices = o.devices;
    identity_generator gen(o.ids);
    std::vector<device_identity> out;
    const auto first = o.part.first(o.devices), last = o.part.last(o.devices);
    out.reserve(last - first);
    for (auto i = first; i < last; ++i) out.push_back(gen.make(i));
    return out;
}

struct sampler_state {
    std::uint64_t ok = 0, fail = 0, sent = 0, acked = 0;
};

}  // namespace

namespace {
// --onboard jitr against the embedded gateway: the CA that signs the generated certificates is
// registered with auto-registration (with --device-certs, the gateway's state or seed must hold it).
std::string jitr_ca_pem(const sim_options& o) {
    if (o.certs.onboard != "jitr" || o.certs.device_ca.empty()) return {};
    std::ifstream in(o.certs.device_ca);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
}  // namespace

int run_simulation(const sim_options& o) {
    std::uint32_t fleet_devices = 0;
    std::vector<device_identity> ids;
    payload::report_profile profile;
    std::string fleet_note;
    try {
        ids = build_fleet(o, fleet_devices, fleet_note);
        if (!fleet_note.empty()) std::cerr << "wvsim: " << fleet_note << "\n";
        if (!o.credentials.empty()) {  // shard the rows like generated identities
            const auto first = o.part.first(fleet_devices), last = o.part.last(fleet_devices);
            ids = std::vector<device_identity>(ids.begin() + first, ids.begin() + last);
        }
        profile = o.profile.empty() ? payload::default_profile() : payload::load_profile(o.profile);
        profile.seed = payload_seed(o.ids.seed, profile.seed);
    } catch (const std::exception& e) {
        std::cerr << "wvsim: " << e.what() << "\n";
        return 2;
    }
    // --auth x509: every device's certificate, before anything connects.
    std::unique_ptr<x509_fleet> certs;
    if (o.x509()) {
        if (o.engine == engine_kind::paho) {
            std::cerr << "wvsim: --auth x509 runs on the asio engine only (not --engine paho)\n";
            return 2;
        }
        try {
            if (!o.certs.device_certs.empty()) {
                const auto first = o.part.first(fleet_devices), last = o.part.last(fleet_devices);
                certs = std::make_unique<x509_fleet>(x509_fleet::load(o.certs, first, last - first, ids));
            } else {
                certs = std::make_unique<x509_fleet>(x509_fleet::generate(ids, o.certs, o.ids.seed));
            }
        } catch (const std::exception& e) {
            std::cerr << "wvsim: " << e.what() << "\n";
            return 2;
        }
        if (!o.quiet)
            std::fprintf(stderr, "wvsim: %zu device certificates %s in %.2f s\n", certs->size(), certs->source().c_str(),
                         std::chrono::duration<double>(certs->prepare_time()).count());
    }
    if (ids.empty()) {
        std::cerr << "wvsim: shard " << o.part.index << "/" << o.part.count << " of " << fleet_devices
                  << " devices is empty\n";
        return 2;
    }
    const bool embedded = o.host.empty();
    run_report rep;
    rep.version = wvsim_version();
    rep.command_line = o.command_line;
    rep.started_at = report_html::utc_now_iso8601();
    rep.versions = {{"wvsim", wvsim_version()},
                    {"OpenSSL", OpenSSL_version(OPENSSL_VERSION_STRING)},
                    {"Boost", std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000)}};
    rep.engine = o.engine == engine_kind::paho ? "paho" : "asio";
    rep.embedded_gateway = embedded;
    rep.fleet_devices = fleet_devices;
    rep.devices = static_cast<std::uint32_t>(ids.size());
    rep.shard = std::to_string(o.part.index) + "/" + std::to_string(o.part.count);
    rep.qos = o.qos;
    rep.warnings = identity_warnings(ids);
    if (!fleet_note.empty()) rep.notes.push_back(fleet_note);
    if (o.topic.starts_with("/") || o.will_topic.starts_with("/"))
        rep.warnings.push_back("a topic starts with '/': in MQTT that is an empty first level, and a rule FROM 'wv/#' "
                               "does not match it");
    for (const auto& w : rep.warnings) std::cerr << "wvsim: warning: " << w << "\n";

    const std::uint64_t files = ids.size() * (embedded ? 2 : 1) + 64 + (o.engine == engine_kind::paho ? ids.size() * 2 : 0);
    if (auto msg = ensure_open_files(files); !msg.empty()) {
        std::cerr << "wvsim: " << msg << "\n";
        return 2;
    }
    const auto rss_baseline = rss_kib();

    // The endpoint.
    std::unique_ptr<embedded_gateway> gw;
    std::string host = o.sni.empty() ? o.host : o.sni;
    std::filesystem::path ca = o.ca_file;
    tcp::endpoint address;
    try {
        if (embedded) {
            gw = std::make_unique<embedded_gateway>(ids, embedded_gateway_options{.config_file = o.gateway_config,
                                                                                 .log_level = o.gateway_log_level,
                                                                                 .port = o.gateway_port,
                                                                                 .metrics_port = o.gateway_metrics_port,
                                                                                 .certs = certs.get(),
                                                                                 .register_fleet = o.certs.register_fleet,
                                                                                 .jitr_ca_pem = jitr_ca_pem(o)});
            host = gw->endpoint().host;
            if (ca.empty()) ca = gw->endpoint().ca_file;
            address = tcp::endpoint(asio::ip::make_address("127.0.0.1"), gw->endpoint().port);
            for (const auto& n : gw->start_notes()) std::cerr << "wvsim: " << n << "\n";
            if (o.certs.onboard == "jitr" && o.certs.device_ca.empty())
                std::cerr << "wvsim: --onboard jitr with --device-certs: the embedded gateway knows your CA only if the "
                             "config's state or seed registers it with auto-registration (or give --device-ca with "
                             "--device-ca-key and let wvsim sign the fleet)\n";
        } else {
            asio::io_context rio;
            tcp::resolver res(rio);
            boost::system::error_code ec;
            const auto r = res.resolve(o.host, std::to_string(o.port), ec);
            if (ec || r.empty()) {
                std::cerr << "wvsim: cannot resolve " << o.host << ": " << ec.message() << "\n";
                return 1;
            }
            // Prefer IPv4: "localhost" often resolves to ::1 first, where test brokers do not listen.
            address = r.begin()->endpoint();
            for (const auto& e : r)
                if (e.endpoint().address().is_v4()) {
                    address = e.endpoint();
                    break;
                }
        }
    } catch (const gateway_setup_error& e) {  // nothing ran: a configuration error
        std::cerr << "wvsim: --gateway-config: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "wvsim: embedded gateway: " << e.what() << "\n";
        return 1;
    }
    rep.target = (embedded ? "127.0.0.1" : o.host) + ":" + std::to_string(address.port());

    std::unique_ptr<tls::client_context> tls_ctx;
    try {
        const bool loopback = address.address().is_loopback();
        tls_ctx = std::make_unique<tls::client_context>(tls::client_options{
            .ca_file = ca,
            .insecure = o.insecure,
            .alpn = o.alpn,
            .session_resumption = o.resumption == "on" || (o.resumption == "auto" && loopback)});
    } catch (const std::exception& e) {
        std::cerr << "wvsim: TLS: " << e.what() << "\n";
        return 2;
    }

    // --onboard jitr: the fleet registers itself (first attempt refused, retries until ACTIVE)
    // before the timetable starts.
    if (o.certs.onboard == "jitr") {
        auto target = address;
        std::function<outcome(std::uint32_t, std::chrono::system_clock::time_point)> explain;
        if (gw) {
            if (std::find(o.alpn.begin(), o.alpn.end(), "x-amzn-mqtt-ca") == o.alpn.end())
                target.port(gw->endpoint().x509_port);
            explain = [g = gw.get()](std::uint32_t local, std::chrono::system_clock::time_point began) {
                return g->explain_x509_refusal(local, began);
            };
        }
        const auto jr = run_jitr_onboarding(
            ids, jitr_settings{.host = host,
                               .address = target,
                               .tls = tls_ctx.get(),
                               .certs = certs.get(),
                               .retry = o.retry,
                               .seed = o.ids.seed,
                               .connect_rate = o.connect_rate / o.part.count,
                               .max_connecting = o.max_connecting,
                               .connect_timeout = o.connect_timeout,
                               .deadline = std::chrono::milliseconds(static_cast<std::int64_t>(o.certs.onboard_timeout_s * 1000)),
                               .explain_refusal = std::move(explain),
                               .progress = !o.quiet});
        rep.onboarding = jitr_to_json(jr);
        rep.latency["time_to_active"] = jr.time_to_active;
        rep.latency["onboard_attempt"] = jr.attempt_time;
        if (!o.quiet) std::cerr << jitr_summary_text(rep.onboarding);
        // AWS allows one CONNECT per second per client id: the run's first connects come after that.
        std::this_thread::sleep_for(min_connect_spacing);
    }

    // The timetable of this process's slice.
    load_shape shape;
    shape.devices = rep.devices;
    const double shards = o.part.count;
    shape.connect_rate = o.connect_rate / shards;
    shape.interval = run_time(o.rate > 0 ? static_cast<double>(fleet_devices) / o.rate : o.interval_s);
    shape.jitter = o.jitter;
    shape.duration = run_time(o.duration_s);
    shape.messages = o.messages;
    shape.churn = run_time(o.churn_s);
    shape.kill = o.kill;
    shape.seed = o.ids.seed;
    shape.first_index = o.part.first(fleet_devices);
    const timetable tt(shape);
    rep.asked_msgs_per_s = rep.devices / shape.interval.count();
    rep.asked_connects_per_s = shape.connect_rate;

    fleet_stats stats;
    asio::io_context main_io{1};

    // --verify: observe before the first device connects.
    std::unique_ptr<verifier> ver;
    if (o.verify && embedded) {
        // Inside the gateway, as its trusted observer: no login for the user's authorizer to refuse.
        ver = std::make_unique<verifier>(verifier_settings{}, ids);
        gw->observe(verifier_settings{}.filter, [&main_io, v = ver.get()](const gate::message_ptr& m) {
            asio::post(main_io, [v, m] {
                v->on_publish(m->topic, std::as_bytes(std::span(m->payload.data(), m->payload.size())));
            });
        });
    } else if (o.verify) {
        verifier_settings vs;
        vs.host = host;
        vs.address = address;
        vs.tls = tls_ctx.get();
        vs.client_id = o.verify_client_id;
        vs.username = o.verify_username.empty() ? o.verify_client_id : o.verify_username;
        vs.password = o.verify_password;
        ver = std::make_unique<verifier>(vs, ids);
        std::string err = "not run";
        asio::co_spawn(main_io, ver->connect_and_subscribe(), [&](std::exception_ptr, std::string e) { err = e; });
        main_io.run();
        main_io.restart();
        if (!err.empty()) {
            std::cerr << "wvsim: --verify subscriber (client id " << vs.client_id << ", user " << vs.username
                      << "): " << err << "\n(--verify-client-id, --verify-username and --verify-password give it a "
                         "login your endpoint accepts, with subscribe and receive rights on " << vs.filter << ")\n";
            return 1;
        }
        asio::co_spawn(main_io, ver->receive(), asio::detached);
    }

    // The gateway stops before what its observer posts to (main_io, the verifier) goes away,
    // on every way out of this function.
    struct stop_gateway {
        embedded_gateway* g;
        ~stop_gateway() {
            if (g) g->stop();
        }
    } stop_gateway_first{gw.get()};
    // --metrics-port: live Prometheus text, served from this thread's io_context.
    std::unique_ptr<live_metrics> live;
    if (o.metrics_port) {
        try {
            std::function<std::string()> more;
            if (gw) more = [&gw] { return gw->metrics_text(); };
            live = std::make_unique<live_metrics>(main_io, o.metrics_address, *o.metrics_port, stats,
                                                  run_identity{rep.version, rep.target, rep.engine, rep.devices},
                                                  std::move(more));
            std::cerr << "wvsim: Prometheus metrics on http://" << o.metrics_address << ":" << live->port()
                      << "/metrics\n";
        } catch (const std::exception& e) {
            std::cerr << "wvsim: --metrics-port: " << e.what() << "\n";
            return 2;
        }
    }

    const auto cpu0 = process_cpu();
    const auto start = clock::now() + std::chrono::milliseconds(20);
    engine_settings es{.host = host,
                       .address = address,
                       .tls = tls_ctx.get(),
                       .qos = o.qos,
                       .keep_alive_s = o.keep_alive_s,
                       .connect_timeout = o.connect_timeout,
                       .ack_timeout = o.ack_timeout,
                       .messages_budget = o.messages > 0,
                       .x509 = certs.get(),
                       .explain_x509 = {},
                       .retry = o.retry,
                       .seed = o.ids.seed};
    if (certs && gw) {
        // X.509 devices reach the embedded gateway's aws-8883 listener (or aws-443 with ALPN
        // x-amzn-mqtt-ca); its directory says why a certificate was refused.
        if (std::find(o.alpn.begin(), o.alpn.end(), "x-amzn-mqtt-ca") == o.alpn.end())
            es.address.port(gw->endpoint().x509_port);
        es.explain_x509 = [g = gw.get()](std::uint32_t local) { return g->explain_x509_refusal(local); };
    }
    const unsigned nthreads = std::max(1u, std::min<unsigned>(o.threads ? o.threads : std::thread::hardware_concurrency(),
                                                              rep.devices));
    es.max_connecting_per_worker = std::max(1u, o.max_connecting / nthreads);

    std::vector<std::unique_ptr<worker>> workers;
    // Paho reads its trust store from the options: give it the embedded gateway's CA too.
    sim_options paho_options = o;
    paho_options.ca_file = ca;
    std::unique_ptr<paho_engine> paho;
    std::atomic<unsigned> running{0};
    std::vector<std::thread> threads;
    if (o.engine == engine_kind::paho) {
        paho = std::make_unique<paho_engine>(es, tt, stats, profile, start, ids, paho_options);
        paho->start();
    } else {
        for (unsigned t = 0; t < nthreads; ++t)
            workers.push_back(std::make_unique<worker>(es, tt, stats, profile, start));
        for (std::uint32_t d = 0; d < ids.size(); ++d) {
            auto& w = *workers[d % nthreads];
            w.devices.push_back(std::make_unique<device>(w.io.get_executor(), d, ids[d],
                                                         field_template(o.topic, "--topic").expand(ids[d].index, ids[d].akid, "", o.ids.seed),
                                                         field_template(o.will_topic, "--will-topic").expand(ids[d].index, ids[d].akid, "", o.ids.seed)));
        }
        running = nthreads;
        for (auto& w : workers) {
            w->launch();
            threads.emplace_back([&w, &running] {
                w->io.run();
                --running;
            });
        }
    }
    auto engine_done = [&] { return paho ? paho->finished() : running.load() == 0; };
    clock::time_point stop_requested_at{};
    auto request_stop = [&] {
        if (stop_requested_at == clock::time_point{}) stop_requested_at = clock::now();
        if (paho) paho->request_stop();
        for (auto& w : workers) w->request_stop();
    };

    // Progress, timeline, signals, the end of the run.
    int signals_seen = 0;
    bool aborted = false;
    asio::signal_set sigs(main_io, SIGINT, SIGTERM);
    std::function<void()> arm_signals = [&] {
        sigs.async_wait([&](boost::system::error_code ec, int) {
            if (ec) return;
            if (++signals_seen == 1) {
                std::cerr << "\nwvsim: stopping cleanly (ReportEnd + DISCONNECT); Ctrl-C again to stop at once\n";
                request_stop();
                arm_signals();
            } else {
                aborted = true;
                if (paho) paho->abort();
                for (auto& w : workers) w->io.stop();
            }
        });
    };
    arm_signals();

    const bool tty = ::isatty(2);
    sampler_state last;
    asio::steady_timer tick(main_io);
    bool stop_sent = false;
    clock::time_point finished_at{};
    const auto hard_end = start + std::chrono::duration_cast<clock::duration>(shape.duration) + o.ack_timeout +
                          o.connect_timeout + std::chrono::seconds(10);
    std::function<void()> on_tick = [&] {
        const auto now = clock::now();
        timeline_sample s;
        s.t = std::chrono::duration<double>(now - start).count();
        s.connected = static_cast<std::uint64_t>(std::max<std::int64_t>(0, stats.connected.load()));
        const sampler_state cur{stats.connects_ok.load(), stats.connect_failures.load(), stats.sent.load(),
                                stats.acked.load()};
        s.connects = cur.ok - last.ok;
        s.failures = cur.fail - last.fail;
        s.sent = cur.sent - last.sent;
        s.acked = cur.acked - last.acked;
        last = cur;
        s.set_latency(metrics::sparse_histogram(stats.connack_second.take()),
                      metrics::sparse_histogram(stats.puback_second.take()));
        if (gw) s.authorizer = gw->take_authorizer_second();
        if (s.t > 0) rep.timeline.push_back(s);
        if (!o.quiet) {
            const auto line = progress_line(s, stats.connecting.load(), cur.fail);
            std::cerr << line << (tty ? "\x1b[K\r" : "\n") << std::flush;
        }
        if (!stop_sent && now > hard_end) {  // a device stuck past every deadline: stop it
            stop_sent = true;
            request_stop();
        }
        if (stop_sent && now > hard_end + std::chrono::seconds(15)) {
            aborted = true;
            if (paho) paho->abort();
            for (auto& w : workers) w->io.stop();
        }
        if (engine_done() || aborted) {
            if (finished_at == clock::time_point{}) finished_at = now;
            // Give the --verify subscriber until everything acked has arrived (bounded).
            const bool drained = !ver || (ver->reports_seen() >= stats.acked.load() &&
                                          ver->wills_seen() >= stats.killed.load() &&
                                          ver->report_ends_seen() >= stats.report_ends.load());
            if (drained || now - finished_at > std::chrono::seconds(5) || aborted) {
                if (ver) ver->stop();
                sigs.cancel();
                live.reset();  // closes the metrics listener, so main_io runs out of work
                return;
            }
        }
        tick.expires_at(tick.expiry() + (engine_done() ? std::chrono::milliseconds(100) : std::chrono::seconds(1)));
        tick.async_wait([&](boost::system::error_code ec) {
            if (!ec) on_tick();
        });
    };
    tick.expires_at(start + std::chrono::seconds(1));
    tick.async_wait([&](boost::system::error_code ec) {
        if (!ec) on_tick();
    });
    main_io.run();
    if (!o.quiet && tty) std::cerr << "\n";
    for (auto& t : threads) t.join();
    if (paho) paho->join();
    // Stopping the embedded gateway lets its rules finish what is queued (validate's decoder
    // calls included), so their counts are complete.
    if (gw) gw->stop();
    const auto end = finished_at == clock::time_point{} ? clock::now() : finished_at;

    // The report.
    const auto cpu1 = process_cpu();
    rep.duration_s = std::chrono::duration<double>(end - start).count();
    stats.fill(rep);
    if (paho) {
        // Absent, not 0: Paho does not expose its TCP and TLS steps.
        rep.latency.erase("tcp_connect");
        rep.latency.erase("tls_handshake");
        // Paho keeps its in-flight publishes to itself: once every device is done, what was sent
        // and never acknowledged is lost.
        if (o.qos && rep.reports_sent > rep.reports_acked) rep.reports_lost = rep.reports_sent - rep.reports_acked;
        rep.notes.push_back("--engine paho: TCP connect and TLS handshake times are not measured (Paho does not "
                            "expose them); its CONNACK latency counts from the connect call, TCP and TLS included; "
                            "a connect that fails before CONNACK is one bucket (closed_without_connack:paho rc -1), "
                            "as Paho does not say whether TCP, TLS or the server's close failed it");
        if (const auto n = paho->kills_failed())
            rep.notes.push_back(std::to_string(n) + " --kill drops found no Paho socket to shut down: those devices "
                                                    "stopped cleanly instead (their wills did not fire)");
    }
    rep.cpu_user_s = cpu1.user_s - cpu0.user_s;
    rep.cpu_system_s = cpu1.system_s - cpu0.system_s;
    rep.rss_baseline_kib = rss_baseline;
    rep.rss_peak_kib = 0;
    {
        std::ifstream st("/proc/self/status");
        std::string line;
        while (std::getline(st, line))
            if (line.rfind("VmHWM:", 0) == 0) rep.rss_peak_kib = std::stoull(line.substr(6));
    }
    const double elapsed = rep.duration_s;
    // Reports stop coming due when a stop is asked for (Ctrl-C), not when the last device is done.
    const double due_until = stop_requested_at == clock::time_point{}
                                 ? elapsed
                                 : std::chrono::duration<double>(stop_requested_at - start).count();
    std::vector<device_result> results(ids.size());
    if (paho) results = paho->results();
    for (auto& w : workers)
        for (auto& d : w->devices)
            results[d->local] = {.last_sent = d->last_report_sent,
                                 .killed = d->session_end == outcome::killed,
                                 .ever_connected = d->ever_connected,
                                 .first = d->first_outcome,
                                 .last_end = d->session_end};
    tally_reports(rep, tt, results, due_until);
    rep.reports_planned = tt.reports_planned();
    rep.reports_late = rep.latency["send_lag"].count_at_or_above(1'000'000);
    rep.publish_window_s = std::min(elapsed, shape.duration.count());
    if (o.messages) rep.publish_window_s = elapsed;
    for (std::uint32_t d = 0; d < ids.size(); ++d) {
        if (ids[d].expected == expectation::none) {
            rep.devices_never_connected += !results[d].ever_connected;
            continue;
        }
        ++rep.expectations_checked;
        const bool allowed = results[d].ever_connected;
        const bool want = ids[d].expected == expectation::allow;
        if (allowed == want) ++rep.expectations_met;
        else
            rep.mismatches.push_back({ids[d].akid, std::string(to_string(ids[d].expected)),
                                      allowed ? "connected" : std::string(key(results[d].first))});
    }
    if (ver) {
        std::vector<std::uint64_t> last_sent;
        std::vector<bool> killed;
        for (const auto& r : results) {
            last_sent.push_back(r.last_sent);
            killed.push_back(r.killed);
        }
        rep.verify = ver->result(last_sent, killed, stats.acked.load());
    }
    if (gw) {
        rep.gateway = gw->stats_json();
        if (rep.gateway.contains("scope_mismatch")) rep.warnings.push_back(rep.gateway["scope_mismatch"].get<std::string>());
        rep.rules = gw->rules();
        // Over the wire a THROTTLED close is a close without CONNACK (Paho's bucket has a detail);
        // the gateway counted them, and every connection to it is one of this fleet's.
        std::uint64_t throttled = gw->connects_throttled();
        for (auto it = rep.connect_outcomes.begin(); throttled && it != rep.connect_outcomes.end();) {
            if (!it->first.starts_with("closed_without_connack")) {
                ++it;
                continue;
            }
            const auto n = std::min(throttled, it->second);
            rep.connect_outcomes["throttled"] += n;
            throttled -= n;
            it = (it->second -= n) == 0 ? rep.connect_outcomes.erase(it) : std::next(it);
        }
        const auto& c = rep.latency["connack"];
        if (rep.gateway.contains("authorizer_p50_us") && c.count()) {
            const auto a50 = rep.gateway["authorizer_p50_us"].get<std::uint64_t>();
            const auto a99 = rep.gateway["authorizer_p99_us"].get<std::uint64_t>();
            char line[200];
            std::snprintf(line, sizeof line,
                          "the authorizer's share of CONNACK (measured in the embedded gateway): p50 %.2f ms of "
                          "%.2f ms, p99 %.2f ms of %.2f ms",
                          a50 / 1e3, c.percentile_us(0.5) / 1e3, a99 / 1e3, c.percentile_us(0.99) / 1e3);
            rep.notes.push_back(line);
        }
    }
    rep.stopped_at_once = aborted;
    if (signals_seen == 1 && !aborted) {
        char line[160];
        std::snprintf(line, sizeof line,
                      "stopped early by a signal (Ctrl-C or SIGTERM) at %.1f s of %.0f s: reports that would have come "
                      "due later are not counted",
                      due_until, shape.duration.count());
        rep.notes.push_back(line);
    }
    if (embedded && rep.connect_outcomes.count("closed_without_connack"))
        rep.notes.push_back("closed without CONNACK at the embedded gateway means the authorizer denied or failed "
                            "(throttled CONNECTs are counted apart); if it returned the client id as principalId, AWS "
                            "accepts only [a-zA-Z0-9]{1,128} there");
    if (!embedded && rep.connect_outcomes.count("closed_without_connack") && o.churn_s > 0)
        rep.notes.push_back("an external broker does not say why it closed without CONNACK: on AWS a reconnect within "
                            "1 s of the last CONNECT with one client id is throttled that way too (wvsim keeps its own "
                            "reconnects 1 s apart; two devices sharing a client id would not be)");

    check_thresholds(rep, o.expect);  // parsed and checked for typos by parse_options
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

}  // namespace wv::sim
