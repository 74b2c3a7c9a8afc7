#include "onboard_jitr.hpp"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <sstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "classify.hpp"
#include "client/client_errc.hpp"
#include "client/connection.hpp"
#include "tls/connect.hpp"

namespace wv::sim {

namespace asio = boost::asio;

namespace {

using jitr_clock = std::chrono::steady_clock;

// At most max_connecting attempts in flight: a device waits on its own timer, which the
// attempt that frees a slot cancels (the slot passes to it). One thread: no locks.
struct jitr_slots {
    std::uint32_t free = 0;
    std::deque<asio::steady_timer*> waiting;
};

struct jitr_run {
    const std::vector<device_identity>& ids;
    const jitr_settings& s;
    jitr_result r;
    jitr_slots slots;
    std::uint64_t finished = 0;
};

asio::awaitable<void> jitr_acquire(jitr_slots& g) {
    if (g.free > 0) {
        --g.free;
        co_return;
    }
    asio::steady_timer t(co_await asio::this_coro::executor, jitr_clock::time_point::max());
    g.waiting.push_back(&t);
    boost::system::error_code ec;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));  // cancelled: the slot is ours
}

void jitr_release(jitr_slots& g) {
    if (g.waiting.empty()) {
        ++g.free;
        return;
    }
    g.waiting.front()->cancel();
    g.waiting.pop_front();
}

asio::awaitable<void> jitr_sleep(std::chrono::nanoseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

// One attempt: TCP, TLS with the device's certificate, CONNECT; the outcome bucket, or empty
// when CONNACK 0 came. `reached_mqtt` tells a refusal from a transport failure.
asio::awaitable<std::string> jitr_attempt(jitr_run& run, std::uint32_t i, bool& reached_mqtt) {
    const auto& s = run.s;
    const auto began = std::chrono::system_clock::now();
    auto ex = co_await asio::this_coro::executor;
    tls::connect_options co{.host = s.host,
                            .port = s.address.port(),
                            .address = s.address,
                            .connect_timeout = s.connect_timeout,
                            .handshake_timeout = s.connect_timeout,
                            .identity = &s.certs->of(i)};
    auto c = co_await tls::connect(ex, co, s.tls);
    if (c.ec) co_return classify_connect_error(c.ec, c.detail).bucket();
    reached_mqtt = true;
    client::connection conn(std::move(*c.s));
    client::session_options so;
    so.client_id = run.ids[i].akid;
    so.connack_timeout = s.connect_timeout;
    const auto ec = co_await conn.async_connect(so);
    if (!ec) {
        conn.disconnect();
        (void)co_await conn.run();
        co_return std::string();
    }
    using client::client_errc;
    if (ec == client_errc::connack_timeout) co_return std::string(key(outcome::connack_timeout));
    for (int code = 1; code <= 5; ++code)
        if (ec == static_cast<client_errc>(static_cast<int>(client_errc::refused_protocol_version) + code - 1))
            co_return std::string(key(connack_outcome(code)));
    if (ec == client_errc::unexpected_packet) co_return std::string(key(outcome::protocol_error));
    // Closed without CONNACK: AWS's answer to a certificate it does not (yet) accept.
    co_return std::string(key(s.explain_refusal ? s.explain_refusal(i, began) : outcome::closed_without_connack));
}

asio::awaitable<void> jitr_device(jitr_run& run, std::uint32_t i) {
    const auto& s = run.s;
    const auto first = jitr_clock::now();
    bool ever_reached_mqtt = false;
    std::string bucket = "never_active";
    for (std::uint32_t attempt = 0;; ++attempt) {
        co_await jitr_acquire(run.slots);
        const auto began = jitr_clock::now();
        bool reached = false;
        const auto result = co_await jitr_attempt(run, i, reached);
        jitr_release(run.slots);
        run.r.attempt_time.record(jitr_clock::now() - began);
        ++run.r.attempts;
        ever_reached_mqtt = ever_reached_mqtt || reached;
        const auto ended = jitr_clock::now();
        if (result.empty()) {
            ++run.r.attempt_outcomes[std::string(key(outcome::connected))];
            run.r.time_to_active.record(ended - first);
            ++run.r.attempts_to_active[attempt + 1];
            bucket = attempt == 0 ? "active_first_attempt" : "active_after_retry";
            break;
        }
        ++run.r.attempt_outcomes[result];
        // The device's backoff, and AWS's 1 CONNECT/s per client id (reconnect.hpp).
        auto wait = std::chrono::nanoseconds(std::max<std::chrono::milliseconds>(
            s.retry.enabled ? retry_delay(s.retry, s.seed, run.ids[i].index, attempt) : min_connect_spacing,
            min_connect_spacing));
        if (ended + wait - first > s.deadline) {
            bucket = ever_reached_mqtt ? "never_active" : "transport_failed";
            break;
        }
        co_await jitr_sleep(wait);
    }
    ++run.r.device_outcomes[bucket];
    ++run.finished;
}

asio::awaitable<void> jitr_launch(jitr_run& run) {
    auto ex = co_await asio::this_coro::executor;
    const auto start = jitr_clock::now();
    for (std::uint32_t i = 0; i < run.ids.size(); ++i) {
        if (run.s.connect_rate > 0) {
            const auto due = start + std::chrono::duration_cast<jitr_clock::duration>(
                                         std::chrono::duration<double>(i / run.s.connect_rate));
            if (due > jitr_clock::now()) co_await jitr_sleep(due - jitr_clock::now());
        }
        asio::co_spawn(ex, jitr_device(run, i), asio::detached);
    }
}

asio::awaitable<void> jitr_progress(jitr_run& run) {
    const auto start = jitr_clock::now();
    while (run.finished < run.ids.size()) {
        co_await jitr_sleep(std::chrono::seconds(1));
        const auto active = run.r.active();
        std::fprintf(stderr, "wvsim: onboarding (jitr) %5.0f s: %llu of %zu active, %llu attempts, %llu given up\n",
                     std::chrono::duration<double>(jitr_clock::now() - start).count(),
                     static_cast<unsigned long long>(active), run.ids.size(),
                     static_cast<unsigned long long>(run.r.attempts),
                     static_cast<unsigned long long>(run.finished - active));
    }
}

std::string jitr_ms(std::uint64_t us) {
    char b[32];
    if (us >= 1'000'000) std::snprintf(b, sizeof b, "%.2f s", static_cast<double>(us) / 1e6);
    else std::snprintf(b, sizeof b, "%.1f ms", static_cast<double>(us) / 1e3);
    return b;
}

}  // namespace

