#include "live_metrics.hpp"

#include "gateway/metrics_http.hpp"

namespace wv::sim {

void register_fleet_metrics(metrics::registry& reg, const fleet_stats& s, const run_identity& id) {
    const auto v = [](const auto& a) { return [&a] { return static_cast<double>(a.load()); }; };
    reg.add_gauge_fn("wvsim_devices", "Devices simulated by this process.", [n = id.devices] { return double(n); });
    reg.add_gauge_fn("wvsim_devices_connected", "Devices connected now.",
                     [&s] { return static_cast<double>(std::max<std::int64_t>(0, s.connected.load())); });
    reg.add_gauge_fn("wvsim_devices_connecting", "Devices in TCP, TLS or CONNECT now.",
                     [&s] { return static_cast<double>(std::max<std::int64_t>(0, s.connecting.load())); });
    reg.add_counter_fn("wvsim_connect_attempts_total", "Connect attempts started.", v(s.connect_attempts));
    reg.add_counter_fn("wvsim_connects_total", "Connect attempts that ended, by result.", v(s.connects_ok),
                       {{"result", "connected"}});
    reg.add_counter_fn("wvsim_connects_total", "Connect attempts that ended, by result.", v(s.connect_failures),
                       {{"result", "failed"}});
    reg.add_counter_fn("wvsim_reports_total", "Reports by state: sent, acked (PUBACK), lost (never acked).", v(s.sent),
                       {{"state", "sent"}});
    reg.add_counter_fn("wvsim_reports_total", "Reports by state: sent, acked (PUBACK), lost (never acked).", v(s.acked),
                       {{"state", "acked"}});
    reg.add_counter_fn("wvsim_reports_total", "Reports by state: sent, acked (PUBACK), lost (never acked).", v(s.lost),
                       {{"state", "lost"}});
    reg.add_counter_fn("wvsim_report_ends_total", "ReportEnd(CLOSED) published on clean stops.", v(s.report_ends));
    reg.add_counter_fn("wvsim_devices_killed_total", "Devices dropped without DISCONNECT (--kill).", v(s.killed));
    const std::pair<const char*, const metrics::concurrent_histogram*> stages[] = {
        {"tcp_connect", &s.tcp_connect}, {"tls_handshake", &s.tls_handshake}, {"connack", &s.connack},
        {"puback", &s.puback},           {"send_lag", &s.send_lag}};
    for (const auto& [stage, h] : stages)
        reg.add_histogram_fn("wvsim_latency_seconds",
                             "Latency by stage; puback counts from each report's due time, send_lag is due to sent.",
                             [h = h] { return h->snapshot(); }, {{"stage", stage}});
    reg.add_gauge_fn("wvsim_info", "What is running: 1, with the version, target and engine as labels.", [] { return 1.0; },
                     {{"version", id.version}, {"target", id.target}, {"engine", id.engine}});
}

live_metrics::live_metrics(boost::asio::io_context& io, const std::string& address, std::uint16_t port,
                           const fleet_stats& s, const run_identity& id, std::function<std::string()> more)
    : state_(std::make_shared<state>()) {
    state_->more = std::move(more);
    register_fleet_metrics(state_->reg, s, id);
    server_ = std::make_unique<gate::metrics_server>(io, address, port, [st = state_] {
        auto text = st->reg.render();
        if (st->more) text += st->more();
        return text;
    });
}

live_metrics::~live_metrics() = default;

std::uint16_t live_metrics::port() const { return server_->port(); }

}  // namespace wv::sim
