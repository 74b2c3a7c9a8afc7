// libFuzzer target: a server's view of a stream (3.1.1 until a CONNECT with level 5, then 5): the
// stream decoder, framing and every packet decoder, plus re-encoding of whatever decodes. See
// stream_check.hpp for the properties checked.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz/mqtt/stream_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (!wv::mqtt::fuzz::check_stream(std::as_bytes(std::span{data, size}))) __builtin_trap();
    return 0;
}
