#pragma once
// The `republish` action: publishes the SELECT output back through the gateway, on a topic
// built from a substitution template. The gateway supplies the publish function
// (engine_hooks::republish); without one every run fails with "no gateway attached".
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "rules_engine/action.hpp"
#include "rules_engine/engine_config.hpp"
#include "rules_engine/topic_template.hpp"

namespace wv::rules_engine {

struct republish_request {
    std::string topic;
    std::string payload;  // JSON text, or the raw bytes of a `SELECT *` on a binary payload
    std::uint8_t qos = 0;
    std::string rule;     // the rule that produced it
    // The action's MQTT 5 headers, expanded (republish_headers; all empty without them).
    rules::mqtt5_properties properties{};
    std::optional<std::uint32_t> message_expiry_s{};
    // Republish actions this message has been through, this one included (the input's + 1).
    std::uint32_t republish_hops = 1;
};
// Called on an engine worker thread; must hand the message over (post to the broker) and
// return without blocking. An empty string is success, anything else the reason it failed.
using republish_fn = std::function<std::string(republish_request)>;

class republish_action final : public action {
public:
    // Throws std::invalid_argument for a bad topic template.
    republish_action(republish_action_config cfg, rules::sql_version v, republish_fn publish);
    void run(input_ptr in, completion done) override;
    std::string describe() const override;

private:
    // The headers' templates, compiled once; empty ones are absent.
    struct header_templates {
        std::optional<topic_template> payload_format_indicator, content_type, response_topic, correlation_data,
            message_expiry;
        std::vector<std::pair<topic_template, topic_template>> user_properties;
    };
    // Expands the headers into r; an error message when one does not make a valid header.
    std::string expand_headers(const rules::message& m, republish_request& r) const;

    republish_action_config cfg_;
    topic_template topic_;
    std::optional<header_templates> headers_;
    republish_fn publish_;
};

}  // namespace wv::rules_engine
