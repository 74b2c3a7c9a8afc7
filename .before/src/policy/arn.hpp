#pragma once
// ARNs of the IoT data-plane resources (spec 4.2). Topic ARNs keep `$`, `+` and `#` literally.
#include <string>
#include <string_view>

namespace wv::policy {

struct arn_scope {
    std::string region = "us-east-1";
    std::string account = "123456789012";
};

std::string client_arn(const arn_scope& s, std::string_view client_id);        // ...:client/<id>
std::string topic_arn(const arn_scope& s, std::string_view topic);             // ...:topic/<t>
std::string topicfilter_arn(const arn_scope& s, std::string_view filter);      // ...:topicfilter/<f>

// "arn:<partition>:<service>:<region>:<account>:<resource>" with a non-empty partition,
// service and resource (region and account may be empty or wildcards), or exactly "*".
bool looks_like_arn(std::string_view s);

}  // namespace wv::policy
