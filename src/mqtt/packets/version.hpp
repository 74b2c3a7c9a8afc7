#pragma once
// Private to the codec: the protocol-level checks every packet's decoder and encoder share.
#include "mqtt/errors.hpp"
#include "mqtt/packet_type.hpp"

namespace wv::mqtt::detail {

// Decoders: true for 5, false for 3.1.1; any other level is not_in_protocol_version.
inline std::error_code check_level(protocol_level v) noexcept {
    return v == protocol_level::v3_1_1 || v == protocol_level::v5 ? std::error_code{}
                                                                  : make_error_code(mqtt_errc::not_in_protocol_version);
}

// Encoders: whether to write the MQTT 5 layout. Throws exception(not_in_protocol_version) for a
// level the codec does not speak.
inline bool writes_v5(protocol_level v) {
    if (check_level(v)) throw exception(mqtt_errc::not_in_protocol_version);
    return v == protocol_level::v5;
}

// Encoders at 3.1.1: throws exception(not_in_protocol_version) when the packet sets a field only
// MQTT 5 has (a reason code, properties, subscription options), rather than dropping it silently.
inline void require_3_1_1_expressible(bool expressible) {
    if (!expressible) throw exception(mqtt_errc::not_in_protocol_version);
}

}  // namespace wv::mqtt::detail
