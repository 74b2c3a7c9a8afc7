#pragma once
// A scripted peer for connection_machine: builds CONNECT/PUBLISH/... bytes with the codec,
// feeds them at virtual times, answers authorizer calls, and decodes what the machine sends.
// The gateway's effects (broker, log, throttle) go through the real effect_applier, and
// several machines share one broker, so routing, takeover and wills are observable.
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/connection_machine.hpp"
#include "gateway/effect_applier.hpp"
#include "mqtt/mqtt.hpp"

namespace wv::test {

using namespace std::chrono_literals;
using gate::clock;

std::string allow_wv_policy();  // connect anything; publish/receive/subscribe under wv/

struct sent_packet {
    mqtt::packet_type type;
    std::vector<std::byte> bytes;  // the whole packet
    mqtt::packet decoded() const;
};

class harness;

// One scripted device connection.
class peer : public gate::subscriber, public std::enable_shared_from_this<peer> {
public:
    peer(harness& h, std::string name);
    bool deliver(gate::message_ptr m, std::uint8_t qos, bool retained) override;
    void kick(gate::disconnect_reason why) override;

    // Feeds bytes and handles actions; authorizer calls are answered with `auth_body` (or
    // queued when `hold_auth`).
    void send(const mqtt::byte_buffer& b);
    void connect(std::string client_id, std::uint16_t keep_alive_s = 60, bool clean = true,
                 std::optional<mqtt::last_will> will = std::nullopt, std::string user = "dev1",
                 std::string password = "pw1");
    void publish(std::string topic, std::string payload, mqtt::qos q = mqtt::qos::at_least_once,
                 bool retain = false, std::uint16_t id = 1);
    void subscribe(std::string filter, mqtt::qos q = mqtt::qos::at_least_once, std::uint16_t id = 1);
    void pump();  // runs queued broker deliveries/kicks
    void tick();
    void answer_auth(const std::string& body);  // answers the held authorizer call
    void answer_auth(const auth::authorization_result& r);
    void transport_closed();  // the socket ended under the machine

    // Packets the machine sent since the last call.
    std::vector<sent_packet> take_sent();
    bool has_connack();
    std::optional<gate::close_connection> closed;
    std::vector<std::string> auth_events;  // event JSON of each authorizer call
    std::string auth_body;                 // reply for the next call ("" = hold it)

    std::unique_ptr<gate::connection_machine> machine;

private:
    void process();
    harness& h_;
    gate::effect_applier applier_;
    std::vector<sent_packet> sent_;
    std::deque<std::function<void()>> pending_;
    std::string pending_auth_;
};

class harness {
public:
    harness();
    std::shared_ptr<peer> make_peer(const std::string& name = "p");
    void advance(clock::duration d) { now += d; }
    std::string log_text() const;

    gate::gateway_config config;
    gate::counters stats;
    std::unique_ptr<gate::event_log> log;
    std::vector<std::string> log_lines;
    std::unique_ptr<gate::broker> brk;
    std::unique_ptr<auth::custom_authorizers> authorizers;
    gate::connect_throttle* throttle = nullptr;  // off unless a test sets one
    clock::time_point now{std::chrono::hours(1000)};
    // An answer as the static backend would give it for user dev1/pw1 with allow_wv_policy().
    std::string good_reply(const std::string& principal = "dev1") const;
    // Build the machine env (after changing config).
    gate::machine_env env();
    // What the peers' effects change: the broker, the log, the throttle.
    gate::gateway_services services();
    gate::gateway_services shared;  // refreshed by make_peer()
};

// Turns a reply body into what authorizer_service would hand the gateway.
auth::authorization_result result_for(const std::string& body);

}  // namespace wv::test
