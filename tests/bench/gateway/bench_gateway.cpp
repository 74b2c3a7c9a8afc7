// Side by side in one run: wvgate (static authorizer, IoT policy on every connect and publish)
// and mosquitto (password file), each a separate process on 127.0.0.1, the same client load
// from this process (this project's client, TLS 1.3 with ALPN mqtt, the same ECDSA P-256 server
// key, QoS 1, 60-byte payloads):
//   connects/s        full TLS handshake + CONNECT/CONNACK, 50 in flight
//   broker us/connect broker CPU (utime + stime from /proc/<pid>/stat) over the connect phase
//   msgs/s            PUBLISH -> PUBACK, `window` in flight per device
//   broker us/msg     broker CPU over the publish phase / messages; msgs per broker core-second
//                     is its inverse, the fair throughput figure when wvgate runs >1 thread
//   RSS KiB/conn      (broker VmRSS with N connected - VmRSS before) / N, once idle after
//                     CONNACK and once while publishing (sampled when half the messages are
//                     acknowledged)
// Fairness: both brokers log no per-connection lines (wvgate log level warn, mosquitto
// log_type error+warning), both set TCP_NODELAY, neither keeps a TLS session cache; mosquitto
// sends OpenSSL's default two TLS 1.3 session tickets, wvgate (as configured by default) none.
// Use >= 2,000 devices for memory, so per-connection costs dominate allocator noise.
// One command for the whole comparison: `--mode both` measures password / custom auth, then
// client certificates; `--quick` is a short check (1,000 devices x 10 messages). After each
// mode's table come issue 18's goals for wvgate as ratios of that run's rows (messages per
// broker core-second >= 1.3x mosquitto's, RSS per connection <= mosquitto's) and, with
// certificates, issue 13's (connects/s >= mosquitto's), each MET or MISSED, with the time and
// load average. Prints a table; --json prints JSON instead, --json-out FILE writes it too.
// Exit 0 when the run completed (whatever the goals), 1 when a broker failed, 2 on bad options.
// Not a test: numbers depend on the machine; compare ratios within one run.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "client/connection.hpp"
#include "tls/client_context.hpp"
#include "tls/connect.hpp"
#include "tls/test_ca.hpp"

extern char** environ;

namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
namespace tls = wv::tls;
using clk = std::chrono::steady_clock;

struct options {
    int devices = 2000;
    int messages = 50;     // per device
    int window = 1;        // publishes in flight per device
    int connects_in_flight = 50;
    unsigned gate_threads = 1;
    std::string only;      // "wvgate" or "mosquitto": run one broker (profiling)
    std::string attach;         // profiler command per phase, see attached_profiler
    std::string attach_prefix = "bench";
    std::string compare;        // another wvgate binary (e.g. main's) measured in the same run
    int hold_idle_s = 0;        // keep the connections idle this long before publishing (inspection)
    bool json = false;
    bool x509 = false;          // mutual TLS: a device certificate instead of a password
};

struct result {
    std::string broker;
    double connect_s = 0, connects_per_s = 0, cpu_us_per_connect = 0;
    double publish_s = 0, messages_per_s = 0;
    double broker_cpu_s = 0, cpu_us_per_message = 0, messages_per_core_s = 0;
    double rss_before_kib = 0;
    double rss_kib_per_idle_connection = 0, rss_kib_per_busy_connection = 0;
    int failed_connects = 0, failed_publishes = 0;
};

pid_t spawn(const std::vector<std::string>& argv, const fs::path& log) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    pid_t pid = -1;
    if (posix_spawnp(&pid, a[0], &fa, nullptr, a.data(), environ) != 0) throw std::runtime_error("spawn " + argv[0]);
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

void stop(pid_t pid) {
    kill(pid, SIGTERM);
    int st = 0;
    waitpid(pid, &st, 0);
}

std::uint16_t free_port() {
    asio::io_context io;
    asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

bool wait_port(std::uint16_t port) {
    for (int i = 0; i < 500; ++i) {
        asio::io_context io;
        asio::ip::tcp::socket s(io);
        boost::system::error_code ec;
        s.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
        if (!ec) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

double cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(in)), {});
    std::istringstream rest(s.substr(s.rfind(')') + 2));
    std::string f;
    std::vector<std::string> fields;
    while (rest >> f) fields.push_back(f);
    // After the command: state is field 3; utime and stime are fields 14 and 15.
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    return (std::stod(fields.at(11)) + std::stod(fields.at(12))) / ticks;
}

