// MQTT 5 reason codes for AWS's disconnects and the PUBLISH properties passed to subscribers.
#include "gateway/mqtt5_properties.hpp"

#include "mqtt/property_builder.hpp"
#include "rules/rule.hpp"

namespace wv::gate {

std::optional<mqtt::reason_code> disconnect_code_for(disconnect_reason why) noexcept {
    using rc = mqtt::reason_code;
    switch (why) {
        case disconnect_reason::client_initiated_disconnect:
        case disconnect_reason::connection_lost: return std::nullopt;
        case disconnect_reason::duplicate_clientid: return rc::session_taken_over;
        case disconnect_reason::mqtt_keep_alive_timeout: return rc::keep_alive_timeout;
        case disconnect_reason::server_initiated_disconnect: return rc::server_shutting_down;
        case disconnect_reason::auth_error:
        case disconnect_reason::forbidden_access: return rc::not_authorized;
        case disconnect_reason::customauth_ttl_expiration:
        case disconnect_reason::websocket_ttl_expiration: return rc::maximum_connect_time;
        case disconnect_reason::throttled: return rc::message_rate_too_high;
        case disconnect_reason::server_error: return rc::unspecified_error;
        case disconnect_reason::client_error: return rc::protocol_error;
    }
    return rc::unspecified_error;
}

std::string forwarded_properties(const mqtt::properties& p) {
    using id = mqtt::property_id;
    mqtt::property_builder b;
    bool any = false;
    for (const auto& prop : p) {
        switch (prop.id) {
            case id::payload_format_indicator: b.add(prop.id, prop.number); break;
            case id::content_type:
            case id::response_topic: b.add(prop.id, prop.text); break;
            case id::correlation_data: b.add(prop.id, prop.binary); break;
            case id::user_property: b.add_user_property(prop.text, prop.value); break;
            default: continue;
        }
        any = true;
    }
    if (!any) return {};
    return std::string(mqtt::as_chars(b.view().bytes()));
}

std::string forwarded_properties(const rules::mqtt5_properties& p) {
    using id = mqtt::property_id;
    mqtt::property_builder b;
    if (p.payload_format_indicator) b.add(id::payload_format_indicator, *p.payload_format_indicator);
    if (p.content_type) b.add(id::content_type, *p.content_type);
    if (p.response_topic) b.add(id::response_topic, *p.response_topic);
    if (p.correlation_data) b.add(id::correlation_data, mqtt::as_bytes(*p.correlation_data));
    for (const auto& [k, v] : p.user_properties) b.add_user_property(k, v);
    return std::string(mqtt::as_chars(b.view().bytes()));
}

std::size_t user_properties_bytes(const mqtt::properties& p) noexcept {
    std::size_t n = 0;
    for (const auto& prop : p)
        if (prop.id == mqtt::property_id::user_property) n += prop.text.size() + prop.value.size();
    return n;
}

void read_rules_properties(std::string_view block, rules::mqtt5_properties& out) {
    using id = mqtt::property_id;
    for (const auto& prop : mqtt::properties{mqtt::as_bytes(block)}) {
        switch (prop.id) {
            case id::payload_format_indicator: out.payload_format_indicator = prop.number; break;
            case id::content_type: out.content_type.emplace(prop.text); break;
            case id::response_topic: out.response_topic.emplace(prop.text); break;
            case id::correlation_data: out.correlation_data.emplace(mqtt::as_chars(prop.binary)); break;
            case id::user_property: out.user_properties.emplace_back(prop.text, prop.value); break;
            default: break;
        }
    }
}

mqtt::byte_buffer outbound_properties(const message& m, std::chrono::steady_clock::time_point now,
                                      std::uint16_t alias) {
    mqtt::property_builder b;
    if (m.expires_at) {
        const auto left = std::chrono::ceil<std::chrono::seconds>(*m.expires_at - now).count();
        b.add(mqtt::property_id::message_expiry_interval, static_cast<std::uint32_t>(left < 1 ? 1 : left));
    }
    if (alias != 0) b.add(mqtt::property_id::topic_alias, alias);
    mqtt::byte_buffer out(b.view().bytes().begin(), b.view().bytes().end());
    const auto rest = mqtt::as_bytes(m.properties);
    out.insert(out.end(), rest.begin(), rest.end());
    return out;
}

std::string refused_connect_reason_string(std::string_view trace_id) {
    return "CONNACK:Client is not authenticated/authorized to send the message:" + std::string(trace_id);
}

}  // namespace wv::gate
