#include "mini_broker.hpp"

#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "mqtt/packet.hpp"
#include "mqtt/stream_decoder.hpp"

namespace wv::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

mini_broker::mini_broker(wv::tls::server_options opts)
    : ctx_(std::move(opts)), acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
}

mini_broker::~mini_broker() {
    io_.stop();
    thread_.join();
}

bool mini_broker::wait_for_finished(std::size_t n, std::chrono::seconds limit) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return seen_.size() >= n; });
}

std::vector<seen_connection> mini_broker::seen() const {
    std::lock_guard lock(mu_);
    return seen_;
}

asio::awaitable<void> mini_broker::accept_loop() {
    for (;;) {
        auto [ec, sock] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        asio::co_spawn(io_, serve(wv::tls::stream(std::move(sock), ctx_)), asio::detached);
    }
}

asio::awaitable<void> mini_broker::serve(wv::tls::stream s) {
    seen_connection c;
    c.handshake = co_await s.async_handshake(5s);
    c.sni = std::string(s.sni());
    c.alpn = std::string(s.alpn());
    c.version = std::string(s.protocol_version());
    mqtt::stream_decoder dec;
    std::array<std::byte, 4096> buf;
    mqtt::byte_buffer out;
    bool open = !c.handshake;
    while (open) {
        auto [ec, n] = co_await s.async_read_some(buf);
        if (ec) break;
        dec.feed(std::span{buf}.first(n));
        out.clear();
        for (;;) {
            auto r = dec.next();
            if (std::holds_alternative<mqtt::need_more>(r)) break;
            if (std::holds_alternative<std::error_code>(r)) {
                open = false;
                break;
            }
            const auto p = mqtt::decode_any(std::get<mqtt::frame>(r));
            if (!p) {
                open = false;
                break;
            }
            if (const auto* con = std::get_if<mqtt::connect>(&*p)) {
                c.client_id = std::string(con->client_id);
                mqtt::encode(mqtt::connack{}, out);
            } else if (const auto* pub = std::get_if<mqtt::publish>(&*p)) {
                c.publishes.push_back(std::string(pub->topic) + "=" + std::string(mqtt::as_chars(pub->payload)));
                if (pub->qos == mqtt::qos::at_least_once) mqtt::encode(mqtt::puback{.packet_id = pub->packet_id}, out);
                if (pub->qos == mqtt::qos::exactly_once) mqtt::encode(mqtt::pubrec{.packet_id = pub->packet_id}, out);
            } else if (const auto* rel = std::get_if<mqtt::pubrel>(&*p)) {
                mqtt::encode(mqtt::pubcomp{.packet_id = rel->packet_id}, out);
            } else if (const auto* sub = std::get_if<mqtt::subscribe>(&*p)) {
                mqtt::suback ack{.packet_id = sub->packet_id, .return_codes = {}};
                for (const auto& f : sub->subscriptions) ack.return_codes.push_back(static_cast<mqtt::suback_code>(f.qos));
                mqtt::encode(ack, out);
            } else if (std::holds_alternative<mqtt::pingreq>(*p)) {
                mqtt::encode(mqtt::pingresp{}, out);
            } else if (std::holds_alternative<mqtt::disconnect>(*p)) {
                c.disconnected = true;
                open = false;
                break;
            }
        }
        if (!out.empty() && co_await s.async_write(out)) break;
    }
    s.close();
    {
        std::lock_guard lock(mu_);
        seen_.push_back(std::move(c));
    }
    cv_.notify_all();
}

}  // namespace wv::test
