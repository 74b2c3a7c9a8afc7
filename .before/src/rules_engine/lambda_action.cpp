#include "rules_engine/lambda_action.hpp"

namespace wv::rules_engine {

std::string describe_function(const backends::backend_spec& s) {
    if (s.kind == backends::backend_kind::handler)
        return "handler " + s.handler.spec + " (" + std::to_string(s.handler.workers) + " workers)";
    if (s.kind == backends::backend_kind::lambda) return "lambda " + s.lambda.url + " fn=" + s.lambda.function;
    return backends::to_string(s.kind);
}

lambda_action::lambda_action(std::chrono::milliseconds timeout, std::string description,
                             std::shared_ptr<auth::authorizer_backend> backend)
    : timeout_(timeout), description_(std::move(description)), backend_(std::move(backend)) {}

void lambda_action::run(input_ptr in, completion done) {
    if (in->output.raw)
        return done("the Lambda action needs a JSON event; this SELECT * passes a binary payload through "
                    "(use encode(*, 'base64') AS data)");
    backend_->invoke(in->output.value.dump(-1, ' ', false, rules::json::error_handler_t::replace),
                     std::chrono::steady_clock::now() + timeout_, [done = std::move(done)](auth::backend_reply r) {
                         if (r.error == auth::backend_errc::none) return done({});
                         done(std::string(auth::to_string(r.error)) + (r.detail.empty() ? "" : ": " + r.detail));
                     });
}

std::string lambda_action::describe() const { return "lambda " + description_; }

}  // namespace wv::rules_engine
