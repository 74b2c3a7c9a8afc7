// libFuzzer target: policy documents come from authorizers, i.e. from users' code.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "policy/arn.hpp"
#include "policy/evaluate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto r = wv::policy::parse_policy(text);
    if (!r.ok()) return 0;
    const wv::policy::arn_scope scope{};
    const wv::policy::request_context ctx{.client_id = "dev-1", .source_ip = "10.0.0.1", .domain_name = "h",
                                          .connect_attributes = {"LastWill"},
                                          .last_will_topic = wv::policy::topic_arn(scope, "wv/dev-1/will")};
    const std::span<const wv::policy::policy> ps{&*r.value, 1};
    (void)wv::policy::evaluate(ps, {"iot:Connect", wv::policy::client_arn(scope, "dev-1"), ctx});
    (void)wv::policy::evaluate(ps, {"iot:Publish", wv::policy::topic_arn(scope, "wv/dev-1/1/samp/p1"), ctx});
    (void)wv::policy::evaluate(ps, {"iot:Subscribe", wv::policy::topicfilter_arn(scope, "wv/+/#"), ctx});
    return 0;
}
