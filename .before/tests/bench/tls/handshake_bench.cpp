// TLS handshakes per second, client and server in one process on one thread, over loopback.
// Server keys ECDSA P-256 and RSA-2048; TLS 1.3 and 1.2; full and resumed (session tickets).
// Each connection: TCP connect, both handshakes, one byte server -> client (so the client
// processes the TLS 1.3 NewSessionTicket, as a real client does), close.
//
//   bench_tls_handshake [--seconds S] [--in-flight N] [--json]
#include <sys/resource.h>

#include <array>
#include <filesystem>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "tls/client_context.hpp"
#include "tls/server_context.hpp"
#include "tls/stream.hpp"
#include "tls/test_ca.hpp"

namespace {

namespace asio = boost::asio;

double cpu_now() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;
constexpr auto tok = asio::as_tuple(asio::use_awaitable);

struct result {
    std::string key, version, mode;
    long connections = 0, failures = 0, resumed = 0;
    double seconds = 0;
    double cpu_seconds = 0;  // user + system of this process: robust on a shared, busy machine
    double per_second() const { return seconds > 0 ? connections / seconds : 0; }
    double per_cpu_second() const { return cpu_seconds > 0 ? connections / cpu_seconds : 0; }
};

struct run_state {
    tcp::acceptor* acceptor;
    const wv::tls::server_context* sctx;
    const wv::tls::client_context* cctx;
    clock_type::time_point end;
    long done = 0, failed = 0, resumed = 0;
    int active_clients = 0;
};

asio::awaitable<void> serve(wv::tls::stream s) {
    if (co_await s.async_handshake(5s)) co_return;
    const std::array<std::byte, 1> x{std::byte{'x'}};
    co_await s.async_write(x);
    std::array<std::byte, 16> buf;
    co_await s.async_read_some(buf);  // until the client closes
}

asio::awaitable<void> accept_loop(run_state& st) {
    for (;;) {
        auto [ec, sock] = co_await st.acceptor->async_accept(tok);
        if (ec) co_return;
        asio::co_spawn(st.acceptor->get_executor(), serve(wv::tls::stream(std::move(sock), *st.sctx)), asio::detached);
    }
}

asio::awaitable<void> client_loop(run_state& st, tcp::endpoint ep) {
    auto ex = co_await asio::this_coro::executor;
    while (clock_type::now() < st.end) {
        tcp::socket sock(ex);
        auto [cec] = co_await sock.async_connect(ep, tok);
        if (cec) {
            ++st.failed;
            continue;
        }
        wv::tls::stream s(std::move(sock), *st.cctx, "localhost");
        if (co_await s.async_handshake(5s)) {
            ++st.failed;
            continue;
        }
        std::array<std::byte, 16> buf;
        auto [rec, n] = co_await s.async_read_some(buf);
        if (rec) {
            ++st.failed;
            continue;
        }
        if (s.session_resumed()) ++st.resumed;
        ++st.done;
        s.close();
    }
    if (--st.active_clients == 0) st.acceptor->close();
}

result measure(const wv::tls::test_ca_files& ca, std::string key, wv::tls::tls_version v, bool resume, double seconds, int in_flight) {
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    acceptor.listen(1024);
    wv::tls::server_options so{.cert_file = ca.server_cert, .key_file = ca.server_key};
    so.session_tickets = resume;
    so.max_version = v;
    wv::tls::server_context sctx(so);
    wv::tls::client_options co{.ca_file = ca.ca_cert};
    co.session_resumption = resume;
    co.max_version = v;
    wv::tls::client_context cctx(co);
    run_state st{.acceptor = &acceptor, .sctx = &sctx, .cctx = &cctx, .end = {}};

    // Warm-up: one connection (fills the session cache when resuming).
    st.end = clock_type::now() + 1ms;
    st.active_clients = 1;
    asio::co_spawn(io, accept_loop(st), asio::detached);
    asio::co_spawn(io, client_loop(st, acceptor.local_endpoint()), asio::detached);
    io.run();
    io.restart();

    tcp::acceptor acceptor2(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    acceptor2.listen(1024);
    st.acceptor = &acceptor2;
    st.done = st.failed = st.resumed = 0;
    const auto start = clock_type::now();
    const double cpu_start = cpu_now();
    st.end = start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(seconds));
    st.active_clients = in_flight;
    asio::co_spawn(io, accept_loop(st), asio::detached);
    for (int i = 0; i < in_flight; ++i) asio::co_spawn(io, client_loop(st, acceptor2.local_endpoint()), asio::detached);
    io.run();
    const double elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
    return {.key = std::move(key),
            .version = v == wv::tls::tls_version::tls1_3 ? "TLSv1.3" : "TLSv1.2",
            .mode = resume ? "resumed" : "full",
            .connections = st.done,
            .failures = st.failed,
            .resumed = st.resumed,
            .seconds = elapsed,
            .cpu_seconds = cpu_now() - cpu_start};
}

}  // namespace

