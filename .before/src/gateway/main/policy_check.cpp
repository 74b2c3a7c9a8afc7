#include "policy_check.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "policy/arn.hpp"
#include "policy/evaluate.hpp"

namespace wv::gate {

int run_policy_check(const policy_check_options& o, std::ostream& out, std::ostream& err) {
    std::vector<policy::policy> pols;
    for (const auto& f : o.policy_files) {
        std::ifstream in(f);
        if (!in) {
            err << "wvgate policy-check: " << f << ": cannot read\n";
            return 2;
        }
        std::stringstream ss;
        ss << in.rdbuf();
        auto p = policy::parse_policy(std::string_view(ss.str()));
        if (!p.ok()) {
            err << "wvgate policy-check: " << f << ": " << p.error << "\n";
            return 2;
        }
        pols.push_back(std::move(*p.value));
    }
    const policy::arn_scope scope{o.region, o.account};
    std::string arn = o.resource;
    if (arn.rfind("arn:", 0) != 0 && arn != "*") {
        const auto slash = arn.find('/');
        const auto kind = arn.substr(0, slash);
        const auto rest = slash == std::string::npos ? std::string() : arn.substr(slash + 1);
        if (kind == "client") arn = policy::client_arn(scope, rest);
        else if (kind == "topic") arn = policy::topic_arn(scope, rest);
        else if (kind == "topicfilter") arn = policy::topicfilter_arn(scope, rest);
        else {
            err << "wvgate policy-check: --resource: expected an ARN or client/..., topic/..., topicfilter/...\n";
            return 2;
        }
    }
    policy::request req;
    req.action = o.action;
    req.resource = arn;
    req.context.client_id = o.client_id;
    if (!o.source_ip.empty()) req.context.source_ip = o.source_ip;
    if (!o.domain_name.empty()) req.context.domain_name = o.domain_name;
    if (o.persistent) req.context.connect_attributes.push_back("PersistentConnect");
    if (!o.will_topic.empty()) {
        req.context.connect_attributes.push_back("LastWill");
        req.context.last_will_topic = policy::topic_arn(scope, o.will_topic);
    }
    const auto e = policy::evaluate(pols, req);
    if (o.json) {
        nlohmann::json j = {{"action", o.action}, {"resource", arn}, {"decision", policy::to_string(e.result)},
                            {"allowed", e.allowed()}, {"reason", e.reason}, {"notes", e.notes}};
        if (e.matched) {
            j["policy"] = o.policy_files.at(e.matched->policy_index);
            j["statement"] = e.matched->statement_index;
        }
        out << j.dump(2) << "\n";
    } else {
        out << (e.allowed() ? "ALLOW" : "DENY") << " (" << policy::to_string(e.result) << ") " << o.action << " on "
            << arn << "\n  " << e.reason << "\n";
        if (e.matched)
            out << "  deciding statement: " << o.policy_files.at(e.matched->policy_index) << " Statement["
                << e.matched->statement_index << "]\n";
        for (const auto& n : e.notes) out << "  note: " << n << "\n";
    }
    return e.allowed() ? 0 : 1;
}

}  // namespace wv::gate
