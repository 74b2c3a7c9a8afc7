#pragma once
// The whole MQTT 3.1.1 codec: framing, the fourteen packets, topics, errors.
#include "mqtt/errors.hpp"
#include "mqtt/frame.hpp"
#include "mqtt/packet.hpp"
#include "mqtt/packet_format.hpp"
#include "mqtt/stream_decoder.hpp"
#include "mqtt/topic.hpp"
#include "mqtt/utf8.hpp"
