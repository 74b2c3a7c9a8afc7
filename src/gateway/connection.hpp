#pragma once
// The I/O side of one device connection: a tls::stream driven by three coroutines (reader,
// single writer, timer) around a connection_machine (style.md 4). The machine decides; this
// file only moves bytes, arms the timer and calls the authorizer service.
//
// Threading: a connection lives on the executor of its socket (one io_context thread).
// deliver() and kick() are called by the broker from any thread: they only post. The outbound
// queue is bounded (limits_config::max_outbox_bytes): a message that would exceed it is
// dropped and counted, so a slow subscriber never grows memory without bound.
#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gateway/connection_machine.hpp"
#include "tls/stream.hpp"

namespace wv::gate {

// Looks up the service for an authorizer name (nullptr: unknown).
using authorizer_lookup = std::function<auth::authorizer_service*(const std::string& name)>;

class connection final : public subscriber, public std::enable_shared_from_this<connection> {
public:
    connection(tls::stream stream, machine_env env, authorizer_lookup authorizers, std::string listener,
               listener_kind kind);
    ~connection() override;

    // Runs the connection to its end (handshake, MQTT, close). Never throws for I/O reasons.
    // Static so that the coroutine frame owns `self` from the first instruction.
    static boost::asio::awaitable<void> run(std::shared_ptr<connection> self);

    bool deliver(message_ptr m, std::uint8_t qos, bool retained) override;
    void kick(disconnect_reason why) override;

private:
    boost::asio::awaitable<void> read_loop();
    boost::asio::awaitable<void> write_loop();
    boost::asio::awaitable<void> timer_loop();
    void process();  // carries out the machine's actions
    bool start_machine();
    boost::asio::awaitable<void> serve();

    tls::stream stream_;
    machine_env env_;
    authorizer_lookup authorizers_;
    std::string listener_;
    listener_kind kind_;
    std::unique_ptr<connection_machine> machine_;
    std::deque<mqtt::byte_buffer> outbox_;
    boost::asio::steady_timer wake_;   // the writer sleeps on it; enqueue cancels it
    boost::asio::steady_timer tick_;   // the machine's next deadline
    clock::time_point armed_at_ = clock::time_point::max();
    bool closing_ = false;
    bool in_grace_ = false;
    std::atomic<std::size_t> queued_bytes_{0};
};

}  // namespace wv::gate
