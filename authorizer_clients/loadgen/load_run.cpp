#include "authorizer_clients/loadgen/load_run.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "auth/authorizer_event.hpp"
#include "auth/authorizer_service.hpp"
#include "auth/connect_verdict.hpp"

namespace wv::loadgen {
namespace {

using steady = std::chrono::steady_clock;

struct sample {
    double done_s;   // completion, from the first send
    double latency_ms;
    bool failed;
};

struct shared_state {
    std::mutex m;
    std::condition_variable cv;
    std::vector<double> latencies_ms;
    std::vector<sample> samples;
    steady::time_point t0;
    load_result r;
    std::uint64_t outstanding = 0;
    steady::time_point last_completion;
};

double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    const auto idx = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size()))) ;
    return sorted[std::min(sorted.size() - 1, idx == 0 ? 0 : idx - 1)];
}

}  // namespace

load_result run_load(std::shared_ptr<auth::authorizer_backend> backend, const load_options& o) {
    if (!(o.rate > 0)) throw std::invalid_argument("rate must be above 0");
    if (o.devices.empty() && o.events.empty()) throw std::invalid_argument("no device credentials to send");
    if (o.concurrency == 0) throw std::invalid_argument("concurrency must be at least 1");

    // Events are built up front: the bench measures the authorizer, not our JSON writer.
    std::vector<std::string> events = o.events;
    if (events.empty()) events.reserve(o.devices.size());
    for (const auto& d : o.events.empty() ? o.devices : std::vector<device_credential>{}) {
        auth::connect_info ci;
        ci.server_name = d.server_name;
        ci.username = d.username;
        ci.password = d.password;
        if (!d.client_id.empty()) ci.client_id = d.client_id;
        ci.connection_id = auth::make_connection_id();
        events.push_back(auth::make_authorizer_event_json(ci, {}));
    }

    auto st = std::make_shared<shared_state>();
    st->r.backend = backend->describe();
    st->r.asked_rate = o.rate;
    st->r.duration_s = std::chrono::duration<double>(o.duration).count();
    {
        auth::authorizer_service svc(backend, {.deadline = o.deadline, .max_concurrency = o.concurrency, .max_queue = o.max_queue});
        for (std::size_t i = 0; i < o.warmup_calls; ++i) {
            std::promise<void> warm;
            svc.authorize(events[i % events.size()], [&warm](auth::authorization_result) { warm.set_value(); });
            warm.get_future().wait();
        }
        const auto total = static_cast<std::uint64_t>(std::llround(o.rate * st->r.duration_s));
        st->latencies_ms.reserve(total);
        const auto interval = std::chrono::duration<double>(1.0 / o.rate);
        const auto t0 = steady::now();
        st->t0 = t0;
        st->samples.reserve(total);
        auto next_progress = t0 + std::chrono::seconds(1);
        for (std::uint64_t i = 0; i < total; ++i) {
            const auto when = t0 + std::chrono::duration_cast<steady::duration>(interval * static_cast<double>(i));
            std::this_thread::sleep_until(when);
            if (o.stop && o.stop->load()) {
                st->r.interrupted = true;
                break;
            }
            {
                std::lock_guard lk(st->m);
                ++st->outstanding;
                ++st->r.sent;
            }
            static const device_credential no_device{};
            const auto& device = o.devices.empty() ? no_device : o.devices[i % o.devices.size()];
            svc.authorize(events[i % events.size()], [st, when, &device, &o](auth::authorization_result res) {
                const auto now = steady::now();
                // The verdict wvauthz invoke gives, outside the lock: it evaluates the policies.
                auth::connect_verdict v;
                std::string kind;
                if (!o.judge) {
                    v = auth::judge_connect(res, o.scope, device.client_id, device.server_name);
                } else if (res.outcome == auth::authorization_outcome::timeout ||
                           res.outcome == auth::authorization_outcome::backend_error ||
                           res.outcome == auth::authorization_outcome::overloaded ||
                           res.outcome == auth::authorization_outcome::shut_down) {
                    v = auth::judge_connect(res, o.scope, device.client_id, device.server_name);  // transport outcomes
                } else {
                    v.outcome = o.judge(res, kind);
                }
                std::lock_guard lk(st->m);
                auto& r = st->r;
                const double latency = std::chrono::duration<double, std::milli>(now - when).count();
                st->latencies_ms.push_back(latency);
                st->samples.push_back({std::chrono::duration<double>(now - st->t0).count(), latency,
                                       !v.connects() && !auth::is_valid_refusal(v.outcome)});
                ++r.completed;
                if (v.scope_mismatch && !r.scope_mismatch) r.scope_mismatch = v.scope_mismatch;
                switch (v.outcome) {
                    case auth::connect_outcome::allowed: ++r.allowed; break;
                    case auth::connect_outcome::denied: ++r.denied; break;
                    case auth::connect_outcome::denied_by_policy: ++r.denied_by_policy; break;
                    case auth::connect_outcome::invalid_response: {
                        ++r.invalid;
                        std::string rule = kind.empty() ? "invalid" : "invalid:" + kind;
                        if (kind.empty())
                            for (const auto& c : res.verdict.checks)
                            if (c.status == auth::rule_status::fail) {
                                rule = "invalid:" + c.rule;
                                break;
                            }
                        ++r.errors_by_kind[rule];
                        break;
                    }
                    case auth::connect_outcome::backend_error:
                        ++r.backend_errors;
                        ++r.errors_by_kind[auth::to_string(res.reply.error)];
                        if (res.reply.error == auth::backend_errc::throttled) ++r.throttled;
                        break;
                    case auth::connect_outcome::timeout: ++r.timeouts; break;
                    case auth::connect_outcome::overloaded: ++r.overloaded; break;
                    case auth::connect_outcome::shut_down: ++r.errors_by_kind["shut_down"]; break;
                }
                st->last_completion = now;
                --st->outstanding;
                st->cv.notify_all();
            });
            if (o.progress && steady::now() >= next_progress) {
                next_progress += std::chrono::seconds(1);
                std::lock_guard lk(st->m);
                *o.progress << "  " << st->r.sent << " sent, " << st->r.completed << " done, " << st->outstanding
                            << " in flight\n";
            }
        }
        const auto sending = std::chrono::duration<double>(steady::now() - t0).count();
        {
            // Every call ends by its deadline (the service guarantees it); allow a margin.
            std::unique_lock lk(st->m);
            st->cv.wait_for(lk, o.deadline + std::chrono::seconds(2), [&] { return st->outstanding == 0; });
            st->r.send_rate = sending > 0 ? static_cast<double>(st->r.sent) / sending : 0;
            st->r.elapsed_s = std::chrono::duration<double>(
                                  (st->r.completed ? st->last_completion : steady::now()) - t0)
                                  .count();
        }
    }  // the service completes anything left with shut_down before we read the results

    std::lock_guard lk(st->m);
    load_result r = st->r;
    auto lat = st->latencies_ms;
    std::sort(lat.begin(), lat.end());
    r.achieved_rate = r.elapsed_s > 0 ? static_cast<double>(r.completed) / r.elapsed_s : 0;
    r.p50_ms = percentile(lat, 0.50);
    r.p90_ms = percentile(lat, 0.90);
    r.p99_ms = percentile(lat, 0.99);
    r.p999_ms = percentile(lat, 0.999);
    r.max_ms = lat.empty() ? 0 : lat.back();
    double sum = 0;
    for (double v : lat) sum += v;
    r.mean_ms = lat.empty() ? 0 : sum / static_cast<double>(lat.size());
    static constexpr double bounds[] = {0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000};
    for (double b : bounds) r.histogram.push_back({b, 0});
    r.histogram.push_back({std::numeric_limits<double>::infinity(), 0});
    std::vector<std::vector<double>> per_second;
    for (const auto& smp : st->samples) {
        const auto sec = static_cast<std::size_t>(smp.done_s);
        if (sec >= per_second.size()) {
            per_second.resize(sec + 1);
            r.timeline.resize(sec + 1);
        }
        per_second[sec].push_back(smp.latency_ms);
        ++r.timeline[sec].completed;
        r.timeline[sec].failed += smp.failed;
    }
    for (std::size_t i = 0; i < per_second.size(); ++i) {
        std::sort(per_second[i].begin(), per_second[i].end());
        r.timeline[i].t_s = static_cast<double>(i + 1);
        r.timeline[i].p50_ms = percentile(per_second[i], 0.50);
        r.timeline[i].p99_ms = percentile(per_second[i], 0.99);
    }
    for (double v : lat) {
        auto it = std::find_if(r.histogram.begin(), r.histogram.end(), [v](const latency_bucket& b) { return v <= b.upper_ms; });
        ++it->count;
    }
    return r;
}

}  // namespace wv::loadgen
