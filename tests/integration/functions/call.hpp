#pragma once
// Helpers for function backend tests: one backend call waited for, and AWS-shaped events.
#include <chrono>
#include <string>

#include "auth/authorizer_backend.hpp"

namespace wv::test {

// Invokes and waits. The backend enforces `timeout` itself; the test only adds a margin so a
// broken backend cannot hang it (then detail starts with "TEST:").
auth::backend_reply call(auth::authorizer_backend& b, const std::string& event,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

// A realistic MQTT authorizer event (AWS's shape) for a username/password/client id.
std::string mqtt_event(const std::string& username, const std::string& password, const std::string& client_id);

const char* errc_name(auth::backend_errc e);

}  // namespace wv::test