double rss_kib(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6));
    return 0;
}

// A profiler attached to the broker for one phase: `attach` is a command line (split at spaces)
// in which %p becomes the broker's pid and %o the output prefix <prefix>-<broker>-<phase>.
// Profiling only: the profiler costs the broker CPU, so a profiled run's figures are not
// comparable. Stopped with SIGINT at the end of the phase.
struct attached_profiler {
    pid_t pid = -1;
    attached_profiler(const options& o, const std::string& phase, pid_t broker, const std::string& name) {
        if (o.attach.empty()) return;
        const std::string out = o.attach_prefix + "-" + name + "-" + phase;
        std::vector<std::string> argv;
        std::istringstream words(o.attach);
        for (std::string w; words >> w;) {
            for (std::size_t at; (at = w.find("%p")) != std::string::npos;) w.replace(at, 2, std::to_string(broker));
            for (std::size_t at; (at = w.find("%o")) != std::string::npos;) w.replace(at, 2, out);
            argv.push_back(w);
        }
        pid = spawn(argv, out + ".log");
        std::this_thread::sleep_for(std::chrono::milliseconds(700));  // attaching is asynchronous
    }
    ~attached_profiler() {
        if (pid < 0) return;
        kill(pid, SIGINT);
        int st = 0;
        waitpid(pid, &st, 0);
    }
};

// The client load: connect every device, then each publishes `messages` with `window` in flight.
struct load {
    const options& o;
    const tls::client_context& ctx;
    pid_t broker_pid;
    std::uint16_t port;
    std::string user, password;
    std::vector<std::unique_ptr<wv::client::connection>> conns;
    int failed_connects = 0, failed_publishes = 0;
    int running = 0;  // run() coroutines not yet returned: connections must outlive them
    long acked = 0, sample_at = -1;  // RSS is sampled once `acked` reaches `sample_at`
    double busy_rss_kib = 0;

    asio::awaitable<void> connect_one(int i) {
        tls::connect_options co;
        co.host = "localhost";
        co.port = port;
        co.address = asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port);
        const auto ex = co_await asio::this_coro::executor;  // GCC 12: no co_await inside call arguments
        auto r = co_await tls::connect(ex, co, &ctx);
        if (r.ec) {
            ++failed_connects;
            co_return;
        }
        auto c = std::make_unique<wv::client::connection>(std::move(*r.s));
        wv::client::session_options s;
        s.client_id = "bench" + std::to_string(i);
        s.user_name = user;
        s.password = password;
        if (auto ec = co_await c->async_connect(s)) {
            ++failed_connects;
            co_return;
        }
        ++running;
        asio::co_spawn(ex, c->run(), [this](std::exception_ptr, std::error_code) { --running; });
        conns[static_cast<std::size_t>(i)] = std::move(c);
    }

    asio::awaitable<void> publish_all(wv::client::connection& c, int i) {
        const std::string topic = "wv/bench" + std::to_string(i) + "/1/samp/p1";
        const std::string payload(60, 'x');
        int sent = 0;
        // `window` lanes, each publishing in sequence: window messages in flight per device.
        auto lane = [&]() -> asio::awaitable<void> {
            while (sent < o.messages) {
                ++sent;
                wv::mqtt::publish p;
                p.topic = topic;
                p.payload = wv::mqtt::as_bytes(payload);
                p.qos = wv::mqtt::qos::at_least_once;
                auto [ec] = co_await c.async_publish(p, asio::as_tuple(asio::use_awaitable));
                if (ec) ++failed_publishes;
                if (++acked == sample_at) busy_rss_kib = rss_kib(broker_pid);
            }
        };
        int lanes_done = 0;
        const auto ex = co_await asio::this_coro::executor;
        asio::steady_timer done(ex, clk::time_point::max());
        for (int l = 0; l < o.window; ++l)
            asio::co_spawn(ex, lane(), [&](std::exception_ptr) {
                if (++lanes_done == o.window) done.cancel();
            });
        while (lanes_done < o.window) co_await done.async_wait(asio::as_tuple(asio::use_awaitable));
    }
};