std::uint64_t jitr_result::active() const {
    std::uint64_t n = 0;
    for (const char* k : {"active_after_retry", "active_first_attempt"})
        if (const auto it = device_outcomes.find(k); it != device_outcomes.end()) n += it->second;
    return n;
}

jitr_result run_jitr_onboarding(const std::vector<device_identity>& ids, const jitr_settings& s) {
    jitr_run run{ids, s, {}, {.free = std::max<std::uint32_t>(1, s.max_connecting), .waiting = {}}, 0};
    run.r.devices = ids.size();
    asio::io_context io{1};
    const auto start = jitr_clock::now();
    asio::co_spawn(io, jitr_launch(run), asio::detached);
    if (s.progress) asio::co_spawn(io, jitr_progress(run), asio::detached);
    // The progress line waits a second at a time: stop as soon as every device is done.
    asio::steady_timer done(io);
    std::function<void()> check = [&] {
        if (run.finished >= ids.size()) {
            io.stop();
            return;
        }
        done.expires_after(std::chrono::milliseconds(20));
        done.async_wait([&](boost::system::error_code) { check(); });
    };
    check();
    io.run();
    run.r.seconds = std::chrono::duration<double>(jitr_clock::now() - start).count();
    return std::move(run.r);
}

std::string jitr_summary_text(const nlohmann::json& j) {
    std::ostringstream o;
    const auto count = [&](const char* object, const char* k) -> std::uint64_t {
        return j.contains(object) && j[object].contains(k) ? j[object][k].get<std::uint64_t>() : 0;
    };
    char line[256];
    std::snprintf(line, sizeof line, "\nOnboarding (jitr): %llu of %llu devices active in %.1f s, %llu connect attempts\n",
                  static_cast<unsigned long long>(j.value("active", std::uint64_t{0})),
                  static_cast<unsigned long long>(j.value("devices", std::uint64_t{0})), j.value("seconds", 0.0),
                  static_cast<unsigned long long>(j.value("attempts", std::uint64_t{0})));
    o << line;
    static const char* order[] = {"active_after_retry", "active_first_attempt", "never_active", "transport_failed"};
    for (const char* k : order)
        if (const auto n = count("device_outcomes", k)) o << "  " << k << ": " << n << "\n";
    if (count("time_to_active_us", "count")) {
        o << "  time to active: p50 " << jitr_ms(count("time_to_active_us", "p50")) << ", p90 "
          << jitr_ms(count("time_to_active_us", "p90")) << ", p99 " << jitr_ms(count("time_to_active_us", "p99"))
          << ", max " << jitr_ms(count("time_to_active_us", "max")) << " (first attempt to CONNACK 0)\n";
        o << "  attempts until active:";
        for (const auto& [n, devices] : j["attempts_to_active"].items()) o << " " << n << " x" << devices.get<std::uint64_t>();
        o << "\n";
    }
    if (count("attempt_us", "count"))
        o << "  one attempt (TCP, TLS, CONNECT to CONNACK or close): p50 " << jitr_ms(count("attempt_us", "p50"))
          << ", p99 " << jitr_ms(count("attempt_us", "p99")) << ", max " << jitr_ms(count("attempt_us", "max")) << "\n";
    if (j.contains("attempt_outcomes")) {
        o << "  attempts by outcome:";
        for (const auto& [k, n] : j["attempt_outcomes"].items()) o << " " << k << " " << n.get<std::uint64_t>() << ";";
        o << "\n";
    }
    if (count("device_outcomes", "never_active"))
        o << "  never_active: the certificate was still refused at the deadline; is a topic rule on "
             "$aws/events/certificates/registered/+ running an activation Lambda (config/jitr/README.md)?\n";
    return o.str();
}

