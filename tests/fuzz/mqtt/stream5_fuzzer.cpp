// libFuzzer target: the stream decoder and every packet decoder at MQTT 5 from the first byte (a
// client's view after CONNECT with level 5), plus re-encoding of whatever decodes. See
// stream_check.hpp for the properties checked; fuzz_mqtt_stream covers the server's view, where
// the level follows the CONNECT.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz/mqtt/stream_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using wv::mqtt::fuzz::stream_mode;
    if (!wv::mqtt::fuzz::check_stream(std::as_bytes(std::span{data, size}), stream_mode::as_client_v5))
        __builtin_trap();
    return 0;
}
