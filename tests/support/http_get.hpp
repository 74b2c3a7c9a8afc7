#pragma once
// GET http://127.0.0.1:<port><path> over plain TCP, for tests that scrape a /metrics page.
#include <cstdint>
#include <string>

namespace wv::test {

// The whole response (status line, headers, body), read until the server closes; "" when
// nothing answers on the port.
std::string http_get(std::uint16_t port, const std::string& path);

}  // namespace wv::test
