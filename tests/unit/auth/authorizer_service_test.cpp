#include <doctest/doctest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "auth/authorizer_service.hpp"
#include "functions/static_backend.hpp"

using namespace wv::auth;
using namespace std::chrono_literals;

namespace {

// A backend whose calls wait until the test answers them.
class held_backend final : public authorizer_backend {
public:
    void invoke(std::string event, std::chrono::steady_clock::time_point, completion done) override {
        std::lock_guard lock{m_};
        events_.push_back(std::move(event));
        held_.push_back(std::move(done));
        cv_.notify_all();
    }
    std::string describe() const override { return "held"; }
    // Blocks until `n` calls have arrived (they arrive on the service thread).
    void wait_for_calls(std::size_t n) {
        std::unique_lock lock{m_};
        cv_.wait(lock, [&] { return held_.size() >= n; });
    }
    void answer(std::size_t i, backend_reply r) {
        completion c;
        {
            std::lock_guard lock{m_};
            c = std::move(held_.at(i));
        }
        c(std::move(r));
    }
    std::size_t calls() {
        std::lock_guard lock{m_};
        return held_.size();
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    std::vector<std::string> events_;
    std::vector<completion> held_;
};

backend_reply body(std::string b) {
    backend_reply r;
    r.body = std::move(b);
    return r;
}

const char* const allow_reply =
    R"({"isAuthenticated":true,"principalId":"p1","policyDocuments":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]}]})";

struct waiter {
    std::promise<authorization_result> p;
    std::future<authorization_result> f = p.get_future();
    authorizer_service::completion cb() {
        return [this](authorization_result r) { p.set_value(std::move(r)); };
    }
    authorization_result get() {
        REQUIRE(f.wait_for(10s) == std::future_status::ready);
        return f.get();
    }
};

}  // namespace

TEST_CASE("service: a valid allow, a valid deny, an invalid reply, a backend error") {
    auto b = std::make_shared<held_backend>();
    authorizer_service svc{b};
    waiter w0, w1, w2, w3;
    svc.authorize("{}", w0.cb());
    svc.authorize("{}", w1.cb());
    svc.authorize("{}", w2.cb());
    svc.authorize("{}", w3.cb());
    b->wait_for_calls(4);
    b->answer(0, body(allow_reply));
    b->answer(1, body(R"({"isAuthenticated":false})"));
    b->answer(2, body(R"({"isAuthenticated":true,"principalId":"AKID-0","policyDocuments":[]})"));
    backend_reply err;
    err.error = backend_errc::function_error;
    err.detail = "KeyError: 'password'";
    b->answer(3, err);

    const auto r0 = w0.get();
    CHECK(r0.outcome == authorization_outcome::allowed);
    CHECK(r0.allowed());
    CHECK(r0.verdict.response.principal_id == "p1");
    CHECK(w1.get().outcome == authorization_outcome::denied);
    const auto r2 = w2.get();
    CHECK(r2.outcome == authorization_outcome::invalid_response);
    CHECK(r2.reason.starts_with("principalId:"));
    const auto r3 = w3.get();
    CHECK(r3.outcome == authorization_outcome::backend_error);
    CHECK(r3.reason == "authorizer backend error: function_error: KeyError: 'password'");
    const auto s = svc.stats();
    CHECK(s.calls == 4);
    CHECK(s.allowed == 1);
    CHECK(s.denied == 1);
    CHECK(s.invalid == 1);
    CHECK(s.errors == 1);
    CHECK(s.in_flight == 0);
}

TEST_CASE("service: no reply by the deadline is a timeout; the late reply is dropped") {
    auto b = std::make_shared<held_backend>();
    authorizer_service svc{b, {.deadline = 50ms}};
    waiter w;
    svc.authorize("{}", w.cb());
    const auto r = w.get();
    CHECK(r.outcome == authorization_outcome::timeout);
    CHECK_FALSE(r.allowed());
    // Not a speed check: the deadline runs from authorize(), so a timeout can never come early.
    CHECK(r.queue_wait + r.call_time >= 50ms);
    // On a loaded machine the call may expire before the service thread starts it.
    if (b->calls() == 1) b->answer(0, body(allow_reply));  // must not call the completion a second time
    CHECK(svc.stats().timeouts == 1);
    CHECK(svc.stats().in_flight == 0);
}

TEST_CASE("service: bounded concurrency, bounded queue, overload denies without calling") {
    auto b = std::make_shared<held_backend>();
    authorizer_service svc{b, {.max_concurrency = 2, .max_queue = 1}};
    waiter w[4];
    for (auto& x : w) svc.authorize("{}", x.cb());
    const auto over = w[3].get();
    CHECK(over.outcome == authorization_outcome::overloaded);
    CHECK(over.reason.find("overloaded") != std::string::npos);
    b->wait_for_calls(2);
    CHECK(b->calls() == 2);  // the third waits in the queue
    CHECK(svc.stats().queued == 1);
    b->answer(0, body(allow_reply));
    CHECK(w[0].get().allowed());
    b->wait_for_calls(3);  // a freed slot starts the queued call
    b->answer(1, body(allow_reply));
    b->answer(2, body(allow_reply));
    CHECK(w[1].get().allowed());
    const auto third = w[2].get();
    CHECK(third.allowed());
    CHECK(svc.stats().overloaded == 1);
}

TEST_CASE("service: a queued call that waits past the deadline times out without being invoked") {
    // The backend holds the service thread inside invoke() (which a real backend must not
    // do) until both deadlines have passed; the service must then expire the queued call
    // rather than start it late.
    struct stalling_backend final : authorizer_backend {
        std::mutex m;
        std::condition_variable cv;
        bool entered = false, released = false;
        int calls = 0;
        void invoke(std::string, std::chrono::steady_clock::time_point, completion) override {
            std::unique_lock lock{m};
            ++calls;
            entered = true;
            cv.notify_all();
            cv.wait(lock, [&] { return released; });
        }
        std::string describe() const override { return "stalling"; }
    };
    auto b = std::make_shared<stalling_backend>();
    authorizer_service svc{b, {.deadline = 50ms, .max_concurrency = 1, .max_queue = 4}};
    waiter first, queued;
    svc.authorize("{}", first.cb());
    svc.authorize("{}", queued.cb());
    {
        std::unique_lock lock{b->m};
        b->cv.wait(lock, [&] { return b->entered; });
    }
    std::this_thread::sleep_for(60ms);  // let both deadlines pass while the service thread is held
    {
        std::lock_guard lock{b->m};
        b->released = true;
    }
    b->cv.notify_all();
    const auto r = queued.get();
    CHECK(r.outcome == authorization_outcome::timeout);
    CHECK(r.reason.find("still queued") != std::string::npos);
    const auto f = first.get();
    CHECK(f.outcome == authorization_outcome::timeout);
    CHECK(f.reason.find("did not answer") != std::string::npos);
    std::lock_guard lock{b->m};
    CHECK(b->calls == 1);
}

TEST_CASE("service: completions never run on the caller's thread, even for inline backends") {
    auto b = std::make_shared<static_backend>(std::vector<static_credential>{});
    authorizer_service svc{b};
    std::promise<std::thread::id> where;
    svc.authorize(R"({"protocolData":{"mqtt":{"username":"u","password":"cA=="}}})",
                  [&](authorization_result r) {
                      CHECK(r.outcome == authorization_outcome::denied);
                      where.set_value(std::this_thread::get_id());
                  });
    auto f = where.get_future();
    REQUIRE(f.wait_for(10s) == std::future_status::ready);
    CHECK(f.get() != std::this_thread::get_id());
}

TEST_CASE("service: destruction completes pending calls with shut_down") {
    auto b = std::make_shared<held_backend>();
    waiter in_flight, queued;
    {
        authorizer_service svc{b, {.max_concurrency = 1}};
        svc.authorize("{}", in_flight.cb());
        svc.authorize("{}", queued.cb());
        b->wait_for_calls(1);
    }
    CHECK(in_flight.get().outcome == authorization_outcome::shut_down);
    CHECK(queued.get().outcome == authorization_outcome::shut_down);
    b->answer(0, body(allow_reply));  // a reply after the service is gone is ignored
}

TEST_CASE("service: many concurrent callers, every completion exactly once") {
    auto b = std::make_shared<static_backend>(std::vector<static_credential>{
        {.username = "u", .password = "p", .principal_id = "p1",
         .policy_documents = {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]})"}}});
    authorizer_service svc{b, {.max_concurrency = 4, .max_queue = 100000}};
    std::atomic<int> allowed{0}, total{0};
    std::promise<void> all_done;
    constexpr int per_thread = 500, threads = 4;
    std::vector<std::thread> callers;
    for (int t = 0; t < threads; ++t)
        callers.emplace_back([&] {
            for (int i = 0; i < per_thread; ++i)
                svc.authorize(R"({"protocolData":{"mqtt":{"username":"u?x=1","password":"cA=="}}})",
                              [&](authorization_result r) {
                                  if (r.allowed()) ++allowed;
                                  if (++total == per_thread * threads) all_done.set_value();
                              });
        });
    for (auto& c : callers) c.join();
    REQUIRE(all_done.get_future().wait_for(30s) == std::future_status::ready);
    CHECK(allowed == per_thread * threads);
}
