#pragma once
// Applies a connection machine's gateway effects (connection_effects.hpp) to the gateway's
// shared state, and answers the machine's questions at once:
//   admit_connect        connect_throttle::admit            -> on_connect_admitted
//   verify_certificate   check_certificate (directory, now)  -> on_certificate_verdict
//   watch_certificate    certificate_sessions::add (forgotten by connection_closed())
//   attach_session       broker::attach                     -> on_attached
//   subscribe_session    broker::subscribe                  -> on_subscribed
//   unsubscribe_session  broker::unsubscribe                -> on_unsubscribed
//   detach_session       broker::requeue_unacked, broker::detach
//   route_message        broker::publish
//   rules_event          the rules engine's entry (gateway_services::rules)
//   log_line             event_log::emit
// The transport's effects (send_bytes, close_connection, call_authorizer) are not its: apply()
// returns false for them and the caller (connection.cpp, or a test's scripted peer) does them.
//
// One applier per connection (it remembers the connection's certificate watch). Used from
// that connection's executor, like its machine; every service it calls is thread-safe.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gateway/broker.hpp"
#include "gateway/certificate_sessions.hpp"
#include "gateway/connect_throttle.hpp"
#include "gateway/connection_effects.hpp"
#include "gateway/connection_machine.hpp"
#include "gateway/event_log.hpp"

namespace wv::gate {

// The gateway's shared state that connections' effects change. Every member may be null:
// no broker drops the session effects, no log drops log lines, no throttle admits every
// CONNECT, no directory answers verify_certificate with nullopt.
struct gateway_services {
    broker* brk = nullptr;
    event_log* log = nullptr;
    // The rules engine's entry: every PUBLISH the gateway accepted, with the principal. Must
    // not block.
    const std::function<void(const message&, const std::string& principal)>* rules = nullptr;
    connect_throttle* throttle = nullptr;
    const certificate_directory* certificates = nullptr;
    certificate_sessions* cert_sessions = nullptr;
};

class effect_applier {
public:
    explicit effect_applier(const gateway_services* services) : services_(services) {}
    ~effect_applier() { connection_closed(); }
    effect_applier(const effect_applier&) = delete;
    effect_applier& operator=(const effect_applier&) = delete;

    // Applies `e`, an effect `m` handed out, for the connection `self` (the broker's
    // subscriber for it). Answers go to `m` at once (it may hand out more effects). False:
    // a transport effect, left to the caller.
    bool apply(effect& e, connection_machine& m, const std::shared_ptr<subscriber>& self, clock::time_point now);
    // The connection closed (close_connection): it is no longer watched by certificate.
    void connection_closed();
    const gateway_services& services() const noexcept { return *services_; }

private:
    const gateway_services* services_;
    std::uint64_t certificate_watch_ = 0;  // certificate_sessions' token; 0: none
};

}  // namespace wv::gate
