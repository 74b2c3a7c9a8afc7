#pragma once
// `wvsim --metrics-port`: the run's live tallies as Prometheus text on address:port/metrics,
// for soak runs watched in Grafana (config/grafana/wvsim.json reads exactly these names).
// With the embedded gateway, its wvgate_* metrics are served on the same page.
//
//   wvsim_devices                  gauge    devices simulated by this process
//   wvsim_devices_connected        gauge    connected now
//   wvsim_devices_connecting       gauge    TCP/TLS/CONNECT in progress now
//   wvsim_connect_attempts_total   counter
//   wvsim_connects_total           counter  {result="connected"|"failed"}
//   wvsim_reports_total            counter  {state="sent"|"acked"|"lost"}
//   wvsim_report_ends_total        counter  ReportEnd(CLOSED) published
//   wvsim_devices_killed_total     counter  --kill drops
//   wvsim_latency_seconds          histogram {stage="tcp_connect"|"tls_handshake"|"connack"|"puback"|"send_lag"}
//   wvsim_info                     gauge 1  {version, target, engine}
//
// Threading: the server runs on the io_context it is given; the callbacks read fleet_stats'
// atomics and snapshot its histograms (both safe from any thread).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "fleet_stats.hpp"
#include "metrics/registry.hpp"

namespace wv::gate {
class metrics_server;
}

namespace wv::sim {

struct run_identity {
    std::string version, target, engine;
    std::uint32_t devices = 0;
};

// Registers the metrics above in `reg`, reading `s` (which must outlive `reg`'s use).
void register_fleet_metrics(metrics::registry& reg, const fleet_stats& s, const run_identity& id);

class live_metrics {
public:
    // Binds address:port (0: any free port); throws std::runtime_error when it cannot.
    // `more`, when set, is appended to each page (the embedded gateway's text).
    live_metrics(boost::asio::io_context& io, const std::string& address, std::uint16_t port, const fleet_stats& s,
                 const run_identity& id, std::function<std::string()> more);
    ~live_metrics();
    std::uint16_t port() const;

private:
    // Shared with the server's request handlers, which may outlive this object by one request.
    struct state {
        metrics::registry reg;
        std::function<std::string()> more;
    };
    std::shared_ptr<state> state_;
    std::unique_ptr<gate::metrics_server> server_;
};

}  // namespace wv::sim
