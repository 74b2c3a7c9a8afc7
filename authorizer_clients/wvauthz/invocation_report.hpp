#pragma once
// One authorizer call as `wvauthz invoke` shows it: the reply, AWS's validation rule by rule,
// the policy statements, the latency, and what the device would see at CONNECT (the reply is
// allowed AND its policies allow iot:Connect on the device's client id).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "auth/authorizer_service.hpp"
#include "auth/connect_verdict.hpp"
#include "policy/arn.hpp"
#include "policy/evaluate.hpp"
#include "policy/policy.hpp"
#include "policy/scope_check.hpp"

namespace wv::wvauthz {

struct invocation {
    std::string event_json{};
    std::string client_id{}, server_name{};
    // An HTTPS publish's event (protocols without "mqtt"): the device sees an HTTP answer and
    // iot:Publish on `topic` decides, not iot:Connect.
    bool http_publish = false;
    std::optional<std::string> topic{};
    std::optional<policy::evaluation> publish{};  // iot:Publish on `topic` (HTTPS publish, allowed)
    auth::authorization_result result{};
    auth::connect_verdict verdict{};             // what the device sees (auth/connect_verdict.hpp)
    bool device_connects() const {
        if (http_publish) return result.allowed() && (!publish || publish->allowed());
        return verdict.connects();
    }
};

// Sends the event through `svc` and waits for the outcome (at most the service's deadline).
// `topic`: for an HTTPS publish event, the topic whose iot:Publish decides.
invocation invoke_once(auth::authorizer_service& svc, std::string event_json, const policy::arn_scope& scope,
                       std::optional<std::string> topic = std::nullopt);

// iot:Publish on a topic / iot:Subscribe on a topic filter, under the reply's policies.
policy::evaluation check_publish(const invocation& inv, const policy::arn_scope& scope, const std::string& topic);
policy::evaluation check_subscribe(const invocation& inv, const policy::arn_scope& scope, const std::string& filter);

// 0 the device connects (HTTPS publish: the request is accepted), 1 denied (a valid no),
// 3 invalid reply, backend error or timeout.
int exit_code(const invocation& inv);
std::string outcome_word(const invocation& inv);  // auth::to_string(connect_outcome)

// Where wvauthz takes the ARNs' region/account from: the fix named by a scope mismatch.
const policy::scope_settings& wvauthz_scope_settings();

nlohmann::json to_json(const invocation& inv, const std::string& backend);
std::string to_text(const invocation& inv, const std::string& backend);

}  // namespace wv::wvauthz
