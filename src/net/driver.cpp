#include "net/driver.hpp"

#include "net/read_wait.hpp"

#include <array>
#include <utility>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

namespace wv::net {

namespace asio = boost::asio;

namespace {

// Readiness waits report the end of the stream in Asio's terms; callers see ours.
std::error_code transport_error(const boost::system::error_code& ec) {
    if (ec == asio::error::eof) return tls::tls_errc::closed;
    return ec;
}

tls::tcp::socket::wait_type wait_type_for(tls::stream::wait_for need) {
    return need == tls::stream::wait_for::read ? tls::tcp::socket::wait_read : tls::tcp::socket::wait_write;
}

// One read buffer per thread, shared by every connection on it: a TLS record is at most
// 16 KiB of plaintext, and each machine consumes (copies what it keeps) before the next read.
std::span<std::byte> driver_read_buffer() {
    thread_local std::array<std::byte, 16 * 1024> buf;
    return buf;
}

}  // namespace

driver::driver(tls::stream s, protocol_machine& m, driver_options o) : stream_(std::move(s)), machine_(m), opts_(o) {
    if (!opts_.wheel) timer_ = std::make_unique<boost::asio::steady_timer>(stream_.get_executor());
    // Read waits would otherwise each wake us twice (stream::renew_registration).
    stream_.renew_registration();
}

driver::~driver() {
    // A wheel that went first (its thread ended) has already forgotten this entry.
    if (opts_.wheel && is_scheduled()) opts_.wheel->cancel(*this);
}

void driver::start(end_handler on_end) {
    if (started_) return;
    started_ = true;
    on_end_ = std::move(on_end);
    // Bytes may already wait inside OpenSSL (sent with the handshake's last flight).
    read_some();
    settle();
}

void driver::read_some() {
    const auto buf = driver_read_buffer();
    for (int reads = 0; !ending_ && machine_.wants_input(); ++reads) {
        if (reads == opts_.read_burst) {
            read_pending_ = true;
            asio::post(stream_.get_executor(), [this] {
                read_pending_ = false;
                if (ending_) return finish_if_idle();
                read_some();
                settle();
            });
            return;
        }
        auto need = tls::stream::wait_for::read;
        auto [ec, n] = stream_.read_now(buf, need);
        if (ec == std::errc::operation_would_block) return park_read(need);
        if (ec) return transport_closed(ec);
        feed_backlog();
        busy_ = true;
        machine_.on_bytes(std::span<const std::byte>(buf.data(), n), clock::now(), fx_);
        busy_ = false;
        if (fx_.closing()) return;
        // Plain TCP: a short read took all there was; wait now instead of a read(2) that would
        // only say "would block". TLS streams (read-ahead) know that themselves and answer the
        // next read_now without a system call; skipping that call would leave the stream's
        // "socket drained" note behind for the read after the wait, which would then wait again.
        if (!stream_.is_tls() && n < buf.size() && machine_.wants_input()) return park_read(tls::stream::wait_for::read);
    }
}

void driver::park_read(tls::stream::wait_for need) {
    if (machine_.wants_quick_ack()) stream_.quick_ack();
    read_pending_ = true;
    // We read until the socket was empty (a short read or would-block), so the next edge is
    // all there is to wait for: no re-arm (read_wait.hpp). TLS wanting to write while reading
    // waits as Asio does.
    if (need == tls::stream::wait_for::read) {
        return wait_readable(
            stream_.socket(),
            [](void* self, const boost::system::error_code& ec) { static_cast<driver*>(self)->on_readable(ec); }, this);
    }
    stream_.socket().async_wait(wait_type_for(need), [this](const boost::system::error_code& ec) { on_readable(ec); });
}

void driver::on_readable(const boost::system::error_code& ec) {
    read_pending_ = false;
    if (ending_) return finish_if_idle();
    if (ec) transport_closed(transport_error(ec));
    else read_some();
    settle();
}

void driver::settle() {
    if (fx_.closing() && !ending_) {
        ending_ = true;
        end_why_ = fx_.why;
    }
    if (!closed_) {
        if (fx_.end == ending::close_now || fx_.end == ending::reset) close_socket(fx_.end);
        else flush();
    }
    if (closed_) return finish_if_idle();
    if (ending_) {  // the machine asked to close once its bytes are out
        if (!write_parked_ && queued_bytes() == 0) close_socket(fx_.end);
        else if (!in_grace_) arm_grace();
        return;
    }
    arm_timer();
    if (!read_pending_ && machine_.wants_input()) {
        // Reading was paused and the machine wants input again: resume from a fresh handler,
        // not from inside this input.
        read_pending_ = true;
        asio::post(stream_.get_executor(), [this] {
            read_pending_ = false;
            if (ending_) return finish_if_idle();
            read_some();
            settle();
        });
    }
}

void driver::flush() {
    while (!write_parked_ && !closed_) {
        if (write_offset_ == writing_.size()) {
            writing_.clear();
            write_offset_ = 0;
            if (fx_.send.empty()) break;
            writing_.swap(fx_.send);
        }
        auto need = tls::stream::wait_for::write;
        auto [ec, n] = stream_.write_now(std::span<const std::byte>(writing_).subspan(write_offset_), need);
        if (ec == std::errc::operation_would_block) {
            // TLS: the retry must offer the same bytes, so writing_ stays as it is meanwhile.
            write_parked_ = true;
            stream_.socket().async_wait(wait_type_for(need), [this](const boost::system::error_code& wec) {
                write_parked_ = false;
                if (closed_) return finish_if_idle();
                if (wec) transport_closed(transport_error(wec));
                settle();
            });
            return;
        }
        if (ec) return transport_closed(ec);
        write_offset_ += n;  // TLS takes all or nothing; plain TCP may take part
    }
    if (write_parked_ || closed_) return;
    // An idle connection keeps no large buffers; a busy one keeps small ones for the next burst.
    if (writing_.capacity() > opts_.keep_write_capacity) mqtt::byte_buffer().swap(writing_);
    if (fx_.send.capacity() > opts_.keep_write_capacity) mqtt::byte_buffer().swap(fx_.send);
}

void driver::arm_timer() {
    const auto d = machine_.next_deadline();
    if (!d) return;
    // Lazily: a deadline that moved later (keep-alive, at every packet) is found when the
    // timer fires, so the timer is touched only when a deadline comes earlier.
    if (timer_pending() && *d >= armed_at_) return;
    set_timer(*d);
}

void driver::set_timer(clock::time_point at) {
    armed_at_ = at;
    if (opts_.wheel) return opts_.wheel->schedule(*this, at);
    timer_->expires_at(at);  // aborts a pending wait; its handler only counts itself out
    ++timer_waits_;
    timer_->async_wait([this](const boost::system::error_code& ec) { on_timer(ec); });
}

void driver::arm_grace() {
    in_grace_ = true;
    set_timer(clock::now() + opts_.flush_grace);
}

void driver::on_timer(const boost::system::error_code& ec) {
    --timer_waits_;
    if (closed_) return finish_if_idle();
    // Aborted by a re-arm, or an older wait that had completed before the re-arm: the newer
    // wait is pending and will come.
    if (ec || clock::now() < timer_->expiry()) return;
    deadline_reached();
}

void driver::on_expired() {
    if (!closed_) deadline_reached();
}

void driver::deadline_reached() {
    armed_at_ = clock::time_point::max();
    if (in_grace_) {  // the peer did not take our last bytes in time
        close_socket(ending::close_now);
        return;
    }
    if (ending_) return;
    const auto now = clock::now();
    if (const auto d = machine_.next_deadline(); d && now >= *d) {
        feed_backlog();
        busy_ = true;
        machine_.on_deadline(now, fx_);
        busy_ = false;
    }
    settle();
}

void driver::transport_closed(std::error_code why) {
    if (!ending_) {
        ending_ = true;
        end_why_ = why;
        busy_ = true;
        machine_.on_transport_closed(why, clock::now());
        busy_ = false;
    }
    close_socket(ending::close_now);
}

void driver::close_socket(ending how) {
    if (closed_) return;
    closed_ = true;
    // Closing the socket completes its pending waits (aborted); their handlers count out.
    switch (how) {
        case ending::reset: stream_.abort(); break;
        case ending::shutdown_after_flush: stream_.shutdown_now(); break;
        default: stream_.close(); break;
    }
    if (opts_.wheel) opts_.wheel->cancel(*this);
    else if (timer_waits_) timer_->cancel();
    mqtt::byte_buffer().swap(fx_.send);
    mqtt::byte_buffer().swap(writing_);
    write_offset_ = 0;
    finish_if_idle();
}

void driver::finish_if_idle() {
    if (!closed_ || ended_ || read_pending_ || write_parked_ || timer_waits_) return;
    ended_ = true;
    // Posted, so that the handler may destroy the driver: nothing here runs after it.
    asio::post(stream_.get_executor(), [h = std::move(on_end_), why = end_why_]() mutable {
        if (h) h(why);
    });
}

}  // namespace wv::net
