#include "native_publisher.hpp"

#include <cstring>
#include <map>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "client/connection.hpp"
#include "debug_trace.hpp"
#include "mosquitto_texts.hpp"
#include "publish_window.hpp"
#include "native_transport.hpp"
#include "session_timing.hpp"
#include "stdin_lines.hpp"

namespace wv::wvpub {
namespace {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

std::optional<tls::tls_version> version_of(const std::string& v) {
    if (v == "tlsv1.2") return tls::tls_version::tls1_2;
    if (v == "tlsv1.3") return tls::tls_version::tls1_3;
    return std::nullopt;
}

tls::client_options tls_options(const pub_options& o) {
    tls::client_options t;
    t.ca_file = o.cafile.value_or("");  // empty: the system store (--tls-use-os-certs)
    t.alpn.clear();                     // mosquitto_pub offers ALPN only with --tls-alpn
    if (o.tls_alpn) t.alpn.push_back(*o.tls_alpn);
    if (o.certfile) t.cert_file = *o.certfile;
    if (o.keyfile) t.key_file = *o.keyfile;
    if (o.ciphers) t.ciphers = *o.ciphers;
    if (o.tls_version) t.min_version = t.max_version = *version_of(*o.tls_version);
    return t;
}

// "Connection refused", as mosquitto_pub prints errno's text.
std::string system_text(const std::error_code& ec) {
    if (ec.category() == std::system_category() || ec.category() == std::generic_category()) return std::strerror(ec.value());
    return ec.message();
}

// The 3.1.1 CONNACK return code behind a refusal, or 0.
int connack_code(const std::error_code& ec) {
    if (ec.category() != client::client_category()) return 0;
    switch (static_cast<client::client_errc>(ec.value())) {
        case client::client_errc::refused_protocol_version: return 1;
        case client::client_errc::refused_identifier_rejected: return 2;
        case client::client_errc::refused_server_unavailable: return 3;
        case client::client_errc::refused_bad_user_name_or_password: return 4;
        case client::client_errc::refused_not_authorized: return 5;
        default: return 0;
    }
}

class native_session {
public:
    native_session(const publish_request& req, const client_plan& plan, asio::io_context& io)
        : req_(req), o_(req.options), plan_(plan), name_(debug_client_name(plan.client_id)), io_(io), repeat_timer_(io),
          window_(req.options.max_inflight) {}

    asio::awaitable<void> start();
    int exit_code() const { return rc_.value_or(0) == 0 && publish_failed_ ? 1 : rc_.value_or(0); }
    // --timing: the table on stderr, whatever the outcome.
    void report_timing() const {
        if (o_.timing) timing_.print(stderr, plan_.tls);
    }

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
    void finish(int rc) {
        if (!rc_) rc_ = rc;
    }
    const std::string& payload() const {
        static const std::string empty;
        return o_.source == message_source::null_message ? empty : req_.payload;
    }
    void on_packet(const client::connection::packet_note& n);
    void publish_one(const std::string& payload);
    void on_delivered(int mid, std::error_code ec);
    void after_delivery();
    void pump_lines();
    void start_disconnect();
    void on_closed(std::error_code why);

    const publish_request& req_;
    const pub_options& o_;
    const client_plan& plan_;
    std::string name_;
    asio::io_context& io_;
    std::unique_ptr<tls::client_context> tls_;
    std::unique_ptr<client::connection> conn_;
    client::session_options session_;
    asio::steady_timer repeat_timer_;
    std::unique_ptr<stdin_lines> lines_;
    publish_window window_;

