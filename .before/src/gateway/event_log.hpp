#pragma once
// JSON-lines logs in the shape of AWS IoT's CloudWatch logs, so the same queries work:
//   {"timestamp":"2026-11-25 09:41:07.123","logLevel":"ERROR","traceId":"<connection id>",
//    "accountId":"123456789012","status":"Failure","eventType":"Connect","protocol":"MQTT",
//    "clientId":"d1","principalId":"dev1","sourceIp":"127.0.0.1","sourcePort":50512,
//    "reason":"AUTHORIZATION_FAILURE","details":"authorizer: principalId: ..."}
// eventType is one of Connect, Publish-In, Publish-Out, Subscribe, Unsubscribe, Disconnect,
// AuthorizerInvocation, Listener (gateway-level events).
//
// Threading: emit() may be called from any thread; each line is written whole (one mutex).
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "gateway/gateway_config.hpp"

namespace wv::gate {

class event_log {
public:
    using writer = std::function<void(std::string_view line)>;  // gets one line without '\n'

    // Writes to stderr.
    explicit event_log(log_level min_level = log_level::info, std::string account = "123456789012");
    event_log(log_level min_level, std::string account, writer w);

    bool enabled(log_level l) const noexcept { return l >= min_ && min_ != log_level::off; }
    // Adds timestamp, logLevel and accountId to `fields` and writes the line.
    void emit(log_level l, nlohmann::json fields);

private:
    log_level min_;
    std::string account_;
    writer write_;
    std::mutex mu_;
};

const char* to_string(log_level l) noexcept;

}  // namespace wv::gate
