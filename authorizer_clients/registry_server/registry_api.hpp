#pragma once
// The HTTP API of the local things registry, without sockets: one request line in, one
// response out, in AWS IoT's REST-JSON shapes (botocore's iot 2015-05-28 model), so boto3's
// `iot` client parses the answers as it would AWS's.
//
//   GET /things?attributeName=&attributeValue=&thingTypeName=&usePrefixAttributeValue=
//              &maxResults=1..250&nextToken=          ListThings
//   GET /things/<thingName>                           DescribeThing
//
// Errors carry AWS's error type both in the x-amzn-ErrorType header and the JSON body:
//   400 InvalidRequestException (bad maxResults, bad nextToken), 404 ResourceNotFoundException
//   (no such thing, or an unknown path), 405 for methods other than GET.
//
// Pure; thread-safe with a const registry.
#include <string>
#include <string_view>

#include "authorizer_clients/registry_server/things_registry.hpp"

namespace wv::registry {

struct api_options {
    std::string region = "us-east-1";         // for thing ARNs
    std::string account_id = "123456789012";  // for thing ARNs
};

struct api_response {
    unsigned status = 200;
    std::string body;        // JSON
    std::string error_type;  // x-amzn-ErrorType when status >= 400
};

api_response handle_request(std::string_view method, std::string_view target, const things_registry& registry,
                            const api_options& options);

// Percent-decoding; '+' becomes a space when form_encoded (query strings). Bad escapes stay as written.
std::string percent_decode(std::string_view s, bool form_encoded);

}  // namespace wv::registry
