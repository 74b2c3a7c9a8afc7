#include "auth/authorizer_service.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <queue>
#include <thread>

namespace wv::auth {

const char* to_string(authorization_outcome o) noexcept {
    switch (o) {
    case authorization_outcome::allowed: return "allowed";
    case authorization_outcome::denied: return "denied";
    case authorization_outcome::invalid_response: return "invalid_response";
    case authorization_outcome::backend_error: return "backend_error";
    case authorization_outcome::timeout: return "timeout";
    case authorization_outcome::overloaded: return "overloaded";
    case authorization_outcome::shut_down: return "shut_down";
    }
    return "unknown";
}

namespace {

using clock = std::chrono::steady_clock;

struct call {
    std::string event_json;
    authorizer_service::completion done;
    clock::time_point enqueued, deadline, invoked;
    bool was_invoked = false;           // guarded by state::m
    std::atomic<bool> finished{false};  // first finisher wins: reply, deadline, overload or shutdown
};

using call_ptr = std::shared_ptr<call>;

struct by_deadline {
    bool operator()(const call_ptr& a, const call_ptr& b) const { return a->deadline > b->deadline; }
};

}  // namespace

// All mutable service state. Backend completions hold a weak_ptr to it, so a reply that
// arrives after the service is gone is dropped without touching freed memory.
struct authorizer_service::state : std::enable_shared_from_this<authorizer_service::state> {
    std::shared_ptr<authorizer_backend> backend;
    authorizer_service_options options;

    mutable std::mutex m;
    std::condition_variable cv;
    std::deque<call_ptr> queue;                                               // waiting to be invoked
    std::priority_queue<call_ptr, std::vector<call_ptr>, by_deadline> deadlines;  // every unfinished call
    std::vector<call_ptr> refused;                                            // overloaded, to complete
    std::size_t in_flight = 0;
    bool stopping = false;
    authorizer_service_stats stats;
    std::thread worker;

