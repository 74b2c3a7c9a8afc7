// libFuzzer target: the WebSocket server and client layers (handshake and framing) on any bytes.
#include "layer_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    wv::fuzz::check_layers({data, size});
    return 0;
}
