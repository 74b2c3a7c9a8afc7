#pragma once
// The lab the wvpub integration tests share: a test CA, a real mosquitto on 127.0.0.1 (TLS,
// password file, an ACL denying one topic), a mosquitto_sub that records what arrives, and a
// TCP listener that never answers (for the no-CONNACK case).
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/child_process.hpp"
#include "support/mosquitto_broker.hpp"
#include "support/temp_dir.hpp"
#include "tls/test_ca.hpp"

namespace wv::test {

struct pub_lab {
    explicit pub_lab(std::map<std::string, std::string> users = {{"alice", "secret"}});

    temp_dir dir;
    tls::test_ca_files ca;
    std::filesystem::path other_ca;  // a CA that did not sign the broker's certificate
    std::unique_ptr<mosquitto_broker> broker;

    std::string port() const { return std::to_string(broker->port()); }
};

// "LSAN_OPTIONS=..." for child processes: under -DWV_SANITIZE=ON, ignore the leaks inside
// Paho C itself (lsan.supp), which would otherwise change wvpub's exit status.
std::string paho_leak_suppression();

// mosquitto_sub subscribed to `filter` (QoS 2, stale retained messages skipped), printing
// "MSG <topic> q<qos> r<retain> <hex>" per message, that exits after `count` messages or 10 s.
// The constructor returns once the broker's log shows the SUBACK sent to it (its stdout is a
// file, so block-buffered, and tells nothing until it exits).
class recorder {
public:
    recorder(const pub_lab& lab, const std::string& filter, std::size_t count);
    // The MSG lines, once mosquitto_sub has exited (count reached, or its own timeout).
    std::vector<std::string> wait_for(std::size_t count, std::chrono::milliseconds timeout);

private:
    std::unique_ptr<child_process> proc_;
};

// Accepts TCP connections on 127.0.0.1 and never writes a byte.
class silent_server {
public:
    silent_server();
    ~silent_server();
    std::uint16_t port() const { return port_; }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::vector<int> clients_;
    std::thread thread_;
};

}  // namespace wv::test
