#pragma once
// A built-in authorizer backed by a device registry: the project's credentials CSV
// (auth/credentials_csv.hpp, config/credentials.md), one device per row:
//
//   akid,username,password,expected,policy_template
//   2453AC035CBCBC9A,dev1,s3cret,allow,
//   2453AC035CBCBC9B,dev1,sha256:9f86d081884c7d65...,allow,wavelet
//   2453AC035CBCBC9C,dev3,x,deny,
//
// - akid: the device's id, which Wavelets use as their MQTT client id. The registry finds a
//   device by the event's clientId, then checks the user name and password: user names may
//   be shared (Ayyeka's fleet shares one); an akid may appear once.
// - password: the literal password, or `sha256:<64 hex>` of it.
// - expected: `allow` or empty (the registry lets the device in), `deny` (a device the
//   registry knows but refuses: isAuthenticated false) or `invalid_response` (the registry
//   answers `null`, as a Lambda that crashed does). wvauthz test and wvsim use the column as
//   the expected outcome.
// - policy_template: a name from registry_options::policy_templates; default "default".
// Other columns of the format (authorizer, server_name, publish, subscribe) are ignored here.
//
// Templates are JSON texts with placeholders {{akid}}, {{client_id}}, {{username}},
// {{region}}, {{account}}. The built-in "default" template allows iot:Connect on
// client/{{akid}}, and iot:Publish/iot:Receive on topic/wv/{{akid}}/* and iot:Subscribe on
// topicfilter/wv/{{akid}}/*: what a Wavelet needs.
//
// The principalId is the akid with every non-alphanumeric character removed (AWS requires
// [a-zA-Z0-9]{1,128}; the AWS SA sample strips them the same way).
//
// Errors: load_registry_csv() throws std::runtime_error "<file>:<line>: <problem>".
// Threading: immutable after construction; invoke() completes inline.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "auth/authorizer_backend.hpp"
#include "auth/credentials_csv.hpp"

namespace wv::auth {

struct registry_device {
    std::string akid{};
    std::string username{};
    std::string password{};          // literal, or empty when password_sha256 is set
    std::string password_sha256{};   // lower-case hex, or empty
    expected_outcome expected = expected_outcome::allow;  // never none: empty reads as allow
    std::string policy_template = "default";
    int line = 0;                  // in the source file, for messages
};

std::vector<registry_device> parse_registry_csv(std::string_view text, const std::string& file_name);
std::vector<registry_device> load_registry_csv(const std::filesystem::path& file);

struct registry_options {
    std::string region = "us-east-1";
    std::string account = "123456789012";
    std::map<std::string, std::string> policy_templates{};  // "default" is built in unless given
    std::int64_t refresh_after_s = 86'400;
    std::int64_t disconnect_after_s = 86'400;
};

class registry_backend final : public authorizer_backend {
public:
    // Throws std::invalid_argument when a device names an unknown template.
    registry_backend(std::vector<registry_device> devices, registry_options o = {});
    void invoke(std::string event_json, std::chrono::steady_clock::time_point deadline,
                completion done) override;
    std::string describe() const override;
    backend_reply answer(const std::string& event_json) const;
    const std::vector<registry_device>& devices() const { return devices_; }

private:
    std::vector<registry_device> devices_{};
    registry_options options_{};
    std::map<std::string, std::size_t> by_akid_{};
};

// Compares secrets without an early exit, so response time does not reveal how much of a
// guessed password matched (the length still shows, as in every such comparison).
bool secrets_equal(std::string_view a, std::string_view b);

// Replaces every {{name}} present in `vars`; unknown placeholders are left untouched.
std::string expand_template(std::string_view text, const std::map<std::string, std::string>& vars);

}  // namespace wv::auth
