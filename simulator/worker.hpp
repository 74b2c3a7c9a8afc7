#pragma once
// A worker thread: an io_context, the devices that live on it, the launcher that starts them
// along the connect ramp under the connects-in-flight cap, and per-thread scratch (the
// report encoder every device of the thread shares while it runs). The engine runs one worker per core.
//
// Threading: everything is touched only from the worker's own thread, except request_stop().
#include <array>
#include <functional>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "connector_pool.hpp"
#include "device.hpp"
#include "identity.hpp"
#include "mqtt/packet_type.hpp"
#include "mqtt/property_builder.hpp"
#include "fleet_stats.hpp"
#include "net/timer_wheel.hpp"
#include "payload/report_encoder.hpp"
#include "reconnect.hpp"
#include "timetable.hpp"
#include "tls/client_context.hpp"
#include "sigv4/credentials.hpp"
#include "websocket/client_layer.hpp"
#include "x509_fleet.hpp"

namespace wv::sim {

struct engine_settings {
    std::string host{};  // SNI and certificate name
    boost::asio::ip::tcp::endpoint address{};
    const tls::client_context* tls = nullptr;
    // --tls-records own: a device's stream leaves OpenSSL once connected (tls::stream::detach_openssl).
    bool own_tls_records = true;
    int qos = 1;
    std::uint16_t keep_alive_s = 60;
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds ack_timeout{30'000};
    std::uint32_t max_connecting_per_worker = 100;
    std::chrono::microseconds timer_tick{1000};  // the worker's timer wheel (--timer-tick)
    bool messages_budget = false;  // --messages: a device stops once its reports are acked
    // --auth x509: each device's certificate (by its local index); no user name or password.
    const x509_fleet* x509 = nullptr;
    // --auth x509 against the embedded gateway: why a connect closed without CONNACK.
    std::function<outcome(std::uint32_t local)> explain_x509{};
    // --mqtt 5: the version, CONNECT's Session Expiry Interval and User Properties (templates,
    // expanded per device at each CONNECT), and whether reports use a Topic Alias.
    mqtt::protocol_level protocol = mqtt::protocol_level::v3_1_1;
    std::uint32_t session_expiry_s = 0;
    struct user_property {
        field_template name, value;
    };
    std::vector<user_property> user_properties{};
    bool topic_alias = true;
    retry_backoff retry{};         // after a failed reconnect (reconnect.hpp)
    // --transport wss: each connection runs a WebSocket client layer under the device (Host
    // header, path and query of the upgrade); nullopt: MQTT straight on TLS.
    std::optional<websocket::client_options> wss{};
    // --auth sigv4 (with wss): each connection's upgrade target is presigned when it connects
    // (X-Amz-Date = that moment), service iotdevicegateway; the CONNECT has no user name.
    struct sigv4_signing {
        sigv4::credentials keys;
        std::string region;
    };
    std::optional<sigv4_signing> sigv4{};
    std::uint64_t seed = 1;        // for the backoff's jitter
};

struct worker {
    worker(const engine_settings& s, const timetable& tt, fleet_stats& st, const payload::report_profile& profile,
           clock::time_point start);

    boost::asio::io_context io{1};
    // Every device connection's deadlines (net/timer_wheel.hpp); declared before `devices`,
    // which it must outlive.
    net::timer_wheel wheel;
    const engine_settings& settings;
    const timetable& tt;
    fleet_stats& stats;
    payload::report_encoder encoder;
    std::vector<std::byte> report_scratch;
    mqtt::property_builder report_properties;  // --user-property: a report's MQTT 5 properties
    clock::time_point start;
    std::vector<std::unique_ptr<device>> devices;

    // Where the devices' TCP connects and TLS handshakes run (least_busy: this worker's own
    // executor first); empty: on this worker. A handshake is CPU-bound (ECDH, the server's
    // signature and chain), a steady session is not: fewer session threads batch more events
    // per wake-up (a second session thread cost ~60% more CPU per report at 5,000 devices),
    // while handshakes on every core keep the ramp fast. A stream connected elsewhere moves to
    // this worker's reactor.
    std::vector<connect_target> connectors;

    std::uint32_t connecting = 0;  // first connect attempts in flight on this worker
    boost::asio::steady_timer launcher_wake{io};
    std::size_t active = 0;        // devices not done

    clock::time_point at(run_time t) const { return start + std::chrono::duration_cast<clock::duration>(t); }
    // Spawns the launcher; call before io.run().
    void launch();
    // Asks every device for a clean stop (posted to this worker's thread; any thread may call).
    void request_stop();
    // A first connect attempt finished: lets the launcher start the next one.
    void connect_finished();
};

}  // namespace wv::sim
