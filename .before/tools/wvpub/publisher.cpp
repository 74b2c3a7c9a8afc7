#include "publisher.hpp"

#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <memory>

#include "client_setup.hpp"
#include "debug_trace.hpp"
#include "mosquitto_texts.hpp"
#include "publish_window.hpp"
#include "native_publisher.hpp"
#include "session_timing.hpp"
#include "stdin_lines.hpp"

namespace wv::wvpub {
namespace {

using clock = std::chrono::steady_clock;

// Forwards Paho token results and callbacks into the event queue. Never blocks.
class paho_events : public mqtt::iaction_listener, public mqtt::callback {
public:
    enum class role { connect, publish };
    paho_events(event_queue& q, role r) : q_(q), role_(r) {}

    void on_success(const mqtt::token& tok) override {
        switch (role_) {
            case role::connect: {
                // Paho C++ 1.2 completes the connect token twice (its success callback and its
                // connected callback both do); report it once.
                if (connect_reported_.exchange(true)) return;
                std::string assigned;
                const auto rsp = tok.get_connect_response();
                const auto& props = rsp.get_properties();
                if (props.contains(mqtt::property::ASSIGNED_CLIENT_IDENTIFER))
                    assigned = mqtt::get<std::string>(props, mqtt::property::ASSIGNED_CLIENT_IDENTIFER);
                q_.push({pub_event::kind::connected, assigned});
                break;
            }
            case role::publish: {
                pub_event e{pub_event::kind::delivered, {}};
                e.message_id = tok.get_message_id();
                e.reason = static_cast<int>(tok.get_reason_code());
                q_.push(std::move(e));
                break;
            }
        }
    }
    void on_failure(const mqtt::token& tok) override {
        if (role_ == role::connect && connect_reported_.exchange(true)) return;
        pub_event e{role_ == role::connect ? pub_event::kind::connect_failed : pub_event::kind::delivery_failed, {}};
        e.code = tok.get_return_code();
        e.reason = static_cast<int>(tok.get_reason_code());
        e.message_id = tok.get_message_id();
        q_.push(std::move(e));
    }
    void connection_lost(const std::string& cause) override { q_.push({pub_event::kind::connection_lost, cause}); }

private:
    event_queue& q_;
    role role_;
    std::atomic<bool> connect_reported_{false};
};

// The OpenSSL error mosquitto would print for a failed handshake, rebuilt from Paho's protocol
// trace ("SSL alert write:fatal:unknown CA"). Paho C++ 1.2's own error callback cannot be used:
// it hands OpenSSL a pointer to a temporary copy of the options (a use-after-free on the first
// TLS error). We alerted the server: our verification failed. The server alerted us: OpenSSL
// reports "sslv3 alert <name>" (reason 1000 + alert number). No alert: the peer hung up.
std::string openssl_error_for(const std::optional<std::string>& sent_alert, const std::optional<std::string>& got_alert) {
    static const std::map<std::string, int> alerts{
        {"handshake failure", 40}, {"bad certificate", 42}, {"unsupported certificate", 43},
        {"certificate revoked", 44}, {"certificate expired", 45}, {"certificate unknown", 46},
        {"illegal parameter", 47}, {"unknown CA", 48}, {"access denied", 49}, {"decode error", 50},
        {"decrypt error", 51}, {"protocol version", 70}, {"insufficient security", 71}, {"internal error", 80},
        {"unrecognized name", 112}, {"certificate required", 116}, {"no application protocol", 120}};
    unsigned long code = ERR_PACK(ERR_LIB_SSL, 0, SSL_R_UNEXPECTED_EOF_WHILE_READING);
    if (sent_alert) {
        code = ERR_PACK(ERR_LIB_SSL, 0, SSL_R_CERTIFICATE_VERIFY_FAILED);
    } else if (got_alert) {
        if (auto it = alerts.find(*got_alert); it != alerts.end())
            code = ERR_PACK(ERR_LIB_SSL, 0, SSL_AD_REASON_OFFSET + it->second);
    }
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    return buf;
}

// Paho reports a failed TCP connect without errno: ask the kernel once more for the reason,
// so the text is mosquitto_pub's "Error: <strerror>".
std::string tcp_failure_text(const std::string& host, int port) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 || !res)
        return "Unable to connect (Lookup error.).";
    std::string text = "Connection refused";
    for (auto* ai = res; ai; ai = ai->ai_next) {
        const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) continue;
        const int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
        const int err = errno;
        ::close(fd);
        if (rc != 0) text = std::strerror(err);
        break;
    }
    ::freeaddrinfo(res);
    return "Error: " + text;
}

