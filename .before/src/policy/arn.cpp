#include "policy/arn.hpp"

namespace wv::policy {

namespace {
std::string prefix(const arn_scope& s) { return "arn:aws:iot:" + s.region + ":" + s.account + ":"; }
}  // namespace

std::string client_arn(const arn_scope& s, std::string_view id) { return prefix(s) + "client/" + std::string(id); }
std::string topic_arn(const arn_scope& s, std::string_view t) { return prefix(s) + "topic/" + std::string(t); }
std::string topicfilter_arn(const arn_scope& s, std::string_view f) {
    return prefix(s) + "topicfilter/" + std::string(f);
}

bool looks_like_arn(std::string_view s) {
    if (s == "*") return true;
    if (!s.starts_with("arn:")) return false;
    // arn:partition:service:region:account:resource; the resource may itself contain ':'.
    std::size_t pos = 0;
    std::string_view parts[5];
    for (int i = 0; i < 5; ++i) {
        const auto colon = s.find(':', pos);
        if (colon == std::string_view::npos) return false;
        parts[i] = s.substr(pos, colon - pos);
        pos = colon + 1;
    }
    const auto resource = s.substr(pos);
    return !parts[1].empty() && !parts[2].empty() && !resource.empty();
}

}  // namespace wv::policy
