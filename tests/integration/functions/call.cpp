#include "call.hpp"

#include <future>

#include "util/base64.hpp"

namespace wv::test {

auth::backend_reply call(auth::authorizer_backend& b, const std::string& event, std::chrono::milliseconds timeout) {
    auto p = std::make_shared<std::promise<auth::backend_reply>>();
    auto f = p->get_future();
    b.invoke(event, std::chrono::steady_clock::now() + timeout, [p](auth::backend_reply r) { p->set_value(std::move(r)); });
    if (f.wait_for(timeout + std::chrono::seconds(10)) != std::future_status::ready)
        return {auth::backend_errc::none, "", "TEST: backend never completed", {}};
    return f.get();
}

std::string mqtt_event(const std::string& username, const std::string& password, const std::string& client_id) {
    return R"({"signatureVerified":false,"protocols":["tls","mqtt"],"protocolData":{"tls":{"serverName":"example-ats.iot.eu-central-1.amazonaws.com"},"mqtt":{"username":")" +
           username + R"(","password":")" + util::base64_encode(std::string_view(password)) + R"(","clientId":")" +
           client_id + R"("}},"connectionMetadata":{"id":"e7c3d5a2-1b7e-4f0c-9a52-7c1f0c8d1e11"}})";
}

const char* errc_name(auth::backend_errc e) {
    switch (e) {
        case auth::backend_errc::none: return "none";
        case auth::backend_errc::transport: return "transport";
        case auth::backend_errc::function_error: return "function_error";
        case auth::backend_errc::throttled: return "throttled";
        case auth::backend_errc::timeout: return "timeout";
        case auth::backend_errc::worker_crashed: return "worker_crashed";
        case auth::backend_errc::overloaded: return "overloaded";
        case auth::backend_errc::not_configured: return "not_configured";
    }
    return "?";
}

}  // namespace wv::test