bool resolves(const std::string& host) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &res);
    if (res) ::freeaddrinfo(res);
    return rc == 0;
}

class session {
public:
    session(const publish_request& req, client_plan plan, std::shared_ptr<event_queue> q)
        : req_(req), o_(req.options), plan_(std::move(plan)), name_(debug_client_name(plan_.client_id)),
          queue_(std::move(q)), q_(*queue_), window_(req.options.max_inflight) {}

    int run();

private:
    void debug(const std::string& line) {
        if (!o_.debug) return;
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
    }
    void error(const std::string& text) {
        if (o_.quiet) return;
        std::fputs(text.c_str(), stderr);
        std::fflush(stderr);
    }
    bool is_tls() const { return plan_.tls; }
    void note_connect_sent() {
        if (!connect_sent_) debug("Client " + name_ + " sending CONNECT");
        connect_sent_ = true;
        if (!timing_.connect_sent) timing_.connect_sent = clock::now();
    }
    void publish_one(const std::string& payload);
    void start_disconnect();
    void pump_lines();
    void after_delivery();
    std::optional<int> on_event(const pub_event& e);
    void on_trace(const pub_event& e);
    std::optional<int> on_delivery(const pub_event& e);
    int on_connect_failed(const pub_event& e);

    const publish_request& req_;
    const pub_options& o_;
    client_plan plan_;
    std::string name_;
    std::shared_ptr<event_queue> queue_;
    event_queue& q_;
    // Declared before cli_ so they outlive it: Paho's threads call them until it is destroyed.
    std::unique_ptr<paho_events> connect_events_, publish_events_;
    std::unique_ptr<mqtt::ssl_options> ssl_options_;
    std::unique_ptr<mqtt::connect_options> connect_options_;
    std::unique_ptr<mqtt::async_client> cli_;
    mqtt::token_ptr connect_token_, disconnect_token_;
    std::unique_ptr<stdin_lines> lines_;

    bool connect_sent_ = false;
    bool connected_ = false;
    bool disconnecting_ = false;
    bool handshake_started_ = false;
    // WVPUB_PAHO_DEBUG=1: Paho's own protocol trace on stderr, for reports against wvpub.
    const bool paho_debug_ = std::getenv("WVPUB_PAHO_DEBUG") != nullptr;
    std::optional<std::string> sent_alert_, got_alert_;
    bool publish_failed_ = false;
    publish_window window_;
    int local_mid_ = 0;
    std::optional<clock::time_point> next_publish_;
    std::map<int, clock::time_point> publish_times_;
    session_timing timing_;
};

void session::publish_one(const std::string& payload) {
    if (o_.topic->empty()) {
        // libmosquitto refuses an empty topic at publish time (MOSQ_ERR_INVAL) and
        // mosquitto_pub then disconnects, status 0; Paho would send the invalid PUBLISH.
        error("Error: Invalid input. Does your topic contain '+' or '#'?\n");
        start_disconnect();
        return;
    }
    auto msg = mqtt::make_message(*o_.topic, payload, o_.qos, o_.retain);
    if (plan_.mqtt_version == MQTTVERSION_5) msg->set_properties(plan_.publish_properties);
    ++local_mid_;  // libmosquitto numbers QoS 0 messages too, and prints that number
    try {
        const auto sent_at = clock::now();  // before the call: the ack may be queued before it returns
        auto tok = cli_->publish(msg, nullptr, *publish_events_);
        const int mid = o_.qos > 0 ? tok->get_message_id() : local_mid_;
        debug(publish_line(name_, o_.qos, o_.retain, mid, *o_.topic, payload.size()));
        publish_times_[mid] = sent_at;
        window_.on_sent();
    } catch (const mqtt::exception& e) {
        // Nothing will complete this message: report it and end the session.
        error(std::string("Error: ") + e.what() + "\n");
        publish_failed_ = true;
        start_disconnect();
    }
}

