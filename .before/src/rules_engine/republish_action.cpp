#include "rules_engine/republish_action.hpp"

namespace wv::rules_engine {

republish_action::republish_action(republish_action_config cfg, rules::sql_version v, republish_fn publish)
    : cfg_(std::move(cfg)), topic_(cfg_.topic, v), publish_(std::move(publish)) {}

void republish_action::run(input_ptr in, completion done) {
    if (!publish_) return done("no gateway attached to publish to");
    republish_request r;
    r.topic = topic_.expand(*in->message);
    // MQTT forbids wildcards in a PUBLISH topic and an empty one; a template whose
    // substitutions produced either would be refused by the broker anyway.
    if (r.topic.empty()) return done("topic template '" + cfg_.topic + "' expanded to an empty topic");
    if (r.topic.find_first_of("+#") != std::string::npos)
        return done("topic '" + r.topic + "' (from '" + cfg_.topic + "') contains a wildcard");
    r.payload = in->output.raw ? *in->output.raw : output_json_text(in->output);
    r.qos = cfg_.qos;
    r.rule = in->rule;
    try {
        done(publish_(std::move(r)));
    } catch (const std::exception& e) {
        done(std::string("publish failed: ") + e.what());
    }
}

std::string republish_action::describe() const { return "republish " + cfg_.topic; }

}  // namespace wv::rules_engine
