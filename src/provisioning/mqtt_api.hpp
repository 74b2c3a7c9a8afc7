#pragma once
// The fleet-provisioning MQTT API's wire (developer guide, fleet-provision-api.html), pure:
// which request a topic names, the reply topics, and the payloads in `json` or `cbor`.
//
//   $aws/certificates/create/<fmt>                          CreateKeysAndCertificate
//   $aws/certificates/create-from-csr/<fmt>                 CreateCertificateFromCsr
//   $aws/provisioning-templates/<name>/provision/<fmt>      RegisterThing
//   replies on <request topic>/accepted and <request topic>/rejected, in the request's format;
//   a rejection is {"statusCode": int, "errorCode": string, "errorMessage": string}.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

namespace wv::provisioning {

enum class operation { create_keys_and_certificate, create_certificate_from_csr, register_thing };
enum class payload_format { json, cbor };

struct request_topic {
    operation op;
    payload_format format;
    std::string template_name;  // register_thing only
};

// The request a topic names; nullopt for anything else (a reply topic, a typo, another format).
std::optional<request_topic> parse_request_topic(std::string_view topic);

// A rejection as AWS sends it.
struct api_error {
    int status_code = 400;
    std::string error_code;
    std::string message;
};

// The request payload as a JSON object (CBOR decoded); an api_error when it does not decode or
// is not an object (an empty payload is an empty object: CreateKeysAndCertificate sends none).
std::variant<nlohmann::json, api_error> decode_payload(std::string_view payload, payload_format f);
// A reply in the request's format.
std::string encode_payload(const nlohmann::json& body, payload_format f);
nlohmann::json error_body(const api_error& e);

// The string-to-string map under `key` (RegisterThing's "parameters"); an api_error naming the
// key when it is not one.
std::variant<std::map<std::string, std::string>, api_error> string_map(const nlohmann::json& body, const char* key);

}  // namespace wv::provisioning
