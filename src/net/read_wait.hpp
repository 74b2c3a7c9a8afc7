#pragma once
// A wait for input on a socket that costs no system call of its own: the driver's read wait.
//
// Asio's socket.async_wait(wait_read) re-arms the descriptor with an EPOLL_CTL_MOD on every
// wait (it cannot know whether data came since the last read, so it asks the kernel to report
// the current state again). Asio registers every socket edge-triggered once, and its reactor
// already notes each edge (data arrived) in the descriptor's state, so a waiter that knows it
// emptied the socket needs no re-arm: it waits for the next edge. This wait is that: Asio's own
// reactor queue, with an operation that says "exhausted" each time it runs, so Asio waits for
// the next edge instead of re-arming. It completes
//   - at once, when an edge came since the previous wait completed (data may be waiting);
//   - at the next edge (EPOLLIN, EPOLLERR, EPOLLHUP) otherwise;
//   - with operation_aborted when the socket is closed or cancelled.
// The caller must have read until the socket was empty (a short read(2), or EAGAIN) before
// waiting: data that was already there when the previous wait completed makes no new edge. A
// spurious completion (an edge whose data an earlier read took) costs one read that says
// would-block. One system call per message fewer on both sides: wvsim's PUBACK and the
// gateway's PUBLISH are each one read(2), not an epoll_ctl and a read(2) (see the README's
// "Measured here").
//
// This reaches into Asio's reactor (boost::asio::detail, Boost 1.81's epoll_reactor): the
// static_asserts in read_wait.cpp stop the build on another reactor or Asio version: check
// the reasoning above against that version's epoll_reactor::start_op and perform_io.
//
//   wv::net::wait_readable(sock, [](void* ctx, const boost::system::error_code& ec) { ... }, ctx);
//
// Threading: the socket's executor (one io_context thread); at most one wait per socket at a
// time. The operation comes from a per-thread free list: an idle connection holds none.
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

namespace wv::net {

using readable_callback = void (*)(void* ctx, const boost::system::error_code& ec);

// Waits for input on `sock` (open, registered with its executor's reactor); `cb(ctx, ec)` runs
// on that executor once, as a completion handler (never inside this call).
void wait_readable(boost::asio::ip::tcp::socket& sock, readable_callback cb, void* ctx);

}  // namespace wv::net
