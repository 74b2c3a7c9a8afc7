#pragma once
// Loopback ports for tests. Servers we own bind port 0 and report the port they got; for
// programs that cannot (mosquitto), free_tcp_port() picks one the kernel just handed out.
#include <chrono>
#include <cstdint>

namespace wv::test {

std::uint16_t free_tcp_port();
// Polls 127.0.0.1:port until a TCP connect succeeds; false after `timeout`.
bool wait_for_port(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace wv::test
