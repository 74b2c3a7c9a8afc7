#include "net/read_wait.hpp"

#include <new>
#include <vector>

#include <boost/asio/detail/reactor.hpp>
#include <boost/asio/detail/reactor_op.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/version.hpp>

namespace wv::net {
namespace {

namespace asio = boost::asio;
namespace ad = boost::asio::detail;

static_assert(BOOST_ASIO_VERSION == 102600, "read_wait.cpp reaches into Boost 1.81's epoll_reactor: check it against this Asio");
static_assert(std::is_same_v<ad::reactor, ad::epoll_reactor>, "read_wait.cpp assumes Asio's epoll reactor");

// The socket's reactor state (descriptor and per-descriptor data), which basic_socket keeps
// protected: a member pointer named through a derived class reaches it without a cast.
struct socket_access : asio::ip::tcp::socket {
    static auto& impl(asio::ip::tcp::socket& s) { return (s.*(&socket_access::impl_)).get_implementation(); }
};

// The reactor operation. perform() runs when Asio's reactor sees an edge for the descriptor
// (EPOLLIN/ERR/HUP) with the operation queued, or at start when an edge came since the last
// time it ran; "done and exhausted" completes the wait and tells Asio to wait for the next edge
// rather than to re-arm the descriptor.
struct readable_op final : ad::reactor_op {
    readable_callback cb = nullptr;
    void* ctx = nullptr;

    readable_op() : reactor_op(boost::system::error_code(), &readable_op::perform, &readable_op::complete) {}

    static status perform(reactor_op*) { return done_and_exhausted; }
    static void complete(void* owner, ad::operation* base, const boost::system::error_code&, std::size_t);
};

// Finished operations, kept for the thread's next waits (as Asio's recycling allocator does).
struct op_pool {
    std::vector<readable_op*> spare;
    ~op_pool() {
        for (auto* o : spare) delete o;
    }
};

op_pool& pool() {
    thread_local op_pool p;
    return p;
}

void readable_op::complete(void* owner, ad::operation* base, const boost::system::error_code&, std::size_t) {
    auto* o = static_cast<readable_op*>(base);
    if (!owner) {  // the io_context is being destroyed with the wait pending: nothing to call
        delete o;
        return;
    }
    const auto cb = o->cb;
    void* const ctx = o->ctx;
    const auto ec = o->ec_;
    o->ec_ = {};
    if (auto& p = pool().spare; p.size() < 64) p.push_back(o);
    else delete o;
    cb(ctx, ec);
}

ad::reactor& reactor_of(asio::ip::tcp::socket& sock) {
    // A look-up under the service registry's lock (tens of ns, against the re-arm's system
    // call). Not cached per thread: a new io_context may take a destroyed one's address.
    return asio::use_service<ad::reactor>(asio::query(sock.get_executor(), asio::execution::context));
}

}  // namespace

void wait_readable(asio::ip::tcp::socket& sock, readable_callback cb, void* ctx) {
    auto& spare = pool().spare;
    readable_op* o;
    if (spare.empty()) o = new readable_op;
    else {
        o = spare.back();
        spare.pop_back();
    }
    o->cb = cb;
    o->ctx = ctx;
    auto& impl = socket_access::impl(sock);
    // allow_speculative: with no edge since the last run, queue without re-arming. A
    // continuation: the completion may go to this thread's private queue.
    reactor_of(sock).start_op(ad::reactor::read_op, impl.socket_, impl.reactor_data_, o, true, true);
}

}  // namespace wv::net