    std::optional<int> rc_;
    bool closed_ = false;
    bool disconnecting_ = false;
    bool publish_failed_ = false;
    int local_mid_ = 0;  // libmosquitto numbers QoS 0 messages too, and prints that number
    std::size_t publishing_bytes_ = 0;
    std::map<int, clock::time_point> publish_times_;
    session_timing timing_;
};

asio::awaitable<void> native_session::start() {
    if (plan_.tls) {
        try {
            tls_ = std::make_unique<tls::client_context>(tls_options(o_));
        } catch (const std::exception& e) {
            error(std::string("Error: Problem setting TLS options: ") + e.what() + "\n");
            finish(1);
            co_return;
        }
    }
    const transport_target target{.host = o_.effective_host(),
                                  .port = static_cast<std::uint16_t>(o_.effective_port()),
                                  .tls = tls_.get(),
                                  .check_host = !o_.insecure,
                                  .handshake_timeout = std::chrono::seconds(o_.keepalive_s)};
    timing_.start = clock::now();
    // libmosquitto queues CONNECT (and prints it) once TCP is up, before its TLS handshake.
    auto opened = co_await open_transport(target, [this] {
        timing_.tcp_connected = clock::now();
        debug("Client " + name_ + " sending CONNECT");
    });
    if (const auto* f = std::get_if<transport_failure>(&opened)) {
        switch (f->where) {
            case transport_failure::step::resolve: error("Unable to connect (Lookup error.).\n"); finish(1);
                co_return;
            case transport_failure::step::tcp: error("Error: " + system_text(f->ec) + "\n"); finish(1);
                co_return;
            case transport_failure::step::tls:
                if (f->ec == tls::tls_errc::handshake_timeout) {
                    error("Error: " + strerror_text(mosq_err::keepalive) + "\n");
                    finish(mosq_err::keepalive);
                co_return;
                }
                // libmosquitto logs a failed name check from its verify callback first.
                if (f->ec == tls::tls_errc::hostname_mismatch) debug("Error: host name verification failed.");
                debug("OpenSSL Error[0]: " + openssl_error_text(f->openssl_error));
                error("Error: " + strerror_text(mosq_err::tls) + "\n");
                finish(mosq_err::tls);
                co_return;
        }
    }
    if (plan_.tls) timing_.tls_done = clock::now();
    conn_ = std::make_unique<client::connection>(std::move(std::get<tls::stream>(opened)));
    conn_->on_packet([this](const client::connection::packet_note& n) { on_packet(n); });

    session_.client_id = plan_.client_id;
    session_.user_name = plan_.user_name;
    session_.password = plan_.password;
    session_.keep_alive = std::chrono::seconds(o_.keepalive_s);
    session_.clean_session = o_.clean_session;
    // libmosquitto gives up on a missing CONNACK after one keep-alive period.
    session_.connack_timeout = std::chrono::seconds(o_.keepalive_s);
    if (const auto& w = plan_.will)
        session_.will = client::will_message{.topic = w->topic, .payload = w->payload,
                                             .qos = static_cast<mqtt::qos>(w->qos), .retain = w->retain};
    timing_.connect_sent = clock::now();
    const auto ec = co_await conn_->async_connect(session_);
    if (ec) {
        if (const int code = connack_code(ec)) {
            debug("Client " + name_ + " received CONNACK (" + std::to_string(code) + ")");
            error("Connection error: " + connack_string(code) + "\n");
            error("Error: " + strerror_text(mosq_err::conn_refused) + "\n");
            finish(code);
                co_return;
        }
        if (ec == client::client_errc::connack_timeout) {
            error("Error: " + strerror_text(mosq_err::keepalive) + "\n");
            finish(mosq_err::keepalive);
                co_return;
        }
        error("Error: " + strerror_text(mosq_err::conn_lost) + "\n");
        finish(mosq_err::conn_lost);
                co_return;
    }
    timing_.connack = clock::now();
    debug("Client " + name_ + " received CONNACK (0)");
    asio::co_spawn(io_, conn_->run(), [this](std::exception_ptr, std::error_code why) { on_closed(why); });
    if (o_.source == message_source::stdin_line) {
        lines_ = std::make_unique<stdin_lines>(req_.line_input, [this](pub_event e) {
            asio::post(io_, [this, e = std::move(e)] {
                if (closed_ || disconnecting_) return;
                if (e.what == pub_event::kind::stdin_eof) window_.end_of_input();
                else window_.add_line(e.text);
                pump_lines();
            });
        });
    } else {
        publish_one(payload());
    }
}

void native_session::on_packet(const client::connection::packet_note& n) {
    using mqtt::packet_type;
    const auto id = std::to_string(n.packet_id);
    switch (n.type) {
        case packet_type::publish:
            if (n.sent)
                debug(publish_line(name_, o_.qos, o_.retain, o_.qos > 0 ? n.packet_id : local_mid_, *o_.topic,
                                   publishing_bytes_));
            break;
        case packet_type::puback:
            if (!n.sent) debug("Client " + name_ + " received PUBACK (Mid: " + id + ", RC:0)");
            break;
        case packet_type::pubrec:
            if (!n.sent) debug("Client " + name_ + " received PUBREC (Mid: " + id + ")");
            break;
        case packet_type::pubrel:
            if (n.sent) debug("Client " + name_ + " sending PUBREL (m" + id + ")");
            break;
        case packet_type::pubcomp:
            if (!n.sent) debug("Client " + name_ + " received PUBCOMP (Mid: " + id + ", RC:0)");
            break;
        case packet_type::pingreq: debug("Client " + name_ + " sending PINGREQ"); break;
        case packet_type::pingresp: debug("Client " + name_ + " received PINGRESP"); break;
        default: break;  // CONNECT, CONNACK and DISCONNECT are printed where the session decides them
    }
}

void native_session::publish_one(const std::string& payload) {
    if (o_.topic->empty()) {
        // libmosquitto refuses an empty topic at publish time (MOSQ_ERR_INVAL) and
        // mosquitto_pub then disconnects, status 0.
        error("Error: Invalid input. Does your topic contain '+' or '#'?\n");
        start_disconnect();
        return;
    }
    ++local_mid_;
    const mqtt::publish p{.topic = *o_.topic,
                          .payload = mqtt::as_bytes(payload),
                          .qos = static_cast<mqtt::qos>(o_.qos),
                          .retain = o_.retain};
    // The -d line (on_packet) shows the packet id the connection assigns (QoS 1 and 2, from 1
    // as libmosquitto's), or this count for QoS 0; the count also keys the --timing records.
    const int mid = local_mid_;
    publishing_bytes_ = payload.size();
    publish_times_[mid] = clock::now();
    window_.on_sent();
    conn_->async_publish(p, [this, mid](std::error_code ec) { on_delivered(mid, ec); });
}

void native_session::on_delivered(int mid, std::error_code ec) {
    if (auto it = publish_times_.find(mid); it != publish_times_.end()) {
        if (!ec) timing_.ack_times.push_back(std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - it->second));
        publish_times_.erase(it);
    }
    if (closed_) return;
    if (ec == client::client_errc::connection_lost) return;  // on_closed() reports it
    if (ec) {
        // Nothing will complete this message (say a topic over 65,535 bytes): report it and end.
        error("Error: " + ec.message() + "\n");
        publish_failed_ = true;
        start_disconnect();
        return;
    }
    after_delivery();
}

void native_session::after_delivery() {
    window_.on_completed();
    if (o_.source == message_source::stdin_line) {
        pump_lines();
    } else if (window_.completed() < o_.repeat_count) {
        // --repeat-delay counts from the previous message's acknowledgement, as mosquitto_pub's.
        repeat_timer_.expires_after(o_.repeat_delay);
        repeat_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec && !closed_ && !disconnecting_) publish_one(payload());
        });
    } else {
        start_disconnect();
    }
}

