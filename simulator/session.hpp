#pragma once
// A device's connection: its session machine (device_session.hpp) on the one connection driver
// (net/driver.hpp), and the engine's side of its life: open it (CONNECT), start the session
// after the connect was counted, poke it for a clean stop, and account for its end (stats,
// outcome), after which the device either reconnects (churn: run_device again) or is done.
// A connected device holds one pending socket wait and at most one pending timer wait.
//
// Threading: every function here runs on the device's worker thread.
#include "device_session.hpp"
#include "net/driver.hpp"
#include "tls/stream.hpp"
#include "websocket/client_layer.hpp"

namespace wv::sim {

struct worker;
struct device;

struct device_connection {
    device_connection(worker& w, device& d, tls::stream s);
    device_session machine;
    // --transport wss: the WebSocket layer the driver runs, with the device as its inner machine.
    std::unique_ptr<websocket::client_layer> ws;
    net::driver drv;

    // driver::act() for the device's own inputs (through the WebSocket layer when there is one).
    template <class F>
    bool act(F&& f) {
        return ws ? drv.act(ws->wrap(f)) : drv.act(std::forward<F>(f));
    }
};

// Runs the driver on `s` (TLS done) and sends CONNECT; d.conn holds it. When CONNACK (or the
// failure before it) comes, d.wake is cancelled; a connection that never got to its session
// sets d.connect_over at its end, and cancels d.wake again.
void open_connection(worker& w, device& d, tls::stream s);

// The device got CONNACK 0 and the engine counted it: runs its session from now on.
void start_session(worker& w, device& d);

}  // namespace wv::sim
