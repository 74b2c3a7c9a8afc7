#include "client/connection.hpp"

#include <list>
#include <optional>

#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/driver.hpp"

namespace wv::client {

// The machine, its driver and what waits for them. A connection owns it; a connection destroyed
// while the driver still runs leaves it to wind down and delete itself at the driver's end.
struct connection::core final : session_events {
    explicit core(tls::stream s) : drv(std::move(s), machine) {}

    struct pending_op {
        std::uint16_t id;
        completion done;
    };

    client_machine machine{*this};
    net::driver drv;
    message_handler on_message_;
    std::function<void(const packet_note&)> on_packet_;
    // A list, not a vector: erasing from a vector move-assigns the elements after it, and
    // Boost 1.81's any_completion_handler move assignment recurses until the stack overflows
    // (it copies `other` into a new handler that wraps it; fixed in 1.82).
    std::list<pending_op> pending;
    // Optional and emplaced: Boost 1.81's any_completion_handler move assignment recurses (above).
    std::optional<completion> connect_done, run_done;
    std::error_code connect_result;  // CONNACK's answer (empty: accepted, or none yet)
    std::error_code end_why;
    bool started = false;            // the driver runs (async_connect was called)
    bool accepted = false;           // CONNACK 0 came
    bool ended = false;              // the driver's end handler ran
    bool orphaned = false;           // the connection is gone: delete at the end

    void post_completion(completion done, std::error_code ec) {
        if (!done) return;
        // Posted to the connection's executor (the caller's, by the threading contract) so that
        // a completion never runs inside the call that caused it.
        asio::post(drv.stream().get_executor(), [done = std::move(done), ec]() mutable { std::move(done)(ec); });
    }

    // async_connect completes on CONNACK 0 at once; on anything else only once the driver has
    // ended, so that the caller may destroy the connection right after.
    void settle_connect() {
        if (!connect_done || !(accepted || ended)) return;
        completion done(std::move(*connect_done));
        connect_done.reset();
        post_completion(std::move(done), accepted ? std::error_code{} : connect_result ? connect_result : end_why);
    }

    void on_end(std::error_code why) {
        ended = true;
        end_why = why;
        std::list<pending_op> ops;
        ops.swap(pending);
        for (auto& op : ops) post_completion(std::move(op.done), client_errc::connection_lost);
        settle_connect();
        if (run_done) {
            completion done(std::move(*run_done));
            run_done.reset();
            post_completion(std::move(done), why);
        }
        if (orphaned) delete this;
    }

    // session_events
    void on_connack(std::error_code result, bool) override {
        connect_result = result;
        accepted = !result;
        settle_connect();
    }
    void on_message(const mqtt::publish& p) override {
        if (on_message_) on_message_(p);
    }
    void on_acknowledged(std::uint16_t id, std::error_code result) override {
        for (auto it = pending.begin(); it != pending.end(); ++it) {
            if (it->id != id) continue;
            auto done = std::move(it->done);
            pending.erase(it);
            return post_completion(std::move(done), result);
        }
    }
    void on_packet(const packet_note& n) override {
        if (on_packet_) on_packet_(n);
    }

    // Queues an operation through the machine: its completion waits for the acknowledgement,
    // or completes now (QoS 0, or an error).
    template <class Start>
    void start(completion done, Start&& op) {
        mqtt::result<std::uint16_t> r = make_error_code(client_errc::not_connected);
        if (accepted) drv.act([&](clock::time_point now, net::effects& fx) { r = op(now, fx); });
        if (!r) return post_completion(std::move(done), r.error());
        if (*r == 0) return post_completion(std::move(done), {});
        pending.push_back({*r, std::move(done)});
    }
};

connection::connection(tls::stream s) : core_(std::make_unique<core>(std::move(s))) {}

connection::~connection() {
    if (!core_->started || core_->ended) return;
    // Still running: reset the connection and let the driver finish without us.
    core_->orphaned = true;
    core_->on_message_ = nullptr;
    core_->on_packet_ = nullptr;
    core_->drv.act([](clock::time_point, net::effects& fx) {
        fx.close(net::ending::reset, std::make_error_code(std::errc::connection_aborted));
    });
    core_.release();  // deleted by core::on_end
}

void connection::on_message(message_handler h) { core_->on_message_ = std::move(h); }

void connection::on_packet(std::function<void(const packet_note&)> h) {
    core_->machine.trace_packets(static_cast<bool>(h));
    core_->on_packet_ = std::move(h);
}

bool connection::session_present() const { return core_->machine.session_present(); }
bool connection::is_connected() const { return core_->accepted && core_->drv.is_open() && core_->machine.is_connected(); }
std::size_t connection::in_flight() const { return core_->pending.size(); }

const std::string& connection::reason_string() const { return core_->machine.reason_string(); }
std::size_t connection::queued_bytes() const { return core_->drv.queued_bytes(); }
tls::stream& connection::stream() { return core_->drv.stream(); }

asio::awaitable<std::error_code> connection::async_connect(const session_options& o) {
    auto* c = core_.get();
    if (c->started) co_return client_errc::unexpected_packet;
    c->started = true;
    c->drv.start([c](std::error_code why) { c->on_end(why); });
    c->drv.act([&](clock::time_point now, net::effects& fx) { c->machine.begin(o, now, fx); });
    co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(std::error_code)>(
        [c](auto handler) {
            c->connect_done.emplace(std::move(handler));
            c->settle_connect();
        },
        asio::use_awaitable);
}

asio::awaitable<std::error_code> connection::run() {
    auto* c = core_.get();
    if (!c->accepted) co_return client_errc::not_connected;
    // The frames that came with the CONNACK go to the handlers installed since.
    c->drv.act([c](clock::time_point now, net::effects& fx) { c->machine.release(now, fx); });
    co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(std::error_code)>(
        [c](auto handler) {
            if (c->ended) return c->post_completion(completion(std::move(handler)), c->end_why);
            c->run_done.emplace(std::move(handler));
        },
        asio::use_awaitable);
}

void connection::start_publish(const mqtt::publish& p, completion done) {
    core_->start(std::move(done), [&](clock::time_point now, net::effects& fx) { return core_->machine.publish(p, now, fx); });
}

void connection::start_subscribe(std::span<const mqtt::subscription> subs, completion done) {
    core_->start(std::move(done), [&](clock::time_point now, net::effects& fx) { return core_->machine.subscribe(subs, now, fx); });
}

void connection::start_unsubscribe(std::span<const std::string_view> filters, completion done) {
    core_->start(std::move(done),
                 [&](clock::time_point now, net::effects& fx) { return core_->machine.unsubscribe(filters, now, fx); });
}

void connection::disconnect() {
    core_->drv.act([this](clock::time_point now, net::effects& fx) { core_->machine.disconnect(now, fx); });
}

void connection::abort() noexcept {
    const bool acted = core_->drv.act([](clock::time_point, net::effects& fx) {
        fx.close(net::ending::reset, std::make_error_code(std::errc::connection_aborted));
    });
    if (!acted && !core_->started) core_->drv.stream().abort();
}

}  // namespace wv::client
