#pragma once
// A small client of the AWS IoT control-plane API (wvgate's `control_plane:` listener, or the
// embedded gateway's): JSON over HTTP/1.1 on one kept-alive connection, SigV4-signed when
// credentials are given (wvgate verifies signatures only when it is configured with keys).
//
//   control_plane_client c({.url = "http://127.0.0.1:40001"});
//   auto r = c.call("POST", "/things/dev1", {}, nlohmann::json::object());
//   if (!r.ok()) throw std::runtime_error(r.describe());   // "CreateThing ...: 409 ResourceAlreadyExistsException: ..."
//
// Errors: call() throws std::runtime_error only when the server cannot be reached or answers
// something that is not HTTP (naming the URL); an API error is a result with its status, the
// `x-amzn-ErrorType` and the message.
// Threading: one client per thread (it owns one connection).
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sigv4/credentials.hpp"

namespace wv::sim {

struct control_plane_target {
    std::string url;                                // http://host:port
    std::optional<sigv4::credentials> credentials;  // none: unsigned
    std::string region = "us-east-1";               // the signature's scope
};

struct api_result {
    unsigned status = 0;
    std::string error_type;  // x-amzn-ErrorType without the ":..." suffix; empty on success
    nlohmann::json body;     // the parsed body (null when empty)
    bool ok() const { return status >= 200 && status < 300; }
    // "409 ResourceAlreadyExistsException: Thing dev1 already exists"
    std::string describe() const;
};

class control_plane_client {
public:
    explicit control_plane_client(control_plane_target t);
    ~control_plane_client();

    // `path` percent-encoded, without the query; `query` name/value pairs (encoded here);
    // extra headers (e.g. x-amzn-principal). A null body sends none.
    api_result call(const std::string& method, const std::string& path,
                    const std::vector<std::pair<std::string, std::string>>& query, const nlohmann::json& body,
                    const std::vector<std::pair<std::string, std::string>>& headers = {});

    std::uint64_t calls() const { return calls_; }

private:
    struct connection;
    control_plane_target t_;
    std::string host_, port_;
    std::unique_ptr<connection> conn_;
    std::uint64_t calls_ = 0;
};

// Credentials for signing: the environment's or the shared file's (sigv4::load_credentials),
// none when there are none (the control plane then must not verify signatures).
std::optional<sigv4::credentials> optional_credentials();

}  // namespace wv::sim
