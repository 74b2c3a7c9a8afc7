#include "paho_engine.hpp"

#include <atomic>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <mqtt/async_client.h>

#include "paho_socket.hpp"
#include "payload/report_end.hpp"
#include "wall_clock.hpp"

namespace wv::sim {

namespace asio = boost::asio;

namespace {

// Paho reports a refused CONNACK as its return code: 1..5 at 3.1.1, the reason code (0x80 and up)
// at 5, where it keeps no reason string (the token's reason code, if a version sets it, is taken
// too); everything before CONNACK (TCP, TLS, a close) is one generic failure whose text we keep
// as the detail.
outcome_detail classify_paho(int rc, int reason, const std::string& text) {
    if (rc < 0x80 && reason >= 0x80) rc = reason;
    if (rc >= 0x80 && rc <= 0xff) return {outcome::connack_refused, reason_detail(static_cast<std::uint8_t>(rc), {})};
    if (rc >= 1 && rc <= 5) return {static_cast<outcome>(static_cast<int>(outcome::connack_protocol) + rc - 1), {}};
    return {outcome::closed_without_connack, text.empty() ? "paho rc " + std::to_string(rc) : ""};
}

// One device. Fields without std::atomic are touched only on the scheduler thread.
struct pdev {
    std::uint32_t local;
    device_identity id;
    std::string topic, will_topic;
    std::unique_ptr<::mqtt::async_client> cli;
    std::unique_ptr<asio::steady_timer> timer;  // the next report
    std::unique_ptr<asio::steady_timer> event;  // the next kill or churn
    std::uint64_t next_report = 1;
    std::atomic<std::uint64_t> last_sent{0};
    std::atomic<bool> done{false};
    bool connected = false, ever = false, first_done = false;
    bool stopping = false;  // a clean stop for good (end of run, Ctrl-C)
    bool leaving = false;   // a session is ending on purpose (churn, kill)
    bool killed = false;
    outcome first = outcome::count_, last_end = outcome::count_;
    clock::time_point last_publish{};
    clock::time_point last_connect{};  // when the last connect attempt ended (reconnect.hpp's spacing)
    std::uint32_t retries = 0;         // failed reconnects in a row
    bool waiting = false;              // `event` holds a wait before a reconnect
};

// Calls a function when an async Paho action completes (on Paho's thread: must not block).
class listener : public ::mqtt::iaction_listener {
public:
    using fn = std::function<void(const ::mqtt::token&, bool ok)>;
    explicit listener(fn f) : f_(std::move(f)) {}
    void on_success(const ::mqtt::token& t) override { f_(t, true); }
    void on_failure(const ::mqtt::token& t) override { f_(t, false); }

private:
    fn f_;
};
}  // namespace

struct paho_engine::impl {
    const engine_settings& es;
    const timetable& tt;
    fleet_stats& stats;
    payload::report_encoder encoder;
    std::vector<std::byte> scratch;
    clock::time_point start;
    const sim_options& o;
    asio::io_context io{1};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
    std::vector<std::unique_ptr<pdev>> devs;
    std::thread thread;
    std::atomic<std::size_t> remaining{0};
    std::atomic<bool> finished{false};
    std::atomic<std::uint64_t> kills_failed{0};
    std::uint32_t connecting = 0;
    std::size_t next_launch = 0;
    asio::steady_timer launcher{io};
    std::vector<std::unique_ptr<listener>> listeners;  // owned for the run

    impl(const engine_settings& s, const timetable& t, fleet_stats& st, const payload::report_profile& p,
         clock::time_point t0, const sim_options& opt)
        : es(s), tt(t), stats(st), encoder(p), start(t0), o(opt) {}

    clock::time_point at(run_time t) const { return start + std::chrono::duration_cast<clock::duration>(t); }

    listener* make_listener(listener::fn f) {
        listeners.push_back(std::make_unique<listener>(std::move(f)));
        return listeners.back().get();
    }

