#include "aws_warnings.hpp"

namespace wv::wvpub {

std::vector<std::string> aws_warnings(const pub_options& o) {
    std::vector<std::string> out;
    if (o.akid && o.topic && !o.topic->empty() && o.topic->front() == '/')
        out.push_back("Warning: topic '" + *o.topic + "' starts with '/': AWS IoT treats it as a topic other than '" +
                      o.topic->substr(1) + "', and IoT policies written for that one do not match it.\n");
    const auto host = o.effective_host();
    const std::string aws = "amazonaws.com";
    const bool is_aws = host.size() >= aws.size() && host.compare(host.size() - aws.size(), aws.size(), aws) == 0;
    if (is_aws && !o.id && !o.id_prefix)
        out.push_back("Warning: no client id (-i) for an AWS endpoint: the custom authorizer gets no "
                      "protocolData.mqtt.clientId and policies using ${iot:ClientId} match nothing.\n");
    return out;
}

}  // namespace wv::wvpub
