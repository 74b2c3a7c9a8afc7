#include <string>

#include "gateway/gateway.hpp"

namespace wv::gate {

std::string own_topics_policy(const std::string& prefix) {
    // `*` for region and account: the same document works whatever the gateway is configured
    // with. ${iot:ClientId} is resolved per connection by the policy engine.
    const std::string topic = "arn:aws:iot:*:*:topic/" + prefix + "/${iot:ClientId}/*";
    const std::string filter = "arn:aws:iot:*:*:topicfilter/" + prefix + "/${iot:ClientId}/*";
    return R"({"Version":"2012-10-17","Statement":[)"
           R"({"Effect":"Allow","Action":"iot:Connect","Resource":"arn:aws:iot:*:*:client/*"},)"
           R"({"Effect":"Allow","Action":["iot:Publish","iot:Receive"],"Resource":")" + topic + R"("},)"
           R"({"Effect":"Allow","Action":"iot:Subscribe","Resource":")" + filter + R"("}]})";
}

std::string allow_all_policy() {
    return R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]})";
}

}  // namespace wv::gate