    void finish(pdev& d) {
        if (d.done.exchange(true)) return;
        d.timer->cancel();
        d.event->cancel();
        if (--remaining == 0) {
            finished = true;
            guard.reset();
        }
    }

    void launch() {
        while (next_launch < devs.size() && connecting < o.max_connecting) {
            auto& d = *devs[next_launch];
            if (d.stopping) {
                ++next_launch;
                finish(d);
                continue;
            }
            const auto when = at(tt.connect_at(d.local));
            if (clock::now() < when) {
                launcher.expires_at(when);
                launcher.async_wait([this](boost::system::error_code) { launch(); });
                return;
            }
            ++next_launch;
            ++connecting;
            connect(d);
        }
    }

    void connect(pdev& d) {
        const auto will_payload = payload::encode_report_end(d.last_sent, payload::report_end_reason::terminated);
        auto ssl = ::mqtt::ssl_options_builder()
                       .trust_store(o.ca_file.string())
                       .enable_server_cert_auth(!o.insecure)
                       .verify(!o.insecure)
                       .alpn_protos(o.alpn)
                       .finalize();
        const bool v5 = es.protocol == mqtt::protocol_level::v5;
        ::mqtt::properties props;
        if (v5) {
            if (es.session_expiry_s)
                props.add({::mqtt::property::SESSION_EXPIRY_INTERVAL, static_cast<int32_t>(es.session_expiry_s)});
            for (const auto& p : es.user_properties)
                props.add({::mqtt::property::USER_PROPERTY, p.name.expand(d.id.index, d.id.akid, "", es.seed),
                           p.value.expand(d.id.index, d.id.akid, "", es.seed)});
        }
        auto builder = ::mqtt::connect_options_builder();
        if (v5) builder.mqtt_version(MQTTVERSION_5).clean_start(true).properties(std::move(props));
        else builder.mqtt_version(MQTTVERSION_3_1_1).clean_session(true);  // no silent retry as MQTT 3.1 on a failure
        auto opts = builder
                        .keep_alive_interval(std::chrono::seconds(es.keep_alive_s))
                        .connect_timeout(std::chrono::duration_cast<std::chrono::seconds>(es.connect_timeout))
                        .user_name(d.id.wire_username())
                        .password(d.id.password)
                        .will(::mqtt::message(d.will_topic, reinterpret_cast<const char*>(will_payload.data()),
                                            will_payload.size(), 1, false))
                        .ssl(std::move(ssl))
                        .finalize();
        const auto t0 = clock::now();
        stats.connect_attempts.fetch_add(1, std::memory_order_relaxed);
        auto* l = make_listener([this, &d, t0](const ::mqtt::token& t, bool ok) {
            asio::post(io, [this, &d, t0, ok, rc = t.get_return_code(), reason = static_cast<int>(t.get_reason_code())] {
                on_connect(d, t0, ok, rc, reason);
            });
        });
        try {
            d.cli->connect(opts, nullptr, *l);
        } catch (const ::mqtt::exception& e) {
            asio::post(io, [this, &d, t0, rc = e.get_return_code()] { on_connect(d, t0, false, rc, 0); });
        }
    }

