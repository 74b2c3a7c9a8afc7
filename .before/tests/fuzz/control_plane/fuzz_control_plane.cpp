// libFuzzer target: control-plane requests come from any HTTP client on the machine (boto3,
// the aws CLI, user scripts). Input: "METHOD TARGET\n", header lines "name: value\n", a blank
// line, then the body. Every request must get an answer: no crash, no hang, no exception.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "control_plane/api.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    const auto line = [&in]() {
        const auto nl = in.find('\n');
        const auto l = in.substr(0, nl);
        in = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
        return l;
    };
    const auto first = line();
    const auto sp = first.find(' ');
    if (sp == std::string_view::npos) return 0;
    wv::control_plane::http_request r{.method = std::string(first.substr(0, sp)),
                                      .target = std::string(first.substr(sp + 1)), .headers = {}, .body = {}};
    for (auto h = line(); !h.empty(); h = line()) {
        const auto colon = h.find(':');
        if (colon == std::string_view::npos) break;
        r.headers[std::string(h.substr(0, colon))] = std::string(h.substr(std::min(colon + 2, h.size())));
    }
    r.body = std::string(in);
    // A fresh registry per input, so each input reproduces alone; EC keys keep it fast.
    wv::registry::registry reg({.key_type = wv::registry::issued_key::ec_p256});
    const wv::control_plane::api api(reg);
    const auto res = api.handle(r);
    if (res.status < 200 || res.status > 599) __builtin_trap();
    if (res.status >= 400 && res.error_type.empty()) __builtin_trap();  // botocore needs the type
    return 0;
}
