#include "pubpy_session.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "client/connection.hpp"
#include "native_transport.hpp"
#include "wavelet_payloads.hpp"

namespace wv::wvpub {
namespace {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;
constexpr auto tok = asio::as_tuple(asio::use_awaitable);
constexpr auto connack_wait = std::chrono::seconds(10);

double ms_since(clock::time_point t) { return std::chrono::duration<double, std::milli>(clock::now() - t).count(); }

payload::report_profile pubpy_profile(int samples) {
    // pub.py: each entry a TEMP channel with one periodic uint64 sample 0..10000, interval 500.
    auto profile = payload::default_profile();
    const auto base = profile.channels.front();
    profile.channels.clear();
    for (int i = 0; i < samples; ++i) {
        auto c = base;
        c.number = static_cast<std::uint32_t>(i + 1);
        profile.channels.push_back(c);
    }
    profile.seed = std::random_device{}();
    return profile;
}

std::string system_text(const std::error_code& ec) {
    if (ec.category() == std::system_category() || ec.category() == std::generic_category()) return std::strerror(ec.value());
    return ec.message();
}

std::string refusal_reason(const std::error_code& ec, int& code) {
    using client::client_errc;
    switch (static_cast<client_errc>(ec.value())) {
        case client_errc::refused_protocol_version: code = 1; return "unacceptable protocol version";
        case client_errc::refused_identifier_rejected: code = 2; return "identifier rejected";
        case client_errc::refused_server_unavailable: code = 3; return "server unavailable";
        case client_errc::refused_bad_user_name_or_password: code = 4; return "bad user name or password";
        case client_errc::refused_not_authorized: code = 5; return "not authorized";
        default: code = 0; return {};
    }
}

// The one line saying why the connection could not be opened.
std::string transport_failure_text(const transport_failure& f, const std::string& where, const std::string& host) {
    using step = transport_failure::step;
    switch (f.where) {
        case step::resolve: return "cannot resolve '" + host + "' (" + f.ec.message() + "). Check --endpoint.";
        case step::tcp: return "cannot connect to " + where + " (" + system_text(f.ec) + "). Check --endpoint and --port.";
        case step::tls: break;
    }
    std::string text = "TLS handshake with " + where + " failed (" + (f.detail.empty() ? f.ec.message() : f.detail) + ").";
    if (f.ec == tls::tls_errc::verify_failed) text += " Check --ca-file: it must hold the CA that signed the server's certificate.";
    else if (f.ec == tls::tls_errc::hostname_mismatch) text += " The certificate does not name '" + host + "' (--insecure skips that check).";
    else if (f.ec == tls::tls_errc::no_alpn_agreed) text += " The server does not offer MQTT over ALPN 'mqtt' on this port.";
    return text;
}

class pubpy_session {
public:
    pubpy_session(const pubpy_options& o, std::string client_id, std::string user_name, asio::io_context& io)
        : o_(o), client_id_(std::move(client_id)), user_name_(std::move(user_name)), io_(io),
          where_(o.endpoint + ":" + std::to_string(o.port)) {}

    asio::awaitable<void> run();
    int exit_code() const { return failed_ ? 1 : 0; }

private:
    void fail(const std::string& text) {
        std::fprintf(stderr, "Connection failed: %s\n", text.c_str());
        failed_ = true;
    }
    asio::awaitable<void> publish_all();

