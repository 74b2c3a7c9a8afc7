#pragma once
// The `http` action: POSTs the SELECT output (output_json_text) as application/json to a URL,
// with Boost.Beast on the engine's io_context.
//
// Up to `connections` keep-alive connections deliver in parallel; requests beyond that wait in
// the action (the engine's queue bound covers them). Each request has one deadline covering
// connect, write and read. A request on a reused connection that the server closed while idle
// is retried once on a fresh one. Outcomes: 2xx is success; anything else fails the run with
// "HTTP 503 from http://..."; connect/IO errors and timeouts name the URL and the reason.
//
// Threading: run() from any thread; all state lives on one strand. Destroy only after the
// io_context has stopped running (the engine guarantees it).
#include <memory>

#include <boost/asio/io_context.hpp>

#include "rules_engine/action.hpp"
#include "rules_engine/engine_config.hpp"

namespace wv::rules_engine {

class http_action final : public action {
public:
    // Throws std::invalid_argument for a bad URL.
    http_action(http_action_config cfg, boost::asio::io_context& io);
    ~http_action() override;
    void run(input_ptr in, completion done) override;
    std::string describe() const override;

    struct state;

private:
    std::shared_ptr<state> s_;
};

}  // namespace wv::rules_engine
