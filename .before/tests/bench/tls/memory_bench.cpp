// Memory per TLS MQTT connection, each side in its own process (one process may hold at most
// 20,000 open files), side by side with mosquitto in the same run:
//   server side: a minimal MQTT server on wv::tls::stream (answers CONNECT, PUBLISH QoS 1, PINGREQ)
//   client side: wv::client::connection (what wvsim holds per device)
//   mosquitto:   the same client against a real mosquitto 2.0 TLS listener
// RSS (VmRSS) of each process is read before connecting, with all connections idle after
// CONNACK, and after every connection published one 60-byte QoS 1 message and got its PUBACK.
//
//   bench_tls_memory [--connections N] [--tls12] [--rsa] [--server-tickets] [--no-mosquitto] [--json]
// --server-tickets: our server sends a TLS 1.3 session ticket, as mosquitto does by default.
// Internal roles (started by the parent): --role server|client ...
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "client/connection.hpp"
#include "mqtt/packet.hpp"
#include "mqtt/stream_decoder.hpp"
#include "tls/client_context.hpp"
#include "tls/server_context.hpp"
#include "tls/stream.hpp"
#include "tls/test_ca.hpp"

namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto tok = asio::as_tuple(asio::use_awaitable);

long rss_kib(int pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

// ---------------------------------------------------------------- server role

std::span<std::byte> thread_buffer() {
    thread_local std::array<std::byte, 16 * 1024> buf;
    return buf;
}

asio::awaitable<void> serve(wv::tls::stream s) {
    if (co_await s.async_handshake(10s)) co_return;
    wv::mqtt::stream_decoder dec;
    for (;;) {
        auto buf = thread_buffer();
        wv::tls::stream::wait_for need{};
        auto [ec, n] = s.read_now(buf, need);
        if (ec == std::errc::operation_would_block) {
            // Awaited directly, not through a nested coroutine: idle connections keep one frame.
            const auto what = need == wv::tls::stream::wait_for::read ? tcp::socket::wait_read : tcp::socket::wait_write;
            auto [wec] = co_await s.socket().async_wait(what, tok);
            if (wec) co_return;
            continue;
        }
        if (ec) co_return;
        dec.feed(buf.first(n));
        std::array<std::byte, 64> out{};
        std::size_t out_len = 0;
        auto put = [&](std::initializer_list<std::uint8_t> b) {
            for (auto x : b) out[out_len++] = std::byte{x};
        };
        for (;;) {
            auto r = dec.next();
            if (std::holds_alternative<wv::mqtt::need_more>(r)) break;
            if (std::holds_alternative<std::error_code>(r)) co_return;
            const auto& f = std::get<wv::mqtt::frame>(r);
            if (out_len > out.size() - 4) co_return;  // a burst this benchmark never sends
            switch (f.type) {
                case wv::mqtt::packet_type::connect: put({0x20, 0x02, 0x00, 0x00}); break;
                case wv::mqtt::packet_type::pingreq: put({0xd0, 0x00}); break;
                case wv::mqtt::packet_type::publish: {
                    const auto p = wv::mqtt::decode_publish(f.body, f.flags);
                    if (!p) co_return;
                    if (p->qos == wv::mqtt::qos::at_least_once)
                        put({0x40, 0x02, static_cast<std::uint8_t>(p->packet_id >> 8), static_cast<std::uint8_t>(p->packet_id & 0xff)});
                    break;
                }
                case wv::mqtt::packet_type::disconnect: co_return;
                default: break;
            }
        }
        if (out_len && co_await s.async_write(std::span{out}.first(out_len))) co_return;
    }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acc, const wv::tls::server_context& ctx) {
    for (;;) {
        auto [ec, sock] = co_await acc.async_accept(tok);
        if (ec) {
            if (ec == asio::error::no_descriptors) continue;
            co_return;
        }
        asio::co_spawn(acc.get_executor(), serve(wv::tls::stream(std::move(sock), ctx)), asio::detached);
    }
}

// "heap": bytes malloc has handed out and not got back; "trim": malloc_trim(0) first, which
// returns free pages inside the heap to the kernel (what a long-running process can do after a
// connect storm, whose handshakes leave the heap fragmented).
void answer(const std::string& cmd) {
    if (cmd == "trim") malloc_trim(0);
    std::printf("heap %zu\n", mallinfo2().uordblks);
    std::fflush(stdout);
}

int server_role(const fs::path& ca_dir, bool tls12, bool tickets) {
    const auto ca = wv::tls::test_ca_paths(ca_dir);
    wv::tls::server_options so{.cert_file = ca.server_cert, .key_file = ca.server_key};
    if (tls12) so.max_version = wv::tls::tls_version::tls1_2;
    so.session_tickets = tickets;
    wv::tls::server_context ctx(so);
    asio::io_context io(1);
    tcp::acceptor acc(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    acc.listen(4096);
    std::printf("port %u\n", acc.local_endpoint().port());
    std::fflush(stdout);
    asio::co_spawn(io, accept_loop(acc, ctx), asio::detached);
    // Commands from the parent on stdin, run on the io thread: "heap", "trim".
    std::thread commands([&io] {
        std::string cmd;
        while (std::cin >> cmd)
            asio::post(io, [cmd] { answer(cmd); });
        io.stop();
    });
    io.run();
    commands.join();
    return 0;
}

// ---------------------------------------------------------------- client role

struct fleet {
    std::vector<std::unique_ptr<wv::client::connection>> conns;
    long failures = 0;
    long acked = 0;
};

asio::awaitable<void> open_one(fleet& f, const wv::tls::client_context& ctx, tcp::endpoint ep, int index) {
    auto ex = co_await asio::this_coro::executor;
    tcp::socket sock(ex);
    auto [cec] = co_await sock.async_connect(ep, tok);
    if (cec) {
        ++f.failures;
        co_return;
    }
    auto c = std::make_unique<wv::client::connection>(wv::tls::stream(std::move(sock), ctx, "localhost"));
    if (co_await c->stream().async_handshake(30s)) {
        ++f.failures;
        co_return;
    }
    const wv::client::session_options so{.client_id = "bench-" + std::to_string(index), .keep_alive = 0s, .connack_timeout = 30s};
    if (co_await c->async_connect(so)) {
        ++f.failures;
        co_return;
    }
    asio::co_spawn(ex, c->run(), asio::detached);
    f.conns.push_back(std::move(c));
}

asio::awaitable<void> open_all(fleet& f, const wv::tls::client_context& ctx, tcp::endpoint ep, int n, int in_flight) {
    // A bounded number of connects in flight: mosquitto listens with a backlog of 100.
    int next = 0;
    auto worker = [&]() -> asio::awaitable<void> {
        while (next < n) co_await open_one(f, ctx, ep, next++);
    };
    auto ex = co_await asio::this_coro::executor;
    int running = in_flight;
    for (int i = 0; i < in_flight; ++i)
        asio::co_spawn(ex, worker(), [&](std::exception_ptr) { --running; });
    while (running > 0) co_await asio::post(ex, asio::use_awaitable);
}

int client_role(const fs::path& ca_dir, std::uint16_t port, bool tls12) {
    const auto ca = wv::tls::test_ca_paths(ca_dir);
    wv::tls::client_options co{.ca_file = ca.ca_cert};
    if (tls12) co.max_version = wv::tls::tls_version::tls1_2;
    wv::tls::client_context ctx(co);
    asio::io_context io(1);
    fleet f;
    const tcp::endpoint ep(asio::ip::address_v4::loopback(), port);
    std::printf("ready\n");
    std::fflush(stdout);
    std::string cmd;
    const std::string payload(60, 'p');
    while (std::cin >> cmd) {
        if (cmd == "connect") {
            int n = 0;
            std::cin >> n;
            bool opened = false;
            asio::co_spawn(io, open_all(f, ctx, ep, n, 64), [&](std::exception_ptr) { opened = true; });
            io.restart();
            // run() coroutines never finish, so run in slices until every connect has ended.
            while (!opened) io.run_for(50ms);
            std::printf("connected %zu failures %ld\n", f.conns.size(), f.failures);
            std::fflush(stdout);
        } else if (cmd == "publish") {
            f.acked = 0;
            const wv::mqtt::publish p{.topic = "bench/data", .payload = wv::mqtt::as_bytes(payload), .qos = wv::mqtt::qos::at_least_once};
            for (auto& c : f.conns)
                c->async_publish(p, [&f](std::error_code ec) {
                    if (!ec) ++f.acked;
                });
            io.restart();
            const auto deadline = std::chrono::steady_clock::now() + 120s;
            while (f.acked < static_cast<long>(f.conns.size()) && std::chrono::steady_clock::now() < deadline) io.run_for(50ms);
            std::printf("published %ld\n", f.acked);
            std::fflush(stdout);
        } else if (cmd == "heap" || cmd == "trim") {
            answer(cmd);
        } else if (cmd == "quit") {
            return 0;
        }
    }
    return 0;
}

// ---------------------------------------------------------------- parent

struct child {
    int pid = -1;
    FILE* in = nullptr;   // we write its stdin
    FILE* out = nullptr;  // we read its stdout

    child(std::vector<std::string> argv) {
        int to_child[2], from_child[2];
        if (pipe(to_child) != 0 || pipe(from_child) != 0) throw std::runtime_error("pipe");
        pid = fork();
        if (pid == 0) {
            dup2(to_child[0], 0);
            dup2(from_child[1], 1);
            close(to_child[1]);
            close(from_child[0]);
            std::vector<char*> a;
            for (auto& s : argv) a.push_back(s.data());
            a.push_back(nullptr);
            execv(a[0], a.data());
            _exit(127);
        }
        close(to_child[0]);
        close(from_child[1]);
        in = fdopen(to_child[1], "w");
        out = fdopen(from_child[0], "r");
    }
    ~child() {
        if (pid > 0) {
            kill(pid, SIGTERM);
            waitpid(pid, nullptr, 0);
        }
        if (in) fclose(in);
        if (out) fclose(out);
    }
    void send(const std::string& line) {
        std::fprintf(in, "%s\n", line.c_str());
        std::fflush(in);
    }
    std::string line() {
        char buf[256];
        if (!std::fgets(buf, sizeof buf, out)) return {};
        std::string s = buf;
        if (!s.empty() && s.back() == '\n') s.pop_back();
        return s;
    }
};

struct side_result {
    std::string name;
    long baseline_kib = 0, idle_kib = 0, publishing_kib = 0, trimmed_kib = 0;
    long baseline_heap = 0, heap = 0;  // bytes in use by malloc (the part of RSS that is not holes)
    long connections = 0;
    bool has_heap = false;
    double heap_per_conn() const { return connections ? double(heap - baseline_heap) / 1024.0 / connections : 0; }
    double trimmed_per_conn() const { return connections ? double(trimmed_kib - baseline_kib) / connections : 0; }
    double idle_per_conn() const { return connections ? double(idle_kib - baseline_kib) / connections : 0; }
    double pub_per_conn() const { return connections ? double(publishing_kib - baseline_kib) / connections : 0; }
};

bool wait_port(std::uint16_t port) {
    asio::io_context io;
    for (int i = 0; i < 500; ++i) {
        tcp::socket s(io);
        boost::system::error_code ec;
        s.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port), ec);
        if (!ec) return true;
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

std::uint16_t free_port() {
    asio::io_context io;
    tcp::acceptor a(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    return a.local_endpoint().port();
}

// Drives one client process against `server_pid` listening on `port`; fills both results.
long ask_heap(child& c, const char* cmd) {
    c.send(cmd);
    long h = 0;
    std::sscanf(c.line().c_str(), "heap %ld", &h);
    return h;
}

// server_ctl: the server process when it is ours (answers heap/trim), nullptr for mosquitto.
bool drive(const std::string& self, const fs::path& ca, std::uint16_t port, bool tls12, int n, int server_pid, child* server_ctl,
           side_result& server, side_result& client) {
    std::vector<std::string> argv{self, "--role", "client", "--ca", ca.string(), "--port", std::to_string(port)};
    if (tls12) argv.push_back("--tls12");
    child c(argv);
    if (c.line() != "ready") return false;
    server.baseline_kib = rss_kib(server_pid);
    client.baseline_kib = rss_kib(c.pid);
    client.baseline_heap = ask_heap(c, "heap");
    client.has_heap = true;
    if (server_ctl) {
        server.baseline_heap = ask_heap(*server_ctl, "heap");
        server.has_heap = true;
    }
    c.send("connect " + std::to_string(n));
    const auto l = c.line();
    long got = 0, failed = 0;
    std::sscanf(l.c_str(), "connected %ld failures %ld", &got, &failed);
    if (got == 0) return false;
    server.connections = client.connections = got;
    std::this_thread::sleep_for(500ms);  // let the server finish its side of the last CONNACKs
    server.idle_kib = rss_kib(server_pid);
    client.idle_kib = rss_kib(c.pid);
    c.send("publish");
    const auto p = c.line();
    std::this_thread::sleep_for(500ms);
    server.publishing_kib = rss_kib(server_pid);
    client.publishing_kib = rss_kib(c.pid);
    client.heap = ask_heap(c, "trim");
    client.trimmed_kib = rss_kib(c.pid);
    if (server_ctl) {
        server.heap = ask_heap(*server_ctl, "trim");
        server.trimmed_kib = rss_kib(server_pid);
    } else {
        server.trimmed_kib = server.publishing_kib;
    }
    c.send("quit");
    std::fprintf(stderr, "  %s: %ld connected, %ld failed; %s\n", server.name.c_str(), got, failed, p.c_str());
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    std::string role;
    fs::path ca_dir;
    std::uint16_t port = 0;
    int n = 1000;
    bool tls12 = false, rsa = false, json = false, with_mosquitto = true, tickets = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
        if (a == "--role") role = next();
        else if (a == "--ca") ca_dir = next();
        else if (a == "--port") port = static_cast<std::uint16_t>(std::stoi(next()));
        else if (a == "--connections") n = std::stoi(next());
        else if (a == "--tls12") tls12 = true;
        else if (a == "--rsa") rsa = true;
        else if (a == "--json") json = true;
        else if (a == "--no-mosquitto") with_mosquitto = false;
        else if (a == "--server-tickets") tickets = true;
        else {
            std::printf("usage: bench_tls_memory [--connections N] [--tls12] [--rsa] [--server-tickets] [--no-mosquitto] [--json]\n"
                        "RSS per idle and per publishing TLS MQTT connection: our client, our server, mosquitto.\n");
            return a == "--help" ? 0 : 2;
        }
    }
    if (role == "server") return server_role(ca_dir, tls12, tickets);
    if (role == "client") return client_role(ca_dir, port, tls12);

    const std::string self = fs::canonical("/proc/self/exe").string();
    char tmpl[] = "/tmp/wv-bench-mem-XXXXXX";
    if (!mkdtemp(tmpl)) return 1;
    const fs::path dir = tmpl;
    const auto ca = wv::tls::make_test_ca(dir / "ca", {.key = rsa ? wv::tls::key_kind::rsa_2048 : wv::tls::key_kind::ecdsa_p256});

    std::vector<side_result> results;
    {
        std::vector<std::string> argv{self, "--role", "server", "--ca", (dir / "ca").string()};
        if (tls12) argv.push_back("--tls12");
        if (tickets) argv.push_back("--server-tickets");
        child server(argv);
        unsigned p = 0;
        std::sscanf(server.line().c_str(), "port %u", &p);
        side_result s{.name = "wv server"}, c{.name = "wv client (to wv server)"};
        if (p && drive(self, dir / "ca", static_cast<std::uint16_t>(p), tls12, n, server.pid, &server, s, c)) {
            results.push_back(s);
            results.push_back(c);
        }
    }
    if (with_mosquitto && fs::exists("/usr/sbin/mosquitto")) {
        const auto mport = free_port();
        std::ofstream conf(dir / "mosquitto.conf");
        conf << "user root\npersistence false\nlog_dest none\nallow_anonymous true\nmax_keepalive 65535\n"
             << "listener " << mport << " 127.0.0.1\ncertfile " << ca.server_cert.string() << "\nkeyfile " << ca.server_key.string()
             << "\n";
        if (tls12) conf << "tls_version tlsv1.2\n";
        conf.close();
        child mosq({"/usr/sbin/mosquitto", "-c", (dir / "mosquitto.conf").string()});
        if (wait_port(mport)) {
            side_result s{.name = "mosquitto 2.0.11"}, c{.name = "wv client (to mosquitto)"};
            if (drive(self, dir / "ca", mport, tls12, n, mosq.pid, nullptr, s, c)) {
                results.push_back(s);
                results.push_back(c);
            }
        }
    }
    fs::remove_all(dir);

    const char* version = tls12 ? "TLSv1.2" : "TLSv1.3";
    if (json) {
        std::printf("{\"benchmark\":\"tls_memory\",\"tls\":\"%s\",\"key\":\"%s\",\"results\":[", version, rsa ? "RSA-2048" : "ECDSA P-256");
        for (std::size_t i = 0; i < results.size(); ++i) {
            const auto& r = results[i];
            std::printf("%s{\"side\":\"%s\",\"connections\":%ld,\"baseline_kib\":%ld,\"idle_kib\":%ld,\"publishing_kib\":%ld,"
                        "\"idle_kib_per_connection\":%.2f,\"publishing_kib_per_connection\":%.2f,"
                        "\"after_trim_kib_per_connection\":%.2f,\"heap_kib_per_connection\":%.2f}",
                        i ? "," : "", r.name.c_str(), r.connections, r.baseline_kib, r.idle_kib, r.publishing_kib, r.idle_per_conn(),
                        r.pub_per_conn(), r.trimmed_per_conn(), r.has_heap ? r.heap_per_conn() : -1.0);
        }
        std::printf("]}\n");
        return 0;
    }
    std::printf("RSS per TLS MQTT connection (%s, %s server key), each side its own process\n", version, rsa ? "RSA-2048" : "ECDSA P-256");
    std::printf("RSS deltas over the baseline, per connection; 'trimmed': RSS after malloc_trim(0); 'heap': malloc in use\n");
    std::printf("%-26s %7s %12s %10s %10s %10s %10s\n", "process", "conns", "baseline KiB", "idle", "publishing", "trimmed", "heap");
    for (const auto& r : results) {
        char heap[32] = "-";
        if (r.has_heap) std::snprintf(heap, sizeof heap, "%.2f", r.heap_per_conn());
        std::printf("%-26s %7ld %12ld %10.2f %10.2f %10.2f %10s\n", r.name.c_str(), r.connections, r.baseline_kib, r.idle_per_conn(),
                    r.pub_per_conn(), r.trimmed_per_conn(), heap);
    }
    return 0;
}