    void on_connect(pdev& d, clock::time_point t0, bool ok, int rc, int reason) {
        d.last_connect = clock::now();  // after the server's answer: the next CONNECT is > 1 s after its intake
        const bool first = !d.first_done;
        const auto oc = ok ? outcome_detail{outcome::connected, {}} : classify_paho(rc, reason, {});
        if (first) {
            d.first_done = true;
            d.first = oc.what;
            --connecting;
        }
        stats.count(oc.what, oc.detail);
        if (!ok) {
            stats.connect_failures.fetch_add(1, std::memory_order_relaxed);
            // A failed reconnect retries after a backoff (reconnect.hpp); a first connect does not.
            const auto again = clock::now() + retry_delay(es.retry, es.seed, d.id.index, d.retries++);
            if (first || !es.retry.enabled || d.stopping || again >= at(tt.end())) finish(d);
            else reconnect_at(d, again);
        } else {
            d.retries = 0;
            stats.connack.record(clock::now() - t0);
            stats.connack_second.record(clock::now() - t0);
            stats.connects_ok.fetch_add(1, std::memory_order_relaxed);
            stats.on_connected();
            d.connected = true;
            d.ever = true;
            d.leaving = false;
            d.last_end = outcome::count_;
            d.cli->set_connection_lost_handler([this, &d](const std::string&) {
                asio::post(io, [this, &d] { on_lost(d); });
            });
            schedule(d);
            arm_event(d);
        }
        if (first) launch();
    }

    // The server closed the connection (or Paho lost it): the session is over for good.
    void on_lost(pdev& d) {
        if (d.leaving || !d.connected) return;  // our own churn or kill
        d.connected = false;
        const bool after_publish = clock::now() - d.last_publish < std::chrono::seconds(1);
        d.last_end = after_publish ? outcome::disconnected_after_publish : outcome::closed_by_server;
        stats.on_disconnected();
        stats.count(d.last_end);
        finish(d);
    }

    // Connects again at `when`, and never sooner than 1 s after the last connect (AWS's 1
    // CONNECT/s per client id); a stop meanwhile ends the device.
    void reconnect_at(pdev& d, clock::time_point when) {
        d.waiting = true;
        d.event->expires_at(std::max(when, d.last_connect + min_connect_spacing));
        d.event->async_wait([this, &d](boost::system::error_code) {
            d.waiting = false;
            // A planned reconnect goes ahead even just past the end, so the reports that came
            // due while Paho was reconnecting go out (schedule() then stops the device); a
            // retry after a failure does not.
            if (d.stopping || (d.retries > 0 && clock::now() >= at(tt.end()))) return finish(d);
            connect(d);
        });
    }

    // The next kill or churn of a connected device. No churn sooner than 1 s after the connect,
    // so its reconnect need not wait.
    void arm_event(pdev& d) {
        const auto since_start = std::chrono::duration_cast<run_time>(clock::now() - start);
        const auto kill = tt.kill_at(d.local);
        const auto churn = tt.churn_after(d.local, since_start);
        if (!kill && !churn) return;
        const bool is_kill = kill && (!churn || *kill <= *churn);
        d.event->expires_at(is_kill ? at(*kill) : std::max(at(*churn), d.last_connect + min_connect_spacing));
        d.event->async_wait([this, &d, is_kill](boost::system::error_code ec) {
            if (ec || !d.connected || d.stopping || d.leaving) return;
            if (is_kill) kill_device(d);
            else churn_device(d);
        });
    }

    void kill_device(pdev& d) {
        // Reports due before the kill go first (their timer may fire a little after it): a late
        // timer must not turn them into unsent ones. One in flight when the socket drops is lost.
        if (const auto kill = tt.kill_at(d.local))
            for (auto due = tt.report_due(d.local, d.next_report); due && *due <= *kill && at(*due) <= clock::now();
                 due = tt.report_due(d.local, d.next_report))
                publish(d, *due);
        const auto fd = paho_socket::find(d.id.akid, es.address);
        if (!fd || !paho_socket::drop(*fd)) {
            // Without its socket there is no way to drop the connection silently; a clean stop
            // at least ends the device, and the report counts the kill as failed.
            kills_failed.fetch_add(1, std::memory_order_relaxed);
            stop_device(d);
            return;
        }
        d.leaving = true;
        d.killed = true;
        d.connected = false;
        d.last_end = outcome::killed;
        d.timer->cancel();
        stats.killed.fetch_add(1, std::memory_order_relaxed);
        stats.on_disconnected();
        stats.count(outcome::killed);
        finish(d);
    }

