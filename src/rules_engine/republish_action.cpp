#include "rules_engine/republish_action.hpp"

#include <charconv>

#include "util/base64.hpp"

namespace wv::rules_engine {

republish_action::republish_action(republish_action_config cfg, rules::sql_version v, republish_fn publish)
    : cfg_(std::move(cfg)), topic_(cfg_.topic, v), publish_(std::move(publish)) {
    if (!cfg_.headers) return;
    const auto& h = *cfg_.headers;
    auto& t = headers_.emplace();
    const auto compile = [v](const std::string& text, std::optional<topic_template>& into) {
        if (!text.empty()) into.emplace(text, v);
    };
    compile(h.payload_format_indicator, t.payload_format_indicator);
    compile(h.content_type, t.content_type);
    compile(h.response_topic, t.response_topic);
    compile(h.correlation_data, t.correlation_data);
    compile(h.message_expiry, t.message_expiry);
    for (const auto& [k, val] : h.user_properties) t.user_properties.emplace_back(topic_template(k, v), topic_template(val, v));
}

std::string republish_action::expand_headers(const rules::message& m, republish_request& r) const {
    const auto& t = *headers_;
    auto& p = r.properties;
    // An expansion that comes out empty (an Undefined substitution) leaves the header out.
    const auto text = [&m](const std::optional<topic_template>& tt) -> std::optional<std::string> {
        if (!tt) return std::nullopt;
        auto s = tt->expand(m);
        if (s.empty()) return std::nullopt;
        return s;
    };
    if (const auto f = text(t.payload_format_indicator)) {
        p.payload_format_indicator = rules::payload_format_indicator_named(*f);
        if (!p.payload_format_indicator) return "headers.payloadFormatIndicator '" + *f + "' is not UNSPECIFIED_BYTES or UTF8_DATA";
    }
    p.content_type = text(t.content_type);
    p.response_topic = text(t.response_topic);
    if (p.response_topic && p.response_topic->find_first_of("+#") != std::string::npos)
        return "headers.responseTopic '" + *p.response_topic + "' contains a wildcard";
    if (const auto c = text(t.correlation_data)) {
        auto bytes = util::base64_decode(*c);
        if (!bytes) return "headers.correlationData '" + *c + "' is not base64";
        p.correlation_data = std::move(*bytes);
    }
    if (const auto e = text(t.message_expiry)) {
        std::uint32_t s = 0;
        const auto [end, ec] = std::from_chars(e->data(), e->data() + e->size(), s);
        if (ec != std::errc{} || end != e->data() + e->size())
            return "headers.messageExpiry '" + *e + "' is not a number of seconds";
        r.message_expiry_s = s;
    }
    for (const auto& [k, v] : t.user_properties) p.user_properties.emplace_back(k.expand(m), v.expand(m));
    return {};
}

void republish_action::run(input_ptr in, completion done) {
    if (!publish_) return done("no gateway attached to publish to");
    republish_request r;
    r.topic = topic_.expand(*in->message);
    // MQTT forbids wildcards in a PUBLISH topic and an empty one; a template whose
    // substitutions produced either would be refused by the broker anyway.
    if (r.topic.empty()) return done("topic template '" + cfg_.topic + "' expanded to an empty topic");
    if (r.topic.find_first_of("+#") != std::string::npos)
        return done("topic '" + r.topic + "' (from '" + cfg_.topic + "') contains a wildcard");
    if (headers_)
        if (auto e = expand_headers(*in->message, r); !e.empty()) return done(std::move(e));
    r.payload = in->output.raw ? *in->output.raw : output_json_text(in->output);
    r.qos = cfg_.qos;
    r.rule = in->rule;
    r.republish_hops = in->message->republish_hops + 1;
    try {
        done(publish_(std::move(r)));
    } catch (const std::exception& e) {
        done(std::string("publish failed: ") + e.what());
    }
}

std::string republish_action::describe() const { return "republish " + cfg_.topic; }

}  // namespace wv::rules_engine
