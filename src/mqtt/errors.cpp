#include "mqtt/errors.hpp"

namespace wv::mqtt {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "mqtt"; }

    std::string message(int v) const override {
        switch (static_cast<mqtt_errc>(v)) {
        case mqtt_errc::truncated: return "packet ends before its fields do";
        case mqtt_errc::remaining_length_too_long: return "remaining length or variable byte integer longer than 4 bytes";
        case mqtt_errc::packet_too_large: return "packet larger than the maximum packet size";
        case mqtt_errc::reserved_packet_type: return "reserved control packet type (0 or 15)";
        case mqtt_errc::reserved_flags: return "fixed header flags not the value the packet type requires";
        case mqtt_errc::bad_remaining_length: return "remaining length wrong for a fixed-size packet";
        case mqtt_errc::trailing_bytes: return "bytes after the last field of the packet";
        case mqtt_errc::utf8_malformed: return "string is not well-formed UTF-8";
        case mqtt_errc::utf8_overlong: return "string has an overlong UTF-8 encoding";
        case mqtt_errc::utf8_surrogate: return "string encodes a UTF-16 surrogate (U+D800..U+DFFF)";
        case mqtt_errc::utf8_null: return "string contains U+0000";
        case mqtt_errc::bad_protocol_name: return "CONNECT protocol name is not \"MQTT\"";
        case mqtt_errc::unacceptable_protocol_level: return "CONNECT protocol level is not 4 (MQTT 3.1.1)";
        case mqtt_errc::connect_reserved_flag: return "CONNECT reserved flag bit 0 is set";
        case mqtt_errc::will_qos_without_will: return "CONNECT will QoS is set without the will flag";
        case mqtt_errc::invalid_will_qos: return "CONNECT will QoS is 3";
        case mqtt_errc::will_retain_without_will: return "CONNECT will retain is set without the will flag";
        case mqtt_errc::password_without_user_name: return "CONNECT password flag is set without the user name flag";
        case mqtt_errc::empty_client_id_without_clean_session:
            return "CONNECT has an empty client id without clean session";
        case mqtt_errc::empty_topic_name: return "topic name is empty";
        case mqtt_errc::wildcard_in_topic_name: return "topic name contains a wildcard ('+' or '#')";
        case mqtt_errc::empty_topic_filter: return "topic filter is empty";
        case mqtt_errc::misplaced_multi_level_wildcard:
            return "'#' in a topic filter is not the last character or not a whole level";
        case mqtt_errc::misplaced_single_level_wildcard: return "'+' in a topic filter is not a whole level";
        case mqtt_errc::invalid_qos: return "PUBLISH QoS is 3";
        case mqtt_errc::dup_with_qos0: return "PUBLISH has DUP set with QoS 0";
        case mqtt_errc::zero_packet_id: return "packet identifier is 0";
        case mqtt_errc::subscribe_no_topics: return "SUBSCRIBE has no topic filters";
        case mqtt_errc::subscribe_invalid_qos: return "SUBSCRIBE requested QoS is 3";
        case mqtt_errc::subscribe_reserved_bits: return "SUBSCRIBE requested QoS byte has reserved bits set";
        case mqtt_errc::suback_no_return_codes: return "SUBACK has no return codes";
        case mqtt_errc::suback_invalid_return_code: return "SUBACK return code is not 0, 1, 2 or 0x80";
        case mqtt_errc::unsubscribe_no_topics: return "UNSUBSCRIBE has no topic filters";
        case mqtt_errc::connack_reserved_flags: return "CONNACK acknowledge flags bits 7-1 are set";
        case mqtt_errc::connack_invalid_return_code: return "CONNACK return code is over 5";
        case mqtt_errc::connack_session_present_with_error:
            return "CONNACK has session present with a non-zero return code";
        case mqtt_errc::string_too_long: return "string or binary field longer than 65535 bytes";
        case mqtt_errc::varint_not_minimal: return "variable byte integer not in its shortest encoding";
        case mqtt_errc::property_unknown: return "unknown MQTT 5 property identifier";
        case mqtt_errc::property_not_allowed: return "property not allowed in this packet";
        case mqtt_errc::property_length_mismatch: return "property runs past the property length";
        case mqtt_errc::property_duplicate: return "property included more than once";
        case mqtt_errc::property_bad_value: return "property value other than 0 or 1";
        case mqtt_errc::topic_alias_zero: return "topic alias is 0";
        case mqtt_errc::subscription_identifier_zero: return "subscription identifier is 0";
        case mqtt_errc::receive_maximum_zero: return "receive maximum is 0";
        case mqtt_errc::maximum_packet_size_zero: return "maximum packet size is 0";
        case mqtt_errc::authentication_data_without_method:
            return "authentication data without an authentication method";
        case mqtt_errc::auth_without_method: return "AUTH without an authentication method";
        case mqtt_errc::wildcard_in_response_topic: return "response topic contains a wildcard ('+' or '#')";
        case mqtt_errc::empty_topic_without_alias: return "PUBLISH topic is empty and there is no topic alias";
        case mqtt_errc::reason_code_not_allowed: return "reason code not defined for this packet";
        case mqtt_errc::subscribe_invalid_retain_handling: return "SUBSCRIBE retain handling is 3";
        case mqtt_errc::no_local_on_shared_subscription: return "SUBSCRIBE sets no local on a shared subscription";
        case mqtt_errc::invalid_shared_subscription:
            return "shared subscription is not $share/<name>/<filter> with a name free of '/', '+' and '#'";
        case mqtt_errc::unsuback_no_reason_codes: return "UNSUBACK has no reason codes";
        case mqtt_errc::not_in_protocol_version:
            return "field or protocol level not available in this MQTT version";
        case mqtt_errc::property_wrong_type: return "property value of the wrong type for its identifier";
        }
        return "unknown mqtt error " + std::to_string(v);
    }
};

}  // namespace

const std::error_category& mqtt_category() noexcept {
    static const category c;
    return c;
}

std::error_code make_error_code(mqtt_errc e) noexcept {
    return {static_cast<int>(e), mqtt_category()};
}

}  // namespace wv::mqtt