    // ReportEnd(CLOSED) + DISCONNECT, then connect again (unless the run is stopping).
    void churn_device(pdev& d) {
        d.timer->cancel();
        leave(d, outcome::churned);
    }

    // ReportEnd(CLOSED) + DISCONNECT, counted as `why` once Paho says the DISCONNECT went out;
    // a churned device then connects again unless the run is stopping.
    void leave(pdev& d, outcome why) {
        d.leaving = true;
        try {
            publish_report_end(d);
            auto* l = make_listener([this, &d, why](const ::mqtt::token&, bool) {
                asio::post(io, [this, &d, why] {
                    d.connected = false;
                    d.last_end = why;
                    stats.on_disconnected();
                    stats.count(why);
                    if (why == outcome::churned && !d.stopping) reconnect_at(d, clock::now());
                    else finish(d);
                });
            });
            // A clean stop waits (up to 5 s) for the PUBACKs of reports in flight. A churn does
            // not: Paho C 1.3 completes such a wait only at its receive thread's next poll, which
            // put each reconnect 1-3 s late (the reports due meanwhile went unsent at the end);
            // the ReportEnd still goes out first, as Paho sends its queue in order.
            d.cli->disconnect(why == outcome::churned ? 0 : 5000, nullptr, *l);
        } catch (const ::mqtt::exception&) {
            d.connected = false;
            d.last_end = outcome::closed_by_server;
            stats.on_disconnected();
            stats.count(outcome::closed_by_server);
            finish(d);
        }
    }

    void schedule(pdev& d) {
        if (d.stopping) return stop_device(d);
        const auto due = tt.report_due(d.local, d.next_report);
        // At the end of the run a device stops. Reports that came due before it go out first,
        // as one batch Paho queues: a Paho (re)connect can take a second or more on a loaded
        // machine (its threads poll), and those reports are late, not unsent (their latency
        // counts from the due time, as always).
        const bool over = !es.messages_budget && clock::now() >= at(tt.end());
        if (over) {
            for (auto late = due; late; late = tt.report_due(d.local, d.next_report)) publish(d, *late);
            return stop_device(d);
        }
        d.timer->expires_at(due ? at(*due) : at(tt.end()));
        d.timer->async_wait([this, &d, due](boost::system::error_code ec) {
            if (ec && !d.stopping) return;
            if (d.stopping || !due) return stop_device(d);
            publish(d, *due);
            schedule(d);
        });
    }

    void publish(pdev& d, run_time due) {
        const auto id = d.next_report++;
        encoder.set_device_index(d.id.index);
        encoder.encode(static_cast<std::int64_t>(id), unix_ms(), scratch);
        auto msg = ::mqtt::make_message(d.topic, reinterpret_cast<const char*>(scratch.data()), scratch.size(),
                                      es.qos, false);
        if (!es.user_properties.empty()) {  // MQTT 5 (parse_options allows them only there)
            ::mqtt::properties props;
            for (const auto& p : es.user_properties)
                props.add({::mqtt::property::USER_PROPERTY, p.name.expand(d.id.index, d.id.akid, "", es.seed),
                           p.value.expand(d.id.index, d.id.akid, "", es.seed)});
            msg->set_properties(std::move(props));
        }
        const auto due_at = at(due);
        stats.send_lag.record(clock::now() - due_at);
        try {
            auto* l = make_listener([this, due_at](const ::mqtt::token& t, bool ok) {
                // MQTT 5: a PUBACK with a failure reason code (0x87: a policy deny) is a refused report.
                if (const auto reason = static_cast<int>(t.get_reason_code()); !ok && reason >= 0x80 && reason <= 0xff)
                    stats.count(outcome::puback_refused, reason_detail(static_cast<std::uint8_t>(reason), {}));
                if (!ok) return;
                stats.acked.fetch_add(1, std::memory_order_relaxed);
                stats.puback.record(clock::now() - due_at);
                stats.puback_second.record(clock::now() - due_at);
            });
            d.cli->publish(msg, nullptr, *l);
            stats.sent.fetch_add(1, std::memory_order_relaxed);
            d.last_sent = id;
            d.last_publish = clock::now();
        } catch (const ::mqtt::exception&) {
            stats.skipped.fetch_add(1, std::memory_order_relaxed);
        }
    }