template <class F>
void run_all(asio::io_context& io, int n, int parallel, F make) {
    int next = 0, running = 0;
    std::function<void()> launch = [&] {
        while (running < parallel && next < n) {
            ++running;
            asio::co_spawn(io, make(next++), [&](std::exception_ptr) {
                --running;
                launch();
            });
        }
    };
    launch();
    while (running > 0 || next < n) io.run_one();
}

result measure(const std::string& name, pid_t pid, std::uint16_t port, const fs::path& ca, const options& o,
               const std::string& user, const std::string& password) {
    result r;
    r.broker = name;
    tls::client_options co;
    co.ca_file = ca;
    if (o.x509) {  // mutual TLS: the device certificate next to the CA (made by main)
        co.cert_file = ca.parent_path() / "bench-device.crt";
        co.key_file = ca.parent_path() / "bench-device.key";
        co.alpn = {};  // port 8883 behaviour: no ALPN needed
    }
    const tls::client_context ctx(co);
    asio::io_context io;
    load l{o, ctx, pid, port, user, password, {}, 0, 0, 0, 0, -1, 0};
    l.conns.resize(static_cast<std::size_t>(o.devices));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the broker settle before the baseline
    r.rss_before_kib = rss_kib(pid);
    double connect_cpu_s = 0;
    {
        const attached_profiler prof(o, "connect", pid, name);
        const double cpu0 = cpu_seconds(pid);
        const auto t0 = clk::now();
        run_all(io, o.devices, o.connects_in_flight, [&](int i) { return l.connect_one(i); });
        r.connect_s = std::chrono::duration<double>(clk::now() - t0).count();
        connect_cpu_s = cpu_seconds(pid) - cpu0;
    }
    r.failed_connects = l.failed_connects;
    const int connected = o.devices - l.failed_connects;
    r.connects_per_s = connected / r.connect_s;
    r.cpu_us_per_connect = connect_cpu_s * 1e6 / std::max(connected, 1);
    // Idle: let the last CONNACKs' follow-up (session tickets, lifecycle events) settle first.
    const auto settle = clk::now() + std::chrono::milliseconds(300);
    while (clk::now() < settle) io.run_for(std::chrono::milliseconds(20));
    r.rss_kib_per_idle_connection = (rss_kib(pid) - r.rss_before_kib) / std::max(connected, 1);
    if (o.hold_idle_s > 0) {
        std::cerr << "bench: " << name << " (pid " << pid << ") holds " << connected << " idle connections for "
                  << o.hold_idle_s << " s\n";
        const auto until = clk::now() + std::chrono::seconds(o.hold_idle_s);
        while (clk::now() < until) io.run_for(std::chrono::milliseconds(100));
    }

    const long total = static_cast<long>(connected) * o.messages;
    l.sample_at = total / 2;
    {
        const attached_profiler prof(o, "publish", pid, name);
        const double cpu0 = cpu_seconds(pid);
        const auto t0 = clk::now();
        run_all(io, o.devices, o.devices, [&](int i) -> asio::awaitable<void> {
            auto& c = l.conns[static_cast<std::size_t>(i)];
            if (c) co_await l.publish_all(*c, i);
        });
        r.publish_s = std::chrono::duration<double>(clk::now() - t0).count();
        r.broker_cpu_s = cpu_seconds(pid) - cpu0;
    }
    r.messages_per_s = static_cast<double>(total) / r.publish_s;
    r.cpu_us_per_message = r.broker_cpu_s * 1e6 / static_cast<double>(std::max(total, 1L));
    r.messages_per_core_s = r.broker_cpu_s > 0 ? static_cast<double>(total) / r.broker_cpu_s : 0;
    r.rss_kib_per_busy_connection = (l.busy_rss_kib - r.rss_before_kib) / std::max(connected, 1);
    r.failed_publishes = l.failed_publishes;
    for (auto& c : l.conns)
        if (c) c->abort();
    while (l.running > 0) io.run_one();
    return r;
}

