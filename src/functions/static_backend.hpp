#pragma once
// A built-in authorizer with its credentials in config. It answers like a Lambda would:
// it reads AWS's event JSON and returns a reply JSON, which then goes through the same
// validation as any function's reply (authorizer_service), so config mistakes (a principal
// id with `-`, an 11th policy) are reported exactly as for a real authorizer.
//
// Matching: the user name's part before `?` and the decoded password must equal one entry's;
// when the entry has a client_id_pattern, the event's clientId must match it (`*` any run of
// characters, `?` one character). First matching entry wins; none means isAuthenticated
// false with principalId "anonymous".
//
// HTTPS publish events (no protocolData.mqtt): the event's `token` must equal an entry's
// password; a literal client_id_pattern then stands in for ${iot:ClientId} in its policies
// (the request carries no client id). wvsim's `--protocol https` devices send their password
// as the token.
//
// Policy documents may use placeholders replaced per call: {{client_id}}, {{username}},
// {{principal_id}}. (AWS policy variables such as ${iot:ClientId} are left for the policy
// engine, as AWS would.)
//
// Threading: immutable after construction; invoke() completes inline on the caller's thread,
// which the service allows (it never calls backends under its lock).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "auth/authorizer_backend.hpp"

namespace wv::auth {

struct static_credential {
    std::string username{};                      // the part before `?`
    std::string password{};                      // raw bytes as the device sends them
    std::optional<std::string> client_id_pattern{};
    std::string principal_id;                  // returned as is (validated like any reply)
    std::vector<std::string> policy_documents{}; // JSON texts, placeholders allowed
    std::optional<std::int64_t> refresh_after_s{};
    std::optional<std::int64_t> disconnect_after_s{};
};

class static_backend final : public authorizer_backend {
public:
    explicit static_backend(std::vector<static_credential> credentials);
    void invoke(std::string event_json, std::chrono::steady_clock::time_point deadline,
                completion done) override;
    std::string describe() const override;

    // The reply a Lambda with this config would give to `event_json` (no validation).
    // Malformed events produce a function_error reply, as a Lambda that raised would.
    backend_reply answer(const std::string& event_json) const;

private:
    backend_reply answer_token(const nlohmann::json& event) const;
    std::vector<static_credential> credentials_{};
};

// `*` any run of characters, `?` exactly one: the client id pattern syntax.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace wv::auth