int main(int argc, char** argv) {
    double seconds = 2.0;
    int in_flight = 16;
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--json") json = true;
        else if (a == "--seconds" && i + 1 < argc) seconds = std::stod(argv[++i]);
        else if (a == "--in-flight" && i + 1 < argc) in_flight = std::stoi(argv[++i]);
        else {
            std::printf("usage: bench_tls_handshake [--seconds S] [--in-flight N] [--json]\n"
                        "TLS handshakes/s, client and server in one thread on loopback.\n");
            return a == "--help" ? 0 : 2;
        }
    }
    char tmpl[] = "/tmp/wv-bench-tls-XXXXXX";
    if (!mkdtemp(tmpl)) return 1;
    const std::string dir = tmpl;
    const auto ec = wv::tls::make_test_ca(dir + "/ec");
    const auto rsa = wv::tls::make_test_ca(dir + "/rsa", {.key = wv::tls::key_kind::rsa_2048});

    std::vector<result> results;
    for (const auto* ca : {&ec, &rsa})
        for (const auto v : {wv::tls::tls_version::tls1_3, wv::tls::tls_version::tls1_2})
            for (const bool resume : {false, true}) {
                results.push_back(measure(*ca, ca == &ec ? "ECDSA P-256" : "RSA-2048", v, resume, seconds, in_flight));
                const auto& r = results.back();
                std::fprintf(stderr, "  %s %s %s: %.0f/s\n", r.key.c_str(), r.version.c_str(), r.mode.c_str(), r.per_second());
            }
    std::filesystem::remove_all(dir);

    if (json) {
        std::printf("{\"benchmark\":\"tls_handshake\",\"in_flight\":%d,\"results\":[", in_flight);
        for (std::size_t i = 0; i < results.size(); ++i) {
            const auto& r = results[i];
            std::printf("%s{\"key\":\"%s\",\"version\":\"%s\",\"mode\":\"%s\",\"connections\":%ld,\"failures\":%ld,"
                        "\"resumed\":%ld,\"seconds\":%.3f,\"cpu_seconds\":%.3f,\"per_second\":%.1f,\"per_cpu_second\":%.1f}",
                        i ? "," : "", r.key.c_str(), r.version.c_str(), r.mode.c_str(), r.connections, r.failures, r.resumed, r.seconds,
                        r.cpu_seconds, r.per_second(), r.per_cpu_second());
        }
        std::printf("]}\n");
        return 0;
    }
    std::printf("TLS handshakes/s, client + server in one thread, loopback, %d in flight\n", in_flight);
    std::printf("(per CPU-second: handshakes per second of this process's CPU time, both sides included)\n");
    std::printf("%-12s %-8s %-8s %12s %14s %8s %8s %8s\n", "server key", "version", "mode", "handshakes/s", "per CPU-second", "count",
                "resumed", "failures");
    for (const auto& r : results)
        std::printf("%-12s %-8s %-8s %12.0f %14.0f %8ld %8ld %8ld\n", r.key.c_str(), r.version.c_str(), r.mode.c_str(), r.per_second(),
                    r.per_cpu_second(), r.connections, r.resumed, r.failures);
    return 0;
}