// One broker run of one mode: wvgate (and --compare) then mosquitto, each a fresh process.
std::vector<result> run_mode(options o, bool x509, const fs::path& dir, const tls::test_ca_files& ca) {
    o.x509 = x509;
    std::vector<result> results;
    std::vector<std::pair<std::string, std::string>> gates;  // row name, binary
    if (!o.compare.empty()) gates.emplace_back("wvgate@cmp", o.compare);
    gates.emplace_back("wvgate", WV_WVGATE_PATH);
    for (const auto& [gate_name, gate_path] : gates) {  // static authorizer, a policy checked on every connect and publish
        if (!o.only.empty() && o.only != "wvgate") break;
        const auto port = free_port();
        const std::string policy =
            "'{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iot:Connect\","
            "\"Resource\":\"arn:aws:iot:*:*:client/${iot:ClientId}\"},{\"Effect\":\"Allow\",\"Action\":\"iot:Publish\","
            "\"Resource\":\"arn:aws:iot:*:*:topic/wv/${iot:ClientId}/*\"}]}'";
        std::ofstream(dir / "gw.yaml")
            << "listeners: [{name: " << (o.x509 ? "aws-8883, kind: aws-8883" : "aws-443, kind: aws-443")
            << ", port: " << port << ", cert: " << ca.server_cert.string()
            << ", key: " << ca.server_key.string() << ", client_ca: " << ca.ca_cert.string() << "}]\n"
            << "certificate_policies: [" << policy << "]\n"
            << "threads: " << o.gate_threads << "\nlog: {level: warn}\ndefault_authorizer: bench\n"
            << "limits: {publish_rate_per_s: 0, max_connections: 100000}\n"
            << "authorizers:\n  - name: bench\n    credentials: [{username: bench, password: pw}]\n"
            << "    default_policies:\n"
            << "      - '{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iot:Connect\","
               "\"Resource\":\"arn:aws:iot:*:*:client/${iot:ClientId}\"},{\"Effect\":\"Allow\",\"Action\":\"iot:Publish\","
               "\"Resource\":\"arn:aws:iot:*:*:topic/wv/${iot:ClientId}/*\"}]}'\n";
        const auto pid = spawn({gate_path, "--config", (dir / "gw.yaml").string()}, dir / "wvgate.log");
        if (!wait_port(port)) throw std::runtime_error(gate_path + " did not start (see " + (dir / "wvgate.log").string() + ")");
        std::cerr << "bench: " << gate_name << (x509 ? " x509" : " password") << "\n";
        results.push_back(measure(gate_name, pid, port, ca.ca_cert, o, "bench?x-amz-customauthorizer-name=bench", "pw"));
        stop(pid);
    }
    if (o.only.empty() || o.only == "mosquitto") {  // password file, TLS
        const auto port = free_port();
        std::ofstream(dir / "passwd") << "bench:pw\n";
        std::system(("/usr/bin/mosquitto_passwd -U " + (dir / "passwd").string()).c_str());
        std::ofstream(dir / "mosquitto.conf")
            << "user root\npersistence false\nper_listener_settings false\nallow_anonymous false\n"
            << "log_type error\nlog_type warning\nset_tcp_nodelay true\nmax_connections -1\n"
            << "password_file " << (dir / "passwd").string() << "\nlistener " << port << " 127.0.0.1\n"
            << "certfile " << ca.server_cert.string() << "\nkeyfile " << ca.server_key.string()
            << "\nmax_inflight_messages 100\n";
        if (o.x509)
            std::ofstream(dir / "mosquitto.conf", std::ios::app)
                << "cafile " << ca.ca_cert.string() << "\nrequire_certificate true\nuse_identity_as_username true\n";
        // WV_BENCH_MOSQUITTO: another mosquitto binary, or a wrapper script (e.g. a heap profiler).
        const char* mosq = std::getenv("WV_BENCH_MOSQUITTO");
        const auto pid = spawn({mosq ? mosq : WV_MOSQUITTO_PATH, "-c", (dir / "mosquitto.conf").string()}, dir / "mosquitto.log");
        if (!wait_port(port)) throw std::runtime_error("mosquitto did not start (see " + (dir / "mosquitto.log").string() + ")");
        std::cerr << "bench: mosquitto" << (x509 ? " x509" : " password") << "\n";
        results.push_back(measure("mosquitto", pid, port, ca.ca_cert, o, "bench", "pw"));
        stop(pid);
    }
    return results;
}