void session::pump_lines() {
    while (!disconnecting_) {
        auto line = window_.next_line();
        if (!line) break;
        publish_one(*line);
    }
    if (window_.lines_done()) start_disconnect();
}

void session::start_disconnect() {
    if (disconnecting_) return;
    disconnecting_ = true;
    debug("Client " + name_ + " sending DISCONNECT");
    try {
        auto opts = mqtt::disconnect_options();
        if (plan_.mqtt_version == MQTTVERSION_5) opts.set_properties(plan_.disconnect_properties);
        // The token may complete before a listener could be attached to it, so the main loop
        // polls it (disconnect_token_) instead.
        disconnect_token_ = cli_->disconnect(opts);
    } catch (const mqtt::exception&) {
        q_.push({pub_event::kind::disconnected, {}});
    }
}

void session::after_delivery() {
    window_.on_completed();
    if (o_.source == message_source::stdin_line) {
        pump_lines();
    } else if (window_.completed() < o_.repeat_count) {
        next_publish_ = clock::now() + o_.repeat_delay;
    } else {
        start_disconnect();
    }
}

void session::on_trace(const pub_event& e) {
    const auto& t = e.text;
    auto after = [&](const std::string& key) -> std::optional<std::string> {
        const auto at = t.find(key);
        if (at == std::string::npos) return std::nullopt;
        auto rest = t.substr(at + key.size());
        while (!rest.empty() && (rest.back() == '\n' || rest.back() == ' ')) rest.pop_back();
        return rest;
    };
    if (t.find("SSL handshake started") != std::string::npos) {
        handshake_started_ = true;
        if (!timing_.tcp_connected) timing_.tcp_connected = e.at;
    } else if (auto a = after("SSL alert write:fatal:")) {
        sent_alert_ = a;
    } else if (auto b = after("SSL alert read:fatal:")) {
        got_alert_ = b;
    } else if (t.find("-> CONNECT ") != std::string::npos) {
        if (!timing_.tls_done) timing_.tls_done = e.at;
        note_connect_sent();
    } else if (auto line = map_paho_trace(t, name_)) {
        debug(*line);
    }
}

int session::on_connect_failed(const pub_event& e) {
    // A refusing CONNACK: Paho reports the 3.1.1 return code as the token's return code and
    // the MQTT 5 reason code as its reason code.
    const bool v5 = plan_.mqtt_version == MQTTVERSION_5;
    const int connack = e.code > 0 ? e.code : e.reason;  // Paho 1.3 puts both in the code
    if ((v5 && connack >= 128) || (!v5 && connack >= 1 && connack <= 5)) {
        note_connect_sent();
        debug("Client " + name_ + " received CONNACK (" + std::to_string(connack) + ")");
        if (v5) {
            error("Connection error: " + reason_string(connack) +
                  (connack == 132 ? ". Try connecting to an MQTT v5 broker, or use MQTT v3.x mode.\n" : "\n"));
            error("Error: " + strerror_text(mosq_err::protocol) + "\n");
        } else {
            error("Connection error: " + connack_string(connack) + "\n");
            error("Error: " + strerror_text(mosq_err::conn_refused) + "\n");
        }
        return connack;
    }
    // Drain what the failure left behind (OpenSSL errors, the CONNECT trace line).
    while (auto more = q_.pop_until(clock::now())) (void)on_event(*more);
    std::string message;
    try {
        connect_token_->wait();
    } catch (const mqtt::exception& ex) {
        message = ex.get_message();
    }
    if (paho_debug_)
        std::fprintf(stderr, "[paho] connect failed: code %d reason %d message '%s'\n", e.code, e.reason, message.c_str());
    if (is_tls() && handshake_started_ && !connect_sent_) {
        note_connect_sent();  // libmosquitto queues CONNECT before its handshake finishes
        debug("OpenSSL Error[0]: " + openssl_error_for(sent_alert_, got_alert_));
        error("Error: " + strerror_text(mosq_err::tls) + "\n");
        return mosq_err::tls;
    }
    if (message.find("timed out") != std::string::npos || message.find("timeout") != std::string::npos) {
        error("Error: " + strerror_text(mosq_err::keepalive) + "\n");
        return mosq_err::keepalive;
    }
    if (connect_sent_) {
        error("Error: " + strerror_text(mosq_err::conn_lost) + "\n");
        return mosq_err::conn_lost;
    }
    if (is_tls() && message.find("TLS") != std::string::npos) {
        note_connect_sent();
        error("Error: " + strerror_text(mosq_err::tls) + "\n");
        return mosq_err::tls;
    }
    error(tcp_failure_text(o_.effective_host(), o_.effective_port()) + "\n");
    return 1;
}