    const pubpy_options& o_;
    std::string client_id_, user_name_;
    asio::io_context& io_;
    std::string where_;
    std::unique_ptr<tls::client_context> tls_;
    std::unique_ptr<client::connection> conn_;
    client::session_options session_;
    bool failed_ = false;
    bool closed_ = false;
};

asio::awaitable<void> pubpy_session::run() {
    // A missing or unreadable CA file is the commonest first mistake: name it before anything
    // touches the network.
    if (std::FILE* f = std::fopen(o_.ca_file.c_str(), "rb")) {
        std::fclose(f);
    } else {
        fail("cannot read the CA file '" + o_.ca_file + "' (--ca-file): " + std::strerror(errno) + ".");
        co_return;
    }
    try {
        tls_ = std::make_unique<tls::client_context>(tls::client_options{.ca_file = o_.ca_file, .alpn = {"mqtt"}});
    } catch (const std::exception& e) {
        fail("cannot use the CA file '" + o_.ca_file + "' (--ca-file): " + e.what() + ".");
        co_return;
    }
    std::printf("Connecting to %s (TLS, ALPN mqtt)\n  client id: %s\n  user name: %s\n", where_.c_str(), client_id_.c_str(),
                user_name_.c_str());
    std::fflush(stdout);

    const auto t0 = clock::now();
    const transport_target target{.host = o_.endpoint,
                                  .port = static_cast<std::uint16_t>(o_.port),
                                  .tls = tls_.get(),
                                  .check_host = !o_.insecure,
                                  .handshake_timeout = connack_wait};
    auto opened = co_await open_transport(target);
    if (const auto* f = std::get_if<transport_failure>(&opened)) {
        fail(transport_failure_text(*f, where_, o_.endpoint));
        co_return;
    }
    conn_ = std::make_unique<client::connection>(std::move(std::get<tls::stream>(opened)));
    session_.client_id = client_id_;
    session_.user_name = user_name_;
    session_.password = o_.password;
    session_.keep_alive = std::chrono::seconds(30);
    session_.connack_timeout = connack_wait;
    if (const auto ec = co_await conn_->async_connect(session_)) {
        int code = 0;
        const auto reason = ec.category() == client::client_category() ? refusal_reason(ec, code) : std::string();
        if (code != 0)
            fail(where_ + " refused the login: " + reason + " (CONNACK return code " + std::to_string(code) +
                 "). Check --user, --password and --authorizer.");
        else if (ec == client::client_errc::connack_timeout)
            fail("no CONNACK from " + where_ + " within " + std::to_string(connack_wait.count()) + " s.");
        else
            fail(where_ + " closed the connection without a CONNACK (" + ec.message() +
                 "); AWS IoT does this when the custom authorizer denies the login. Check --user, --password and "
                 "--authorizer.");
        co_return;
    }
    const double connect_ms = ms_since(t0);
    std::printf("Connected in %.1f ms\n", connect_ms);
    std::fflush(stdout);
    asio::co_spawn(io_, conn_->run(), [this, connect_ms](std::exception_ptr, std::error_code why) {
        closed_ = true;
        if (why == client::client_errc::disconnected) std::printf("Disconnected\n");
        else std::fprintf(stderr, "Connection to %s ended: %s\n", where_.c_str(), why.message().c_str());
        if (o_.timing) std::fprintf(stderr, "timing: connect (TCP + TLS + CONNACK) %.3f ms\n", connect_ms);
    });
    co_await publish_all();
    conn_->disconnect();
}

asio::awaitable<void> pubpy_session::publish_all() {
    const std::string topic = "wv/" + o_.akid + "/1/samp/p1";
    const auto profile = pubpy_profile(o_.samples);
    asio::steady_timer pause(io_);
    for (int i = 1; i <= o_.messages && !closed_; ++i) {
        const auto now_ms = unix_now_ms();
        const auto body = encode_samples(profile, i, now_ms);
        const auto t = clock::now();
        const mqtt::publish p{.topic = topic, .payload = mqtt::as_bytes(body), .qos = mqtt::qos::at_least_once};
        auto [ec] = co_await conn_->async_publish(p, tok);
        if (ec) {
            std::string hint;
            if (ec == client::client_errc::connection_lost)
                hint = " (AWS IoT closes the connection when the policy does not allow publishing to " + topic + ")";
            std::fprintf(stderr, "Publish %d failed: %s%s\n", i, ec.message().c_str(), hint.c_str());
            failed_ = true;
            continue;
        }
        std::printf("Published report_id %d: %d TEMP samples, first timestamp %llu, %zu bytes, QoS 1 to %s "
                    "(PUBACK in %.1f ms)\n",
                    i, o_.samples, static_cast<unsigned long long>(now_ms), body.size(), topic.c_str(), ms_since(t));
        std::fflush(stdout);
        if (i < o_.messages) {
            pause.expires_after(std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(o_.interval_s)));
            co_await pause.async_wait(tok);
        }
    }
}

}  // namespace

int run_pubpy_session(const pubpy_options& o, const std::string& client_id, const std::string& user_name) {
    asio::io_context io(1);
    pubpy_session session(o, client_id, user_name, io);
    asio::co_spawn(io, session.run(), asio::detached);
    io.run();
    return session.exit_code();
}

}  // namespace wv::wvpub
