#pragma once
// `wvgate policy-check`: evaluates IoT policy documents for one request, offline, with the
// same engine the gateway uses (src/policy), and prints the decision and the deciding
// statement. Returns the exit code: 0 allowed, 1 denied, 2 bad input.
#include <iosfwd>
#include <string>
#include <vector>

namespace wv::gate {

struct policy_check_options {
    std::vector<std::string> policy_files;
    std::string action;
    std::string resource;  // full ARN or client/..., topic/..., topicfilter/...
    std::string client_id;
    std::string source_ip;
    std::string domain_name;
    std::string region = "us-east-1";
    std::string account = "123456789012";
    bool persistent = false;
    std::string will_topic;
    bool json = false;
};

int run_policy_check(const policy_check_options& o, std::ostream& out, std::ostream& err);

}  // namespace wv::gate