std::string load_average() {
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c;
}

std::string utc_now() {
    const auto t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&t));
    return buf;
}

const result* row(const std::vector<result>& rs, const std::string& broker) {
    for (const auto& r : rs)
        if (r.broker == broker) return &r;
    return nullptr;
}

// Issue 18's floor goals for wvgate (and issue 13's mutual-TLS connects), each a ratio of two
// rows of the same run: wvgate's messages per broker core-second >= 1.3x mosquitto's, RSS per
// connection <= mosquitto's, and with client certificates connects/s >= mosquitto's.
struct goal {
    std::string name;
    double ratio = 0;    // wvgate / mosquitto
    double target = 0;
    bool at_least = true;  // ratio >= target (else <=)
    bool met() const { return at_least ? ratio >= target : ratio <= target; }
};

std::vector<goal> goals_of(const std::vector<result>& rs, bool x509) {
    std::vector<goal> out;
    const auto* w = row(rs, "wvgate");
    const auto* m = row(rs, "mosquitto");
    if (!w || !m) return out;
    const auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
    if (x509) {
        out.push_back({"x509 connects/s (issue 13)", ratio(w->connects_per_s, m->connects_per_s), 1.0, true});
        return out;
    }
    out.push_back({"msgs per broker core-second", ratio(w->messages_per_core_s, m->messages_per_core_s), 1.3, true});
    out.push_back({"RSS KiB per idle connection", ratio(w->rss_kib_per_idle_connection, m->rss_kib_per_idle_connection), 1.0, false});
    out.push_back({"RSS KiB per busy connection", ratio(w->rss_kib_per_busy_connection, m->rss_kib_per_busy_connection), 1.0, false});
    return out;
}

nlohmann::json to_json(const result& r) {
    return {{"broker", r.broker},
            {"connects_per_s", r.connects_per_s},
            {"cpu_us_per_connect", r.cpu_us_per_connect},
            {"messages_per_s", r.messages_per_s},
            {"cpu_us_per_message", r.cpu_us_per_message},
            {"messages_per_core_s", r.messages_per_core_s},
            {"rss_before_kib", r.rss_before_kib},
            {"rss_kib_per_idle_connection", r.rss_kib_per_idle_connection},
            {"rss_kib_per_busy_connection", r.rss_kib_per_busy_connection},
            {"failed_connects", r.failed_connects},
            {"failed_publishes", r.failed_publishes}};
}