    void run();
    void finish(const call_ptr& c, authorization_result r);
    void on_reply(const call_ptr& c, backend_reply reply);
};

void authorizer_service::state::finish(const call_ptr& c, authorization_result r) {
    if (c->finished.exchange(true)) return;
    const auto now = clock::now();
    {
        std::lock_guard lock{m};
        if (c->was_invoked) {
            --in_flight;
            r.queue_wait = c->invoked - c->enqueued;
            r.call_time = now - c->invoked;
        } else {
            r.queue_wait = now - c->enqueued;
        }
        switch (r.outcome) {
        case authorization_outcome::allowed: ++stats.allowed; break;
        case authorization_outcome::denied: ++stats.denied; break;
        case authorization_outcome::invalid_response: ++stats.invalid; break;
        case authorization_outcome::backend_error: ++stats.errors; break;
        case authorization_outcome::timeout: ++stats.timeouts; break;
        case authorization_outcome::overloaded: ++stats.overloaded; break;
        case authorization_outcome::shut_down: break;
        }
    }
    cv.notify_one();  // a slot is free: the worker may invoke the next queued call
    auto done = std::move(c->done);
    c->event_json.clear();
    if (done) done(std::move(r));
}

void authorizer_service::state::on_reply(const call_ptr& c, backend_reply reply) {
    authorization_result r;
    if (reply.error != backend_errc::none) {
        r.outcome = reply.error == backend_errc::timeout ? authorization_outcome::timeout
                                                          : authorization_outcome::backend_error;
        r.reason = std::string("authorizer backend error: ") + to_string(reply.error) +
                   (reply.detail.empty() ? "" : ": " + reply.detail);
    } else {
        r.verdict = validate_response(reply.body);
        r.outcome = r.verdict.allowed ? authorization_outcome::allowed
                    : r.verdict.valid ? authorization_outcome::denied
                                      : authorization_outcome::invalid_response;
        r.reason = r.verdict.reason;
    }
    r.reply = std::move(reply);
    finish(c, std::move(r));
}

void authorizer_service::state::run() {
    std::unique_lock lock{m};
    while (!stopping) {
        std::vector<call_ptr> expired, to_invoke, to_refuse;
        const auto now = clock::now();
        while (!deadlines.empty() && (deadlines.top()->finished || deadlines.top()->deadline <= now)) {
            if (!deadlines.top()->finished) expired.push_back(deadlines.top());
            deadlines.pop();
        }
        while (in_flight < options.max_concurrency && !queue.empty()) {
            auto c = std::move(queue.front());
            queue.pop_front();
            if (c->finished) continue;  // timed out while queued
            c->was_invoked = true;
            c->invoked = now;
            ++in_flight;
            ++stats.calls;
            to_invoke.push_back(std::move(c));
        }
        to_refuse.swap(refused);
        if (expired.empty() && to_invoke.empty() && to_refuse.empty()) {
            if (deadlines.empty()) cv.wait(lock);
            else cv.wait_until(lock, deadlines.top()->deadline);
            continue;
        }
        lock.unlock();
        for (const auto& c : expired) {
            authorization_result r;
            r.outcome = authorization_outcome::timeout;
            r.reason = c->was_invoked ? "the authorizer did not answer within " +
                                            std::to_string(options.deadline.count()) + " ms (AWS limit: 5 s)"
                                      : "still queued after " + std::to_string(options.deadline.count()) +
                                            " ms: the authorizer is too slow for this load";
            r.reply.error = backend_errc::timeout;
            finish(c, std::move(r));
        }
        for (const auto& c : to_refuse) {
            authorization_result r;
            r.outcome = authorization_outcome::overloaded;
            r.reason = "authorizer overloaded: " + std::to_string(options.max_concurrency) + " calls in flight and " +
                       std::to_string(options.max_queue) + " queued; denied without calling";
            r.reply.error = backend_errc::overloaded;
            finish(c, std::move(r));
        }
        for (auto& c : to_invoke) {
            std::weak_ptr<state> weak = weak_from_this();
            auto event = std::move(c->event_json);
            // A backend may complete inline (static, registry): that runs finish() on this
            // thread, which is why no lock is held here.
            backend->invoke(std::move(event), c->deadline, [weak, c](backend_reply reply) {
                if (auto self = weak.lock()) self->on_reply(c, std::move(reply));
            });
        }
        lock.lock();
    }
}

authorizer_service::authorizer_service(std::shared_ptr<authorizer_backend> backend, authorizer_service_options o)
    : state_(std::make_shared<state>()) {
    state_->backend = std::move(backend);
    state_->options = o;
    if (state_->options.max_concurrency == 0) state_->options.max_concurrency = 1;
    state_->worker = std::thread([s = state_.get()] { s->run(); });
}

authorizer_service::~authorizer_service() {
    {
        std::lock_guard lock{state_->m};
        state_->stopping = true;
    }
    state_->cv.notify_one();
    state_->worker.join();
    std::vector<call_ptr> pending;
    {
        std::lock_guard lock{state_->m};
        while (!state_->deadlines.empty()) {
            pending.push_back(state_->deadlines.top());
            state_->deadlines.pop();
        }
        for (auto& c : state_->refused) pending.push_back(std::move(c));
        state_->queue.clear();
    }
    for (const auto& c : pending) {
        authorization_result r;
        r.outcome = authorization_outcome::shut_down;
        r.reason = "the authorizer service stopped before the call completed";
        state_->finish(c, std::move(r));
    }
}

void authorizer_service::authorize(std::string event_json, completion done) {
    auto c = std::make_shared<call>();
    c->event_json = std::move(event_json);
    c->done = std::move(done);
    c->enqueued = clock::now();
    c->deadline = c->enqueued + state_->options.deadline;
    {
        std::lock_guard lock{state_->m};
        auto& s = *state_;
        if (s.stopping) {
            s.refused.push_back(std::move(c));  // completed as shut_down by the destructor
            return;
        }
        if (s.in_flight + s.queue.size() >= s.options.max_concurrency + s.options.max_queue) {
            s.refused.push_back(std::move(c));
        } else {
            s.queue.push_back(c);
            s.deadlines.push(std::move(c));
        }
    }
    state_->cv.notify_one();
}

authorizer_service_stats authorizer_service::stats() const {
    std::lock_guard lock{state_->m};
    auto s = state_->stats;
    s.in_flight = state_->in_flight;
    s.queued = state_->queue.size();
    return s;
}

const authorizer_backend& authorizer_service::backend() const { return *state_->backend; }

}  // namespace wv::auth
