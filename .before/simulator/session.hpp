#pragma once
// A connected device's session as a state machine on its worker thread: report on schedule,
// keep alive, count acks, churn, die, or stop cleanly (ReportEnd(CLOSED) + DISCONNECT after the
// acks in flight). Two callbacks drive it, socket readable and timer expired; a device holds at
// most one pending socket wait, one pending timer wait and, rarely, one blocked write.
//
// When the session ends the device's stream is closed and, once no callback is pending, the
// session is accounted (stats, outcome) and the device either reconnects (churn: run_device
// again) or is done.
//
// Threading: every function here runs on the device's worker thread.
#include <system_error>

namespace wv::sim {

struct worker;
struct device;

// The device just got CONNACK 0 on d.s: runs its session from now on.
void start_session(worker& w, device& d);

// The ways a peer ends a stream (EOF, close_notify, reset, ...), as opposed to protocol errors.
bool is_closed(std::error_code ec);

}  // namespace wv::sim