void print_table(const options& o, bool x509, const std::vector<result>& results, const std::vector<goal>& goals) {
    std::printf("%d devices x %d QoS 1 publishes (60 B, window %d), TLS 1.3%s, wvgate threads %u\n", o.devices,
                o.messages, o.window, x509 ? " with client certificates" : " with password / custom auth",
                o.gate_threads);
    std::printf("%-11s %10s %10s %10s %8s %12s %10s %10s %7s\n", "broker", "connects/s", "us/connect", "msgs/s",
                "us/msg", "msgs/core-s", "KiB/idle", "KiB/busy", "failed");
    for (const auto& r : results)
        std::printf("%-11s %10.0f %10.0f %10.0f %8.1f %12.0f %10.1f %10.1f %7d\n", r.broker.c_str(), r.connects_per_s,
                    r.cpu_us_per_connect, r.messages_per_s, r.cpu_us_per_message, r.messages_per_core_s,
                    r.rss_kib_per_idle_connection, r.rss_kib_per_busy_connection, r.failed_connects + r.failed_publishes);
    for (const auto& g : goals)
        std::printf("goal %-30s wvgate/mosquitto %5.2f (target %s %.2f): %s\n", g.name.c_str(), g.ratio,
                    g.at_least ? ">=" : "<=", g.target, g.met() ? "MET" : "MISSED");
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"bench_gateway: wvgate vs mosquitto, same TLS QoS 1 client load, side by side in one run"};
    options o;
    std::string mode = "password";
    std::string json_out;
    bool quick = false;
    app.add_option("--devices", o.devices, "connections per broker (>= 2,000 for memory figures)");
    app.add_option("--messages", o.messages, "QoS 1 publishes per device");
    app.add_option("--window", o.window, "publishes in flight per device");
    app.add_option("--connects-in-flight", o.connects_in_flight, "TLS connects in flight (mosquitto's backlog is 100)");
    app.add_option("--gate-threads", o.gate_threads, "wvgate I/O threads (mosquitto has one)");
    app.add_option("--mode", mode,
                   "password: devices log in with user name + password (wvgate: custom authorizer + IoT policy); "
                   "x509: with a client certificate (wvgate aws-8883 with the static certificate policies; "
                   "mosquitto require_certificate + use_identity_as_username); both: one after the other")
        ->check(CLI::IsMember({"password", "x509", "both"}));
    app.add_flag("--quick", quick, "short run for a check: 1,000 devices x 10 messages per mode (unless given)");
    app.add_option("--only", o.only, "run one broker: wvgate or mosquitto")->check(CLI::IsMember({"wvgate", "mosquitto"}));
    app.add_option("--attach", o.attach,
                   "profile each phase with this command (%p: broker pid, %o: output prefix), e.g. "
                   "'perf record -q --call-graph dwarf -p %p -o %o.data' or 'strace -c -f -p %p -o %o.strace'");
    app.add_option("--attach-prefix", o.attach_prefix, "output prefix for --attach (default: bench)");
    app.add_option("--compare", o.compare, "another wvgate binary to measure in the same run (row wvgate@cmp)");
    app.add_option("--hold-idle", o.hold_idle_s, "seconds to hold the idle connections before publishing (inspection)");
    app.add_flag("--json", o.json, "print JSON instead of the table");
    app.add_option("--json-out", json_out, "also write the JSON to this file (the table still prints)");
    app.add_flag("--x509", o.x509, "the same as --mode x509");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }
    if (o.x509) mode = "x509";
    if (quick) {
        if (app.count("--devices") == 0) o.devices = 1000;
        if (app.count("--messages") == 0) o.messages = 10;
    }
    if (o.devices <= 0 || o.messages <= 0 || o.window <= 0 || o.connects_in_flight <= 0) {
        std::cerr << "bench: --devices, --messages, --window and --connects-in-flight must be positive\n";
        return 2;
    }

    const fs::path dir = fs::temp_directory_path() / ("wvbench-" + std::to_string(getpid()));
    fs::create_directories(dir);
    const auto ca = tls::make_test_ca(dir / "ca");
    tls::make_client_cert(dir / "ca", "bench-device");

    nlohmann::json j = {{"devices", o.devices},          {"messages_per_device", o.messages}, {"window", o.window},
                        {"wvgate_threads", o.gate_threads}, {"started", utc_now()},           {"load_average_start", load_average()},
                        {"runs", nlohmann::json::array()}};
    std::vector<bool> modes;
    if (mode != "x509") modes.push_back(false);
    if (mode != "password") modes.push_back(true);
    bool all_met = true;
    try {
        for (const bool x509 : modes) {
            const auto results = run_mode(o, x509, dir, ca);
            const auto goals = goals_of(results, x509);
            nlohmann::json run = {{"mode", x509 ? "x509" : "password"}, {"x509", x509}, {"load_average", load_average()},
                                  {"results", nlohmann::json::array()}, {"goals", nlohmann::json::array()}};
            for (const auto& r : results) run["results"].push_back(to_json(r));
            for (const auto& g : goals) {
                run["goals"].push_back({{"goal", g.name}, {"wvgate_over_mosquitto", g.ratio}, {"target", g.target},
                                        {"at_least", g.at_least}, {"met", g.met()}});
                all_met = all_met && g.met();
            }
            j["runs"].push_back(run);
            if (!o.json) {
                print_table(o, x509, results, goals);
                std::printf("(%s, load average %s)\n\n", utc_now().c_str(), load_average().c_str());
                std::fflush(stdout);
            }
        }
    } catch (const std::exception& e) {
        std::cerr << "bench: " << e.what() << "\n";
        fs::remove_all(dir);
        return 1;
    }
    fs::remove_all(dir);
    j["load_average_end"] = load_average();
    j["all_goals_met"] = all_met;
    if (o.json) std::cout << j.dump(2) << "\n";
    else std::printf("(us = broker CPU; KiB = broker RSS per connection, idle after CONNACK / while publishing)\n");
    if (!json_out.empty()) std::ofstream(json_out) << j.dump(2) << "\n";
    return 0;
}
