#include "worker.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace wv::sim {

namespace {
constexpr auto as_tuple_awaitable = boost::asio::as_tuple(boost::asio::use_awaitable);

// Starts devices in ramp order, at most max_connecting_per_worker connect attempts at a time.
boost::asio::awaitable<void> launch_all(worker& w) {
    for (auto& dp : w.devices) {
        auto& d = *dp;
        const auto when = w.at(w.tt.connect_at(d.local));
        while (!d.stop_requested && (clock::now() < when || w.connecting >= w.settings.max_connecting_per_worker)) {
            w.launcher_wake.expires_at(w.connecting >= w.settings.max_connecting_per_worker ? clock::time_point::max()
                                                                                               : when);
            co_await w.launcher_wake.async_wait(as_tuple_awaitable);
        }
        if (d.stop_requested) {  // stopped before its turn: never connects
            d.done = true;
            --w.active;
            continue;
        }
        ++w.connecting;
        w.stats.connecting.fetch_add(1, std::memory_order_relaxed);
        boost::asio::co_spawn(w.io, run_device(w, d), boost::asio::detached);
    }
}
}  // namespace

worker::worker(const engine_settings& s, const timetable& t, fleet_stats& st, const payload::report_profile& profile,
               clock::time_point start_time)
    : wheel(io.get_executor(), s.timer_tick), settings(s), tt(t), stats(st), encoder(profile), start(start_time) {
    report_scratch.reserve(encoder.max_encoded_size());
}

void worker::launch() {
    active = devices.size();
    boost::asio::co_spawn(io, launch_all(*this), boost::asio::detached);
}

void worker::request_stop() {
    boost::asio::post(io, [this] {
        for (auto& d : devices) {
            d->stop_requested = true;
            poke(*this, *d);
        }
        launcher_wake.cancel();
    });
}

void worker::connect_finished() {
    --connecting;
    stats.connecting.fetch_sub(1, std::memory_order_relaxed);
    launcher_wake.cancel();
}

}  // namespace wv::sim
