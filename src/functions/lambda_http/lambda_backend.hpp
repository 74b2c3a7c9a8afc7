#pragma once
// The `lambda` backend: Lambda's Invoke API,
//   POST <url>/2015-03-31/functions/<function>/invocations[?Qualifier=q]
// at any URL: the Lambda runtime interface emulator or a user's shim over http://, or real AWS
// Lambda over https:// with SigV4 (service "lambda").
//
//   auto b = wv::lambda_http::make_lambda_backend({.url = "http://127.0.0.1:9001", .function = "auth"});
//
// Connections are kept alive and pooled: at most max_connections are open; calls beyond that
// wait (bounded by max_queue, then `overloaded`). A reused connection that the server closed
// while idle is retried once on a fresh one (the request never reached the function).
// Outcomes map as invoke_response.hpp says, plus: no connection -> transport ("connect
// 127.0.0.1:9001: Connection refused"); no answer by the deadline -> timeout (the connection
// is dropped: a late answer must not be read as the next call's).
//
// Threading: invoke() from any thread; completions run on the backend's single I/O thread
// and must not block. The destructor fails pending calls with transport ("backend stopped"),
// closes every connection and joins the thread (or, when dropped inside one of its own
// completions, lets the thread finish on its own).
// Errors at construction (std::invalid_argument): a bad URL, no region for signing, no
// credentials when signing is required (the message says where it looked).
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "auth/authorizer_backend.hpp"
#include "sigv4/credentials.hpp"

namespace wv::lambda_http {

enum class signing { automatic, always, never };  // automatic: sign https:// only

struct lambda_options {
    std::string url{};             // http://host:port[/base] or https://lambda.<region>.amazonaws.com
    std::string function{};        // name, partial or full ARN (URL-encoded on the wire)
    std::string qualifier{};       // version or alias; empty: $LATEST
    std::string region{};          // for SigV4; default: from a lambda.<region>.amazonaws.com host, then AWS_REGION
    signing sign = signing::automatic;
    std::optional<sigv4::credentials> credentials{};  // default: sigv4::load_credentials() when signing
    std::size_t max_connections = 64;
    std::size_t max_queue = 10000;
    bool tail_logs = false;        // X-Amz-Log-Type: Tail; the last 4 KB of logs become log_lines
    std::filesystem::path ca_file{};  // https: extra CA bundle; default: the system store
    bool verify_tls = true;
    std::chrono::milliseconds connect_timeout{3000};
};

std::unique_ptr<auth::authorizer_backend> make_lambda_backend(lambda_options opts);

}  // namespace wv::lambda_http