std::optional<int> session::on_delivery(const pub_event& e) {
    if (auto it = publish_times_.find(o_.qos > 0 ? e.message_id : local_mid_); it != publish_times_.end()) {
        timing_.ack_times.push_back(std::chrono::duration_cast<std::chrono::microseconds>(e.at - it->second));
        publish_times_.erase(it);
    }
    if (e.what == pub_event::kind::delivery_failed && e.reason < 128) {
        // Not a broker verdict: the connection went before the acknowledgement.
        if (disconnecting_) return std::nullopt;
        error("Error: " + strerror_text(mosq_err::conn_lost) + "\n");
        return mosq_err::conn_lost;
    }
    const std::string packet = o_.qos == 1 ? "PUBACK" : "PUBCOMP";
    if (o_.qos > 0)
        debug("Client " + name_ + " received " + packet + " (Mid: " + std::to_string(e.message_id) +
              ", RC:" + std::to_string(e.reason) + ")");
    if (e.reason > 127)
        error("Warning: Publish " + std::to_string(e.message_id) + " failed: " + reason_string(e.reason) + ".\n");
    after_delivery();
    return std::nullopt;
}

std::optional<int> session::on_event(const pub_event& e) {
    using k = pub_event::kind;
    switch (e.what) {
        case k::trace:
            if (paho_debug_) std::fprintf(stderr, "[paho] %s\n", e.text.c_str());
            on_trace(e);
            return std::nullopt;
        case k::connected:
            connected_ = true;
            timing_.connack = e.at;
            note_connect_sent();
            if (!e.text.empty()) name_ = e.text;  // the id the broker assigned (MQTT 5)
            debug("Client " + name_ + " received CONNACK (0)");
            if (o_.source == message_source::stdin_line) lines_ = std::make_unique<stdin_lines>(req_.line_input, [this](pub_event ev) { q_.push(std::move(ev)); });
            else publish_one(o_.source == message_source::null_message ? std::string() : req_.payload);
            return std::nullopt;
        case k::connect_failed: return on_connect_failed(e);
        case k::delivered:
        case k::delivery_failed: return on_delivery(e);
        case k::stdin_line:
            window_.add_line(e.text);
            pump_lines();
            return std::nullopt;
        case k::stdin_eof:
            window_.end_of_input();
            pump_lines();
            return std::nullopt;
        case k::connection_lost:
            connected_ = false;
            if (disconnecting_) return 0;
            error("Error: " + strerror_text(mosq_err::conn_lost) + "\n");
            return mosq_err::conn_lost;
        case k::disconnected: return 0;
    }
    return std::nullopt;
}