    void publish_report_end(pdev& d) {
        const auto end = payload::encode_report_end(d.last_sent, payload::report_end_reason::closed);
        d.cli->publish(
            ::mqtt::make_message(d.will_topic, reinterpret_cast<const char*>(end.data()), end.size(), 1, false));
        stats.report_ends.fetch_add(1, std::memory_order_relaxed);
    }

    void stop_device(pdev& d) {
        if (d.done) return;
        d.stopping = true;
        if (d.waiting) {  // between sessions: its reconnect wait ends the device
            d.event->cancel();
            return;
        }
        if (!d.connected || d.leaving) return;  // its connect or churn callback finishes it
        d.event->cancel();
        leave(d, outcome::clean_stop);
    }
};

paho_engine::paho_engine(const engine_settings& es, const timetable& tt, fleet_stats& stats,
                         const payload::report_profile& profile, clock::time_point start,
                         const std::vector<device_identity>& ids, const sim_options& o)
    : impl_(std::make_unique<impl>(es, tt, stats, profile, start, o)) {
    if (o.kill > 0) paho_socket::enable();
    const auto uri = "ssl://" + es.host + ":" + std::to_string(es.address.port());
    for (std::uint32_t i = 0; i < ids.size(); ++i) {
        auto d = std::make_unique<pdev>();
        d->local = i;
        d->id = ids[i];
        d->topic = field_template(o.topic, "--topic").expand(ids[i].index, ids[i].akid, "", o.ids.seed);
        d->will_topic = field_template(o.will_topic, "--will-topic").expand(ids[i].index, ids[i].akid, "", o.ids.seed);
        d->cli = std::make_unique<::mqtt::async_client>(uri, d->id.akid, ::mqtt::create_options(o.mqtt5() ? MQTTVERSION_5 : MQTTVERSION_3_1_1));
        d->timer = std::make_unique<asio::steady_timer>(impl_->io);
        d->event = std::make_unique<asio::steady_timer>(impl_->io);
        impl_->devs.push_back(std::move(d));
    }
    impl_->remaining = impl_->devs.size();
}

paho_engine::~paho_engine() {
    join();
}

void paho_engine::start() {
    auto& m = *impl_;
    m.guard.emplace(m.io.get_executor());
    asio::post(m.io, [&m] { m.launch(); });
    m.thread = std::thread([&m] { m.io.run(); });
}

void paho_engine::request_stop() {
    auto& m = *impl_;
    asio::post(m.io, [&m] {
        for (auto& d : m.devs) {
            d->stopping = true;
            d->timer->cancel();
            d->event->cancel();
            if (d->connected) m.stop_device(*d);
        }
        m.launcher.cancel();  // its handler calls launch(), which finishes devices never started
    });
}

void paho_engine::abort() {
    impl_->guard.reset();
    impl_->io.stop();
    impl_->finished = true;
}

bool paho_engine::finished() const { return impl_->finished.load(); }

void paho_engine::join() {
    if (impl_->thread.joinable()) impl_->thread.join();
}

std::vector<device_result> paho_engine::results() const {
    std::vector<device_result> out(impl_->devs.size());
    for (const auto& d : impl_->devs)
        out[d->local] = {.last_sent = d->last_sent,
                         .killed = d->killed,
                         .ever_connected = d->ever,
                         .first = d->first,
                         .last_end = d->last_end};
    return out;
}

std::uint64_t paho_engine::kills_failed() const { return impl_->kills_failed.load(); }

}  // namespace wv::sim
