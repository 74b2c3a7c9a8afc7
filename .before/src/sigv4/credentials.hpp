#pragma once
// AWS credentials the way the AWS CLI and SDKs find them, minus the network providers:
//   1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) in the environment;
//   2. the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials),
//      section AWS_PROFILE (default "default"): aws_access_key_id, aws_secret_access_key,
//      aws_session_token.
// Instance roles, SSO and credential_process are not supported: say so rather than guess.
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

namespace wv::sigv4 {

struct credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;  // empty for long-term keys
    std::string source;         // where they came from, for diagnostics ("environment", "~/.aws/credentials [p]")
};

// Never prints the secret or the token.
std::ostream& operator<<(std::ostream& os, const credentials& c);

struct credential_lookup {
    std::optional<std::string> profile{};               // overrides AWS_PROFILE
    std::optional<std::filesystem::path> shared_file{}; // overrides AWS_SHARED_CREDENTIALS_FILE
};

// Finds credentials as described above. Throws std::runtime_error naming every place it
// looked when none are found, or the file and line of a malformed credentials file.
// Reads the environment: call at start-up, not on a per-request path.
credentials load_credentials(const credential_lookup& lookup = {});

// Parses one profile out of a shared credentials file's text; nullopt when the profile is
// absent or lacks a key id or secret. `origin` names the file in error messages.
std::optional<credentials> parse_credentials_file(const std::string& text, const std::string& profile,
                                                  const std::string& origin);

}  // namespace wv::sigv4
