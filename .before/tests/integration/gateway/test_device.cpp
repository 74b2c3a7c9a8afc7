#include "test_device.hpp"

#include <condition_variable>
#include <future>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "run_on.hpp"
#include "tls/connect.hpp"

namespace wv::test {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

std::vector<std::byte> bytes(std::initializer_list<int> b) {
    std::vector<std::byte> out;
    for (const int x : b) out.push_back(static_cast<std::byte>(x));
    return out;
}

io_thread::io_thread() {
    thread_ = std::thread([this] {
        auto guard = asio::make_work_guard(ctx_);
        ctx_.run();
    });
}

io_thread::~io_thread() { stop(); }

void io_thread::stop() {
    ctx_.stop();
    if (thread_.joinable()) thread_.join();
}

namespace {

std::unique_ptr<tls::client_context> make_ctx(const endpoint_options& ep) {
    if (!ep.tls) return nullptr;
    tls::client_options o;
    o.ca_file = ep.ca_file;
    o.alpn = ep.alpn;
    o.cert_file = ep.cert_file;
    o.key_file = ep.key_file;
    return std::make_unique<tls::client_context>(o);
}

}  // namespace

struct device::shared {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::pair<std::string, std::string>> messages;
    std::optional<std::error_code> ended;
    bool session_present = false;
};

device::device(const endpoint_options& ep, client::session_options session)
    : tls_(make_ctx(ep)), st_(std::make_shared<shared>()) {
    const auto* ctx = tls_.get();
    tls::connect_options co;
    co.host = ep.sni;
    co.port = ep.port;
    co.address = asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), ep.port);
    auto r = run_on(io_.ctx(), [co, ctx, ex = io_.ctx().get_executor()]() -> asio::awaitable<tls::connect_result> {
        co_return co_await tls::connect(ex, co, ctx);
    });
    if (r.ec) {
        connect_ec_ = r.ec;
        return;
    }
    conn_ = std::make_unique<client::connection>(std::move(*r.s));
    auto st = st_;
    conn_->on_message([st](const mqtt::publish& p) {
        std::lock_guard lock(st->mu);
        st->messages.emplace_back(std::string(p.topic), std::string(mqtt::as_chars(p.payload)));
        st->cv.notify_all();
    });
    auto* c = conn_.get();
    connect_ec_ = run_on(io_.ctx(), [c, session]() -> asio::awaitable<std::error_code> {
        co_return co_await c->async_connect(session);
    });
    if (connect_ec_) return;
    st_->session_present = conn_->session_present();
    asio::co_spawn(io_.ctx(), c->run(), [st](std::exception_ptr, std::error_code why) {
        std::lock_guard lock(st->mu);
        st->ended = why;
        st->cv.notify_all();
    });
}

device::~device() {
    if (conn_ && connected()) {
        auto* c = conn_.get();
        asio::post(io_.ctx(), [c] { c->abort(); });
        wait_end(std::chrono::seconds(5));
    }
    // The loop ends before conn_ (declared after io_) is destroyed: the abort above may not
    // have run yet when the session had already ended, and it must not run on a freed conn_.
    io_.stop();
}

bool device::session_present() const { return st_->session_present; }

std::error_code device::publish(const std::string& topic, const std::string& payload, mqtt::qos q, bool retain,
                                std::chrono::milliseconds timeout) {
    if (!conn_ || connect_ec_) return connect_ec_ ? connect_ec_ : std::make_error_code(std::errc::not_connected);
    auto* c = conn_.get();
    auto fut = asio::co_spawn(
        io_.ctx(),
        [c, topic, payload, q, retain]() -> asio::awaitable<std::error_code> {
            mqtt::publish p;
            p.topic = topic;
            p.payload = mqtt::as_bytes(payload);
            p.qos = q;
            p.retain = retain;
            auto [ec] = co_await c->async_publish(p, asio::as_tuple(asio::use_awaitable));
            co_return ec;
        },
        asio::use_future);
    if (fut.wait_for(timeout) != std::future_status::ready) return std::make_error_code(std::errc::timed_out);
    return fut.get();
}

std::error_code device::subscribe(const std::string& filter, mqtt::qos q, std::chrono::milliseconds timeout) {
    if (!conn_ || connect_ec_) return connect_ec_ ? connect_ec_ : std::make_error_code(std::errc::not_connected);
    auto* c = conn_.get();
    auto fut = asio::co_spawn(
        io_.ctx(),
        [c, filter, q]() -> asio::awaitable<std::error_code> {
            const std::vector<mqtt::subscription> subs{{filter, q}};
            auto [ec] = co_await c->async_subscribe(subs, asio::as_tuple(asio::use_awaitable));
            co_return ec;
        },
        asio::use_future);
    if (fut.wait_for(timeout) != std::future_status::ready) return std::make_error_code(std::errc::timed_out);
    return fut.get();
}

std::vector<std::pair<std::string, std::string>> device::messages(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(st_->mu);
    st_->cv.wait_for(lock, timeout, [&] { return st_->messages.size() >= n; });
    return st_->messages;
}

std::optional<std::error_code> device::wait_end(std::chrono::milliseconds timeout) {
    std::unique_lock lock(st_->mu);
    st_->cv.wait_for(lock, timeout, [&] { return st_->ended.has_value(); });
    return st_->ended;
}

void device::abort() {
    auto* c = conn_.get();
    if (c) asio::post(io_.ctx(), [c] { c->abort(); });
}

void device::disconnect() {
    auto* c = conn_.get();
    if (c) asio::post(io_.ctx(), [c] { c->disconnect(); });
}

raw_session::raw_session(const endpoint_options& ep) : tls_(make_ctx(ep)) {
    const auto* ctx = tls_.get();
    tls::connect_options co;
    co.host = ep.sni;
    co.port = ep.port;
    co.address = asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), ep.port);
    auto r = run_on(io_.ctx(), [co, ctx, ex = io_.ctx().get_executor()]() -> asio::awaitable<tls::connect_result> {
        co_return co_await tls::connect(ex, co, ctx);
    });
    connect_ec_ = r.ec;
    if (!r.ec) stream_ = std::make_unique<tls::stream>(std::move(*r.s));
}

raw_session::~raw_session() {
    if (stream_) {
        auto* s = stream_.get();
        run_on(io_.ctx(), [s]() -> asio::awaitable<void> {
            s->close();
            co_return;
        });
    }
    io_.stop();  // before stream_ (declared after io_) is destroyed
}

std::error_code raw_session::send(const std::vector<std::byte>& data) {
    if (!stream_) return connect_ec_;
    auto* s = stream_.get();
    return run_on(io_.ctx(), [s, data]() -> asio::awaitable<std::error_code> { co_return co_await s->async_write(data); });
}

bool raw_session::wait_closed(std::chrono::milliseconds timeout, std::vector<std::byte>* got) {
    if (!stream_) return true;
    auto* s = stream_.get();
    return run_on(io_.ctx(), [s, timeout, got]() -> asio::awaitable<bool> {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::array<std::byte, 4096> buf;
        for (;;) {
            asio::steady_timer t(co_await asio::this_coro::executor, deadline);
            auto r = co_await (s->async_read_some(buf) || t.async_wait(asio::as_tuple(asio::use_awaitable)));
            if (r.index() == 1) co_return false;  // still open at the deadline
            auto [ec, n] = std::get<0>(r);
            if (ec) co_return true;
            if (got) got->insert(got->end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
        }
    });
}

}  // namespace wv::test
