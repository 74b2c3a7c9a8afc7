#pragma once
// The whole MQTT 3.1.1 codec: framing, the fourteen packets, topics, errors.
// Threading: every free function is pure (no shared state) and may be called from any thread;
// a stream_decoder belongs to one connection and is used from one thread at a time.
#include "mqtt/errors.hpp"
#include "mqtt/frame.hpp"
#include "mqtt/packet.hpp"
#include "mqtt/packet_format.hpp"
#include "mqtt/stream_decoder.hpp"
#include "mqtt/topic.hpp"
#include "mqtt/utf8.hpp"
