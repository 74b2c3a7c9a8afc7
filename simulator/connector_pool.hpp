#pragma once
// Threads that only connect devices (TCP connect + TLS handshake) for the session workers
// (worker::connectors, thread_plan.hpp): one io_context each, kept running until release().
//
//   connector_pool pool{1};
//   w.connectors = {w.io.get_executor(), pool.executor(0)};
//   ... every session worker done: pool.release(); pool.join();
//
// Threading: release() and stop() from any thread; join() from the owner.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace wv::sim {

// One place a worker may run a device's TCP connect and TLS handshake: an executor (its own,
// another session worker's or a connector thread's) and that executor's count of connects in
// flight, shared by every worker that may use it.
struct connect_target {
    boost::asio::any_io_executor ex;
    std::atomic<std::uint32_t>* in_flight = nullptr;
};

// The target for the next connect: the one with the fewest connects in flight, the first on a
// tie. A worker lists its own executor first, where a connect needs no hand-off and no move to
// another reactor. A thread busy with other work (the session worker also runs CONNECT/CONNACK
// and the reports of the devices already connected) finishes its handshakes later, so it holds
// more in flight and takes fewer new ones than round robin would give it.
std::size_t least_busy(const std::vector<connect_target>& targets);

class connector_pool {
public:
    explicit connector_pool(unsigned threads);  // starts them
    ~connector_pool();                          // release() and join()
    connector_pool(const connector_pool&) = delete;
    connector_pool& operator=(const connector_pool&) = delete;

    std::size_t size() const noexcept { return slots_.size(); }
    boost::asio::any_io_executor executor(std::size_t i) { return slots_[i]->io.get_executor(); }
    // No more connects will come: each thread ends once its connects in flight are done.
    void release();
    // Ends every thread at once (an abort).
    void stop();
    void join();

private:
    struct slot {
        boost::asio::io_context io{1};
        boost::asio::executor_work_guard<boost::asio::io_context::executor_type> keep{io.get_executor()};
        std::thread thread;
    };
    std::vector<std::unique_ptr<slot>> slots_;
    std::atomic<bool> released_{false};
};

}  // namespace wv::sim
