#pragma once
// Runs a coroutine on an io_context that another thread runs (io_thread) and waits for its result.
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace wv::test {

template <class F>
auto run_on(boost::asio::io_context& ctx, F f) {
    return boost::asio::co_spawn(ctx, std::move(f), boost::asio::use_future).get();
}

}  // namespace wv::test
