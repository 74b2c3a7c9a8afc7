#include "session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "device.hpp"
#include "sigv4/sigv4.hpp"
#include "worker.hpp"

namespace wv::sim {

namespace {

// The upgrade of one connection: with --auth sigv4 a presigned URL made now, as aws-crt signs
// each connect (a URL signed once at start would expire under a long run's reconnects).
websocket::client_options upgrade_options(const engine_settings& s) {
    auto o = *s.wss;
    if (s.sigv4)
        o.target = sigv4::presign_target(o.target, o.host, s.sigv4->keys,
                                         {.region = s.sigv4->region,
                                          .service = "iotdevicegateway",
                                          .at = std::chrono::system_clock::now()});
    return o;
}

// The session is over and the driver is done: the accounting, then a reconnect or the end.
// Runs in the driver's end handler, which may destroy the driver.
void finish_session(worker& w, device& d) {
    d.in_session = false;
    w.stats.on_disconnected();
    w.stats.lost.fetch_add(d.conn->machine.unacked(), std::memory_order_relaxed);
    const auto end = d.session_end == outcome::count_ ? outcome::closed_by_server : d.session_end;
    w.stats.count(end, end == outcome::server_disconnect ? d.conn->machine.end_detail() : std::string{});
    d.conn.reset();
    if (d.session_end == outcome::churned && !d.stop_requested) {
        asio::co_spawn(w.io, run_device(w, d), asio::detached);
        return;
    }
    d.done = true;
    --w.active;
}

void on_connection_end(worker& w, device& d) {
    if (d.in_session) return finish_session(w, d);
    // Still connecting: run_device waits for this before it lets go of the connection.
    d.connect_over = true;
    d.wake.cancel();
}

}  // namespace

// The worker's timer wheel: reports of devices due in the same millisecond go out in one
// wake-up. No write buffer is kept between reports (a device writes ~100 bytes a second).
device_connection::device_connection(worker& w, device& d, tls::stream s)
    : machine(w, d),
      ws(w.settings.wss ? std::make_unique<websocket::client_layer>(machine, upgrade_options(w.settings), clock::now())
                        : nullptr),
      drv(std::move(s), ws ? static_cast<net::protocol_machine&>(*ws) : machine,
          {.keep_write_capacity = 0, .wheel = &w.wheel}) {
    machine.transport = ws.get();
}

void open_connection(worker& w, device& d, tls::stream s) {
    d.connect_over = false;
    d.conn = std::make_unique<device_connection>(w, d, std::move(s));
    auto& c = *d.conn;
    c.machine.on_connect_outcome = [&d] { d.wake.cancel(); };
    c.drv.start([&w, &d](std::error_code) { on_connection_end(w, d); });
    if (c.ws) c.drv.act([&c](clock::time_point now, net::effects& fx) { c.ws->begin(now, fx); });  // the upgrade
    c.act([&c](clock::time_point now, net::effects& fx) { c.machine.begin(now, fx); });  // CONNECT, held until 101
}

void start_session(worker& w, device& d) {
    d.in_session = true;
    d.session_end = outcome::count_;
    if (d.connect_over) {  // the server closed right after its CONNACK
        d.record_end(outcome::closed_by_server);
        return finish_session(w, d);
    }
    auto& c = *d.conn;
    c.act([&c](clock::time_point now, net::effects& fx) { c.machine.start(now, fx); });
    // Connected: the stream leaves OpenSSL, which keeps ~12 KiB per connection its API cannot
    // release (tls::stream::detach_openssl). A write still waiting for the socket keeps it there.
    if (w.settings.own_tls_records && c.drv.is_open() && c.drv.queued_bytes() == 0) c.drv.stream().detach_openssl();
}

void poke(worker& w, device& d) {
    (void)w;
    if (d.in_session && d.conn) {
        auto& c = *d.conn;
        c.act([&c](clock::time_point now, net::effects& fx) { c.machine.poke(now, fx); });
    } else if (d.reconnect_wait) {
        d.wake.cancel();  // run_device sees the stop and ends the device
    }
}

}  // namespace wv::sim
