#pragma once
// IAM-style credentials the gateway accepts for SigV4 on the data plane (MQTT over WebSocket
// with a presigned URL, HTTPS publish with an Authorization header), each with the IAM policy
// documents that decide iot:Connect / Publish / Subscribe / Receive for it, as IAM policies
// attached to a user or role do on AWS (spec 3.1, 4).
//
// wvgate's config (`iam:` section, see config/ and the gateway README):
//
//   iam:
//     - access_key_id: AKIDEXAMPLE
//       secret_access_key: wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
//       session_token: ...            # optional: then requests must carry X-Amz-Security-Token
//       principal: arn:aws:iam::123456789012:user/fleet   # optional, for logs; default the key id
//       policy: { "Version": "2012-10-17", "Statement": [ ... ] }   # or policies: [ ... ]
//
// Construction validates (throws std::invalid_argument listing every problem, each prefixed
// with `iam[<i>]`); after that the object is immutable and thread-safe.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy_set_cache.hpp"

namespace wv::auth {

struct iam_key_config {
    std::string access_key_id{};                  // AWS shape: 16-128 characters [A-Z0-9]
    std::string secret_access_key{};              // never logged
    std::string session_token{};                  // empty: long-term key (no X-Amz-Security-Token expected)
    std::string principal{};                      // empty: the access key id
    std::vector<std::string> policy_documents{};  // JSON text, each an IAM/IoT policy
};

struct iam_key {
    std::string access_key_id{};
    std::string secret_access_key{};
    std::string session_token{};
    std::string principal{};
    policy::shared_policy_set policies{};  // parsed once, shared by every connection using the key
};

class iam_keys {
public:
    iam_keys() = default;
    explicit iam_keys(std::vector<iam_key_config> keys);

    // nullptr when no key has that id.
    const iam_key* find(std::string_view access_key_id) const;
    std::size_t size() const noexcept { return keys_.size(); }
    bool empty() const noexcept { return keys_.empty(); }

private:
    std::vector<iam_key> keys_{};
};

}  // namespace wv::auth
