#pragma once
// Everything AWS IoT does for a custom-auth CONNECT (or HTTP request) before it invokes the
// function: parse the user name, pick the authorizer, find the token, verify its signature,
// build the event.
//
// Where the authorizer name, the token and the signature come from (spec 1.2, 1.3, 8.1): the
// MQTT user name's query; on the HTTP paths (connect_info::http set: HTTPS publish, MQTT over
// WebSocket) first the request headers (names case-insensitive), then the request's query
// parameters, then (WebSocket) the CONNECT user name. The first place that has a value wins.
// The gateway calls prepare() once per CONNECT and hands the event to the authorizer's
// backend (through authorizer_service); a refusal here means the function is NOT invoked,
// as in AWS (spec 1.1, 1.3).
//
// Construction validates the configuration and parses the public keys (throws
// std::invalid_argument listing every problem). After that the object is immutable and
// prepare() may be called concurrently from any thread.
#include <memory>
#include <string>

#include "auth/authorizer_config.hpp"
#include "auth/authorizer_event.hpp"
#include "auth/token_signature.hpp"

namespace wv::auth {

enum class prepare_errc {
    none = 0,
    username_malformed,   // e.g. a second `?` (observed: rejected without invocation)
    query_malformed,      // HTTP: a bad percent-escape in the request's query
    no_authorizer,        // see selection_errc
    authorizer_not_found,
    authorizer_inactive,
    credentials_present,
    missing_token,        // signing enabled: token absent
    missing_signature,    // signing enabled: signature absent
    bad_signature,        // signing enabled: not base64 or no key verifies it
};
const char* to_string(prepare_errc e) noexcept;

struct prepared_invocation {
    prepare_errc error = prepare_errc::none;
    std::string reason{};                              // one log line when error != none
    const authorizer_config* authorizer = nullptr;   // chosen one (when selection succeeded)
    std::optional<std::string> token{};
    bool signature_verified = false;
    std::string event_json{};                          // AWS's event (when error == none)
    bool ok() const { return error == prepare_errc::none; }
};

class custom_authorizers {
public:
    explicit custom_authorizers(endpoint_authorizers config);
    ~custom_authorizers();
    custom_authorizers(custom_authorizers&&) noexcept;
    custom_authorizers& operator=(custom_authorizers&&) noexcept;

    // `c.connection_id` should already be set (make_connection_id()); it is used as given.
    prepared_invocation prepare(const connect_info& c, bool presents_aws_credentials = false) const;

    const endpoint_authorizers& config() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_{};
};

}  // namespace wv::auth
