#pragma once
// The whole MQTT 3.1.1 and 5 codec: framing, the fifteen packets, properties, reason codes,
// topics, errors.
// Threading: every free function is pure (no shared state) and may be called from any thread;
// a stream_decoder or property_builder belongs to one user at a time.
#include "mqtt/errors.hpp"
#include "mqtt/frame.hpp"
#include "mqtt/packet.hpp"
#include "mqtt/packet_format.hpp"
#include "mqtt/properties.hpp"
#include "mqtt/property_builder.hpp"
#include "mqtt/reason_code.hpp"
#include "mqtt/stream_decoder.hpp"
#include "mqtt/topic.hpp"
#include "mqtt/utf8.hpp"
