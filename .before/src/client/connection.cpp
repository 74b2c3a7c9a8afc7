#include "client/connection.hpp"

#include <algorithm>
#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "mqtt/errors.hpp"
#include "mqtt/frame.hpp"
#include "mqtt/packet.hpp"

namespace wv::client {
namespace {

using clock = std::chrono::steady_clock;
constexpr auto tok = asio::as_tuple(asio::use_awaitable);

// Frames above this size leave the decoder's reassembly buffer large; rebuild it afterwards.
constexpr std::size_t large_frame_bytes = 4096;
// A write batch buffer above this capacity is released after the write instead of kept.
constexpr std::size_t keep_write_capacity = 1024;

// One read buffer per thread, shared by every connection on it: a TLS record is at most 16 KiB
// of plaintext, and each connection decodes what it read before it next suspends.
std::span<std::byte> thread_read_buffer() {
    thread_local std::array<std::byte, 16 * 1024> buf;
    return buf;
}

std::error_code connack_error(mqtt::connack_code c) {
    switch (c) {
        case mqtt::connack_code::accepted: return {};
        case mqtt::connack_code::unacceptable_protocol_version: return client_errc::refused_protocol_version;
        case mqtt::connack_code::identifier_rejected: return client_errc::refused_identifier_rejected;
        case mqtt::connack_code::server_unavailable: return client_errc::refused_server_unavailable;
        case mqtt::connack_code::bad_user_name_or_password: return client_errc::refused_bad_user_name_or_password;
        case mqtt::connack_code::not_authorized: return client_errc::refused_not_authorized;
    }
    return client_errc::unexpected_packet;
}

}  // namespace

connection::connection(tls::stream s) : stream_(std::move(s)), timer_(stream_.get_executor()) {}

connection::~connection() = default;

asio::awaitable<std::error_code> connection::async_connect(const session_options& o) {
    using namespace asio::experimental::awaitable_operators;
    if (connected_) co_return client_errc::unexpected_packet;
    keep_alive_ = std::min(o.keep_alive, std::chrono::seconds(65535));
    pingresp_timeout_ = o.pingresp_timeout;
    max_queued_bytes_ = o.max_queued_bytes;
    decoder_ = mqtt::stream_decoder(mqtt::limits{.max_packet_bytes = o.max_packet_bytes});

    mqtt::connect c;
    c.client_id = o.client_id;
    c.clean_session = o.clean_session;
    c.keep_alive_s = static_cast<std::uint16_t>(keep_alive_.count());
    if (o.user_name) c.user_name = *o.user_name;
    if (o.password) c.password = mqtt::as_bytes(*o.password);
    if (o.will) c.will = mqtt::last_will{.topic = o.will->topic, .message = mqtt::as_bytes(o.will->payload), .qos = o.will->qos, .retain = o.will->retain};
    mqtt::byte_buffer out;
    try {
        mqtt::encode(c, out);
    } catch (const std::system_error& e) {  // a field over 65,535 bytes: the caller's values
        co_return e.code();
    }
    note(true, mqtt::packet_type::connect);
    if (auto ec = co_await stream_.async_write(out)) co_return ec;
    // The CONNACK (and with TLS 1.3 the session tickets before it) must not wait for our
    // delayed ACK on a server that leaves Nagle on: ~45 ms per connect against mosquitto.
    stream_.quick_ack();
    last_sent_ = clock::now();

    // Read exactly the 4 bytes of a CONNACK: anything after it stays in the socket (or in
    // OpenSSL's record buffer) for run(), so nothing has to be carried over.
    std::array<std::byte, 4> ack{};
    std::size_t got = 0;
    auto read_connack = [&]() -> asio::awaitable<std::error_code> {
        while (got < ack.size()) {
            auto [ec, n] = co_await stream_.async_read_some(std::span{ack}.subspan(got));
            if (ec) co_return ec;
            got += n;
            // Fail fast on a first byte that cannot start a CONNACK.
            if (got >= 1 && ack[0] != std::byte{0x20}) {
                const auto f = mqtt::read_frame(std::span{ack}.first(got));
                if (const auto* e = std::get_if<std::error_code>(&f)) co_return *e;
                co_return client_errc::unexpected_packet;
            }
        }
        co_return std::error_code{};
    };
    timer_.expires_after(o.connack_timeout);
    auto r = co_await (read_connack() || timer_.async_wait(tok));
    if (r.index() == 1) {
        stream_.close();
        co_return client_errc::connack_timeout;
    }
    if (auto ec = std::get<0>(r)) {
        stream_.close();
        co_return ec;
    }
    const auto f = mqtt::read_frame(ack);
    if (const auto* e = std::get_if<std::error_code>(&f)) co_return *e;
    const auto* fr = std::get_if<mqtt::frame>(&f);
    if (!fr) co_return client_errc::unexpected_packet;
    const auto ca = mqtt::decode_connack(fr->body, fr->flags);
    if (!ca) co_return ca.error();
    note(false, mqtt::packet_type::connack);
    if (auto ec = connack_error(ca->code)) {
        stream_.close();
        co_return ec;
    }
    session_present_ = ca->session_present;
    connected_ = true;
    co_return std::error_code{};
}

asio::awaitable<std::error_code> connection::run() {
    if (!connected_) co_return client_errc::not_connected;
    if (keep_alive_.count() > 0) arm_timer(last_sent_ + keep_alive_);
    flush();  // anything queued between CONNACK and now
    std::error_code why;
    // The read loop, inline: every idle connection sits suspended here, so this is the one frame
    // it keeps; the socket wait is awaited directly and the read buffer is per thread.
    for (;;) {
        // The buffer is taken after every wake-up: the coroutine may resume on another thread.
        const auto buf = thread_read_buffer();
        tls::stream::wait_for need = tls::stream::wait_for::read;
        auto [ec, n] = stream_.read_now(buf, need);
        if (ec == std::errc::operation_would_block) {
            const auto what = need == tls::stream::wait_for::read ? tls::tcp::socket::wait_read : tls::tcp::socket::wait_write;
            auto [wec] = co_await stream_.socket().async_wait(what, tok);
            if (!wec) continue;
            ec = wec;
        }
        if (!ec) ec = decode(buf.first(n));
        if (ec) {
            why = ec;
            break;
        }
    }
    if (failure_) why = failure_;  // the reason that closed the socket under the read loop
    connected_ = false;
    stream_.close();
    timer_.cancel();
    fail_all(client_errc::connection_lost);
    // The timer and writability handlers hold `this`: let them run before the owner may
    // destroy the connection.
    while (timer_armed_ || write_blocked_) co_await asio::post(stream_.get_executor(), asio::use_awaitable);
    pending_ = {};
    writing_ = {};
    co_return why;
}

std::error_code connection::decode(std::span<const std::byte> chunk) {
    decoder_.feed(chunk);
    for (;;) {
        auto next = decoder_.next();
        if (std::holds_alternative<mqtt::need_more>(next)) break;
        if (const auto* e = std::get_if<std::error_code>(&next)) return *e;
        const auto& f = std::get<mqtt::frame>(next);
        if (f.consumed > large_frame_bytes) large_frame_seen_ = true;
        if (auto herr = handle_frame(f)) return herr;
    }
    // Nothing of this chunk is referenced any more; drop a reassembly buffer grown by a
    // large packet so an idle connection returns to its small size.
    if (large_frame_seen_ && decoder_.buffered() == 0) {
        decoder_ = mqtt::stream_decoder(decoder_.limits_in_use());
        large_frame_seen_ = false;
    }
    return {};
}

void connection::flush() {
    while (!write_blocked_ && stream_.is_open()) {
        if (write_offset_ == writing_.size()) {
            writing_.clear();
            write_offset_ = 0;
            if (pending_.empty()) break;
            std::swap(writing_, pending_);
        }
        tls::stream::wait_for need = tls::stream::wait_for::write;
        auto [ec, n] = stream_.write_now(std::span<const std::byte>{writing_}.subspan(write_offset_), need);
        if (ec == std::errc::operation_would_block) {
            write_blocked_ = true;
            const auto what = need == tls::stream::wait_for::read ? tls::tcp::socket::wait_read : tls::tcp::socket::wait_write;
            stream_.socket().async_wait(what, [this](const boost::system::error_code& wec) {
                write_blocked_ = false;
                if (wec) return fail(wec);
                flush();
            });
            return;
        }
        if (ec) return fail(ec);
        write_offset_ += n;
        last_sent_ = clock::now();
    }
    if (write_blocked_ || !stream_.is_open()) return;
    // Idle connections keep no large buffers.
    if (writing_.capacity() > keep_write_capacity) writing_ = {};
    if (pending_.capacity() > keep_write_capacity) pending_ = {};
    if (closing_ && connected_) {
        // DISCONNECT is out: close_notify, then close; the read loop ends and run() returns.
        if (!failure_) failure_ = client_errc::disconnected;
        stream_.shutdown_now();
    }
}

void connection::arm_timer(clock::time_point at) {
    timer_.expires_at(at);
    timer_armed_ = true;
    timer_.async_wait([this](const boost::system::error_code& ec) { on_timer(ec); });
}

// Re-armed lazily: sends do not touch the timer; when it fires, it checks what is due.
void connection::on_timer(const boost::system::error_code& ec) {
    timer_armed_ = false;
    if (ec || !connected_ || failure_) return;
    const auto now = clock::now();
    if (ping_outstanding_) {
        if (now >= pingresp_deadline_) return fail(client_errc::pingresp_timeout);
        return arm_timer(pingresp_deadline_);
    }
    if (now >= last_sent_ + keep_alive_) {
        mqtt::encode(mqtt::pingreq{}, pending_);
        note(true, mqtt::packet_type::pingreq);
        ping_outstanding_ = true;
        pingresp_deadline_ = now + pingresp_timeout_;
        flush();
        return arm_timer(pingresp_deadline_);
    }
    arm_timer(last_sent_ + keep_alive_);
}

void connection::fail(std::error_code why) {
    if (!failure_) failure_ = why;
    stream_.close();
}

std::error_code connection::handle_frame(const mqtt::frame& f) {
    using mqtt::packet_type;
    switch (f.type) {
        case packet_type::publish: {
            const auto p = mqtt::decode_publish(f.body, f.flags);
            if (!p) return p.error();
            note(false, packet_type::publish, p->packet_id);
            if (p->qos == mqtt::qos::exactly_once) {
                // Delivered once, on PUBLISH; a resent PUBLISH before PUBREL is only re-acknowledged.
                const bool seen = std::find(awaiting_pubrel_.begin(), awaiting_pubrel_.end(), p->packet_id) != awaiting_pubrel_.end();
                if (!seen) {
                    if (on_message_) on_message_(*p);
                    awaiting_pubrel_.push_back(p->packet_id);
                }
                mqtt::encode(mqtt::pubrec{.packet_id = p->packet_id}, pending_);
                note(true, packet_type::pubrec, p->packet_id);
                flush();
                return {};
            }
            if (on_message_) on_message_(*p);
            if (p->qos == mqtt::qos::at_least_once) {
                mqtt::encode(mqtt::puback{.packet_id = p->packet_id}, pending_);
                note(true, packet_type::puback, p->packet_id);
                flush();
            }
            return {};
        }
        case packet_type::puback: {
            const auto a = mqtt::decode_puback(f.body, f.flags);
            if (!a) return a.error();
            note(false, packet_type::puback, a->packet_id);
            return complete_ack(a->packet_id, waiting_for::puback, {});
        }
        case packet_type::pubrec: {
            const auto a = mqtt::decode_pubrec(f.body, f.flags);
            if (!a) return a.error();
            note(false, packet_type::pubrec, a->packet_id);
            // PUBREL goes out even for an id we do not know (4.3.3: the server may resend PUBREC).
            mqtt::encode(mqtt::pubrel{.packet_id = a->packet_id}, pending_);
            note(true, packet_type::pubrel, a->packet_id);
            flush();
            for (auto& op : in_flight_)
                if (op.id == a->packet_id && op.what == waiting_for::pubrec) op.what = waiting_for::pubcomp;
            return {};
        }
        case packet_type::pubcomp: {
            const auto a = mqtt::decode_pubcomp(f.body, f.flags);
            if (!a) return a.error();
            note(false, packet_type::pubcomp, a->packet_id);
            return complete_ack(a->packet_id, waiting_for::pubcomp, {});
        }
        case packet_type::pubrel: {
            const auto a = mqtt::decode_pubrel(f.body, f.flags);
            if (!a) return a.error();
            note(false, packet_type::pubrel, a->packet_id);
            std::erase(awaiting_pubrel_, a->packet_id);
            if (awaiting_pubrel_.empty()) awaiting_pubrel_.shrink_to_fit();
            mqtt::encode(mqtt::pubcomp{.packet_id = a->packet_id}, pending_);
            note(true, packet_type::pubcomp, a->packet_id);
            flush();
            return {};
        }
        case packet_type::suback: {
            const auto a = mqtt::decode_suback(f.body, f.flags);
            if (!a) return a.error();
            note(false, packet_type::suback, a->packet_id);
            const bool refused =
                std::find(a->return_codes.begin(), a->return_codes.end(), mqtt::suback_code::failure) != a->return_codes.end();
            return complete_ack(a->packet_id, waiting_for::suback, refused ? make_error_code(client_errc::subscription_refused) : std::error_code{});
        }
        case packet_type::unsuback: {
            const auto a = mqtt::decode_unsuback(f.body, f.flags);
            if (!a) return a.error();
            note(false, packet_type::unsuback, a->packet_id);
            return complete_ack(a->packet_id, waiting_for::unsuback, {});
        }
        case packet_type::pingresp: {
            const auto a = mqtt::decode_pingresp(f.body, f.flags);
            if (!a) return a.error();
            note(false, packet_type::pingresp);
            ping_outstanding_ = false;  // the timer, armed for the PINGRESP deadline, re-arms for keep-alive
            return {};
        }
        default: return client_errc::unexpected_packet;  // CONNACK again, or a server-bound packet
    }
}

std::error_code connection::complete_ack(std::uint16_t id, waiting_for what, std::error_code result) {
    const auto it = std::find_if(in_flight_.begin(), in_flight_.end(), [&](const pending_op& op) { return op.id == id && op.what == what; });
    // An acknowledgement for nothing we sent: servers resend after reconnects; ignore it.
    if (it == in_flight_.end()) return {};
    auto done = std::move(it->done);
    in_flight_.erase(it);
    post_completion(std::move(done), result);
    return {};
}

std::uint16_t connection::allocate_id() {
    if (in_flight_.size() >= 65535) return 0;
    for (;;) {
        const std::uint16_t id = next_id_;
        next_id_ = next_id_ == 65535 ? 1 : next_id_ + 1;
        const bool used = std::any_of(in_flight_.begin(), in_flight_.end(), [id](const pending_op& op) { return op.id == id; });
        if (!used) return id;
    }
}

void connection::post_completion(completion done, std::error_code ec) {
    if (!done) return;
    // Posted to the connection's executor (the caller's, by the threading contract) so that a
    // completion never runs inside the call that caused it.
    asio::post(stream_.get_executor(), [done = std::move(done), ec]() mutable { std::move(done)(ec); });
}

void connection::fail_all(std::error_code ec) {
    std::list<pending_op> ops;
    ops.swap(in_flight_);
    for (auto& op : ops) post_completion(std::move(op.done), ec);
    awaiting_pubrel_ = {};
}

void connection::start_publish(const mqtt::publish& p, completion done) {
    if (!is_connected()) return post_completion(std::move(done), client_errc::not_connected);
    mqtt::publish out = p;
    out.dup = false;
    out.packet_id = 0;
    if (out.qos != mqtt::qos::at_most_once) {
        out.packet_id = allocate_id();
        if (out.packet_id == 0) return post_completion(std::move(done), client_errc::too_many_in_flight);
    }
    const std::size_t before = pending_.size();
    try {
        mqtt::encode(out, pending_);
    } catch (const std::system_error& e) {
        pending_.resize(before);
        return post_completion(std::move(done), e.code());
    }
    // One packet always fits an empty queue, whatever its size.
    if (before > 0 && pending_.size() > max_queued_bytes_) {
        pending_.resize(before);
        return post_completion(std::move(done), client_errc::queue_full);
    }
    note(true, mqtt::packet_type::publish, out.packet_id);
    if (out.qos == mqtt::qos::at_most_once) post_completion(std::move(done), {});
    else in_flight_.push_back({out.packet_id, out.qos == mqtt::qos::at_least_once ? waiting_for::puback : waiting_for::pubrec, std::move(done)});
    flush();
}

void connection::start_subscribe(std::span<const mqtt::subscription> subs, completion done) {
    if (!is_connected()) return post_completion(std::move(done), client_errc::not_connected);
    const auto id = allocate_id();
    if (id == 0) return post_completion(std::move(done), client_errc::too_many_in_flight);
    const std::size_t before = pending_.size();
    try {
        mqtt::encode(mqtt::subscribe{.packet_id = id, .subscriptions = {subs.begin(), subs.end()}}, pending_);
    } catch (const std::system_error& e) {
        pending_.resize(before);
        return post_completion(std::move(done), e.code());
    }
    note(true, mqtt::packet_type::subscribe, id);
    in_flight_.push_back({id, waiting_for::suback, std::move(done)});
    flush();
}

void connection::start_unsubscribe(std::span<const std::string_view> filters, completion done) {
    if (!is_connected()) return post_completion(std::move(done), client_errc::not_connected);
    const auto id = allocate_id();
    if (id == 0) return post_completion(std::move(done), client_errc::too_many_in_flight);
    const std::size_t before = pending_.size();
    try {
        mqtt::encode(mqtt::unsubscribe{.packet_id = id, .filters = {filters.begin(), filters.end()}}, pending_);
    } catch (const std::system_error& e) {
        pending_.resize(before);
        return post_completion(std::move(done), e.code());
    }
    note(true, mqtt::packet_type::unsubscribe, id);
    in_flight_.push_back({id, waiting_for::unsuback, std::move(done)});
    flush();
}

void connection::disconnect() {
    if (!connected_ || closing_) return;
    mqtt::encode(mqtt::disconnect{}, pending_);
    note(true, mqtt::packet_type::disconnect);
    closing_ = true;
    flush();
}

void connection::abort() noexcept {
    closing_ = true;
    if (!failure_) failure_ = std::make_error_code(std::errc::connection_aborted);
    stream_.abort();
}

}  // namespace wv::client
