#pragma once
// The `lambda` action: invokes a function asynchronously, as AWS does, with the SELECT output
// as the event. The function is any authorizer-style backend (Lambda's Invoke API over HTTP,
// or a local python/node handler). The function's return value is ignored; its errors,
// crashes and timeouts fail the action with the backend's reason.
//
// A `SELECT *` of a binary payload has no JSON event to send: the run fails with a hint to
// use encode(*, 'base64').
#include <memory>

#include "auth/authorizer_backend.hpp"
#include "rules_engine/action.hpp"
#include "rules_engine/engine_config.hpp"

namespace wv::rules_engine {

class lambda_action final : public action {
public:
    lambda_action(std::chrono::milliseconds timeout, std::string description,
                  std::shared_ptr<auth::authorizer_backend> backend);
    void run(input_ptr in, completion done) override;
    std::string describe() const override;

private:
    std::chrono::milliseconds timeout_;
    std::string description_;
    std::shared_ptr<auth::authorizer_backend> backend_;  // last: destroyed first, failing pending calls
};

// "python:decoder.py (2 workers)" / "lambda http://127.0.0.1:9001 fn=decoder"
std::string describe_function(const backends::backend_spec& s);

}  // namespace wv::rules_engine