void native_session::pump_lines() {
    while (!disconnecting_) {
        auto line = window_.next_line();
        if (!line) break;
        publish_one(*line);
    }
    if (window_.lines_done()) start_disconnect();
}

void native_session::start_disconnect() {
    if (disconnecting_ || closed_) return;
    disconnecting_ = true;
    debug("Client " + name_ + " sending DISCONNECT");
    conn_->disconnect();
}

void native_session::on_closed(std::error_code why) {
    closed_ = true;
    repeat_timer_.cancel();
    if (lines_) lines_->stop();
    if (disconnecting_) return finish(0);  // the broker may close first once DISCONNECT is out
    if (why == client::client_errc::pingresp_timeout) {
        error("Error: " + strerror_text(mosq_err::keepalive) + "\n");
        return finish(mosq_err::keepalive);
    }
    error("Error: " + strerror_text(mosq_err::conn_lost) + "\n");
    finish(mosq_err::conn_lost);
}

}  // namespace

bool native_supports(const pub_options& o) {
    if (o.protocol_version != 4 || o.capath) return false;
    if (o.tls_version && !version_of(*o.tls_version)) return false;
    if (o.cafile && o.tls_use_os_certs) return false;
    return true;
}

int run_native_publisher(const publish_request& req, const client_plan& plan) {
    asio::io_context io(1);
    native_session session(req, plan, io);
    asio::co_spawn(io, session.start(), asio::detached);
    io.run();
    session.report_timing();
    return session.exit_code();
}

}  // namespace wv::wvpub