int session::run() {
    if (!resolves(o_.effective_host())) {
        error("Unable to connect (Lookup error.).\n");
        return 1;
    }
    install_paho_trace(queue_);
    // Paho's send buffer must hold the whole -M window (its default is 100 messages).
    cli_ = std::make_unique<mqtt::async_client>(plan_.server_uri, plan_.client_id,
                                                mqtt::create_options(plan_.mqtt_version, std::max(100, o_.max_inflight + 1)),
                                                nullptr);
    connect_events_ = std::make_unique<paho_events>(q_, paho_events::role::connect);
    publish_events_ = std::make_unique<paho_events>(q_, paho_events::role::publish);
    cli_->set_callback(*connect_events_);

    timing_.start = clock::now();
    try {
        // Paho copies these options; every copy keeps the raw CONNECT-properties pointer into
        // connect_options_ (Paho C++ 1.2), so connect_options_ stays put for the session.
        connect_options_ = std::make_unique<mqtt::connect_options>(plan_.connect);
        if (plan_.tls) {
            ssl_options_ = std::make_unique<mqtt::ssl_options>();
            configure_ssl(*ssl_options_, o_);
            connect_options_->set_ssl(*ssl_options_);
        }
        if (!plan_.connect_properties.empty()) connect_options_->set_properties(plan_.connect_properties);
        connect_token_ = cli_->connect(*connect_options_, nullptr, *connect_events_);
    } catch (const mqtt::exception& e) {
        error(std::string("Error: ") + e.what() + "\n");
        return 1;
    }

    int rc = 0;
    // A guard beyond Paho's own connect timeout, so a wedged library cannot hang a script.
    const auto connect_deadline = clock::now() + std::chrono::seconds(o_.keepalive_s) + std::chrono::seconds(5);
    std::optional<clock::time_point> disconnect_deadline;
    for (;;) {
        auto deadline = clock::time_point::max();
        if (!connected_) deadline = connect_deadline;
        if (next_publish_) deadline = std::min(deadline, *next_publish_);
        if (disconnecting_) {
            if (!disconnect_deadline) disconnect_deadline = clock::now() + std::chrono::seconds(10);
            if (disconnect_token_ && disconnect_token_->is_complete()) break;
            deadline = std::min({deadline, *disconnect_deadline, clock::now() + std::chrono::milliseconds(5)});
        }
        auto e = q_.pop_until(deadline);
        if (!e) {
            if (disconnecting_ && clock::now() < *disconnect_deadline) continue;
            if (next_publish_ && clock::now() >= *next_publish_) {
                next_publish_.reset();
                publish_one(o_.source == message_source::null_message ? std::string() : req_.payload);
                continue;
            }
            if (disconnecting_) break;
            if (!connected_) {
                error("Error: " + strerror_text(mosq_err::keepalive) + "\n");
                rc = mosq_err::keepalive;
                break;
            }
            continue;
        }
        if (auto done = on_event(*e)) {
            rc = *done;
            break;
        }
    }
    if (lines_) lines_->stop();
    if (o_.timing) timing_.print(stderr, is_tls());
    try {
        if (cli_->is_connected()) cli_->disconnect()->wait_for(std::chrono::seconds(2));
    } catch (const mqtt::exception&) {
    }
    return rc == 0 && publish_failed_ ? 1 : rc;
}

}  // namespace

int run_publisher(const publish_request& req) {
    // Shared with the trace routing: Paho's threads may still trace while the client winds down.
    auto events = std::make_shared<event_queue>();
    auto planned = plan_client(req.options, req.will_payload);
    if (auto* err = std::get_if<setup_error>(&planned)) {
        if (!req.options.quiet) std::fputs(err->text.c_str(), stderr);
        return err->exit_code;
    }
    auto& plan = std::get<client_plan>(planned);
    if (native_supports(req.options)) return run_native_publisher(req, plan);
    // Left to the process exit, never destroyed: Paho C 1.3's MQTTAsync_destroy waits for its
    // threads in 100 ms sleeps (MQTTAsync_stop), and the session is over (main() ends with
    // std::_Exit, so no exit handler races Paho's threads either).
    auto* paho = new session(req, std::move(plan), events);
    const int rc = paho->run();
    uninstall_paho_trace();
    return rc;
}

}  // namespace wv::wvpub