nlohmann::json jitr_to_json(const jitr_result& r) {
    nlohmann::json attempts = nlohmann::json::object();
    for (const auto& [n, d] : r.attempts_to_active) attempts[std::to_string(n)] = d;
    const auto& h = r.time_to_active;
    return {{"mode", "jitr"},
            {"devices", r.devices},
            {"active", r.active()},
            {"attempts", r.attempts},
            {"seconds", r.seconds},
            {"device_outcomes", r.device_outcomes},
            {"attempt_outcomes", r.attempt_outcomes},
            {"attempts_to_active", attempts},
            {"attempt_us",
             {{"count", r.attempt_time.count()},
              {"p50", r.attempt_time.percentile_us(0.5)},
              {"p99", r.attempt_time.percentile_us(0.99)},
              {"max", r.attempt_time.max_us()}}},
            {"time_to_active_us",
             {{"count", h.count()},
              {"p50", h.percentile_us(0.5)},
              {"p90", h.percentile_us(0.9)},
              {"p99", h.percentile_us(0.99)},
              {"max", h.max_us()}}}};
}

nlohmann::json merge_jitr_json(const nlohmann::json& a, const nlohmann::json& b, const metrics::histogram& time_to_active,
                               const metrics::histogram& attempt_time) {
    if (a.is_null()) return b;
    if (b.is_null()) return a;
    jitr_result r;
    r.time_to_active = time_to_active;
    r.attempt_time = attempt_time;
    for (const auto* j : {&a, &b}) {
        r.devices += j->value("devices", std::uint64_t{0});
        r.attempts += j->value("attempts", std::uint64_t{0});
        r.seconds = std::max(r.seconds, j->value("seconds", 0.0));
        // value() returns a copy: keep it alive for the loop.
        const auto devices = j->value("device_outcomes", nlohmann::json::object());
        for (const auto& [k, n] : devices.items()) r.device_outcomes[k] += n.get<std::uint64_t>();
        const auto attempts = j->value("attempt_outcomes", nlohmann::json::object());
        for (const auto& [k, n] : attempts.items()) r.attempt_outcomes[k] += n.get<std::uint64_t>();
        const auto to_active = j->value("attempts_to_active", nlohmann::json::object());
        for (const auto& [k, n] : to_active.items())
            r.attempts_to_active[static_cast<std::uint32_t>(std::stoul(k))] += n.get<std::uint64_t>();
    }
    return jitr_to_json(r);
}

}  // namespace wv::sim
