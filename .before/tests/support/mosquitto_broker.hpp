#pragma once
// A real mosquitto broker for interop tests: its own config in a temp dir, 127.0.0.1 and a
// free port, optional TLS, password file and ACL. Started by the constructor (which waits
// until the port accepts) and stopped by the destructor.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace wv::test {

struct mosquitto_options {
    // TLS when cert_file is set. cafile is needed only with require_certificate.
    std::filesystem::path cert_file, key_file, ca_file;
    bool require_certificate = false;
    std::map<std::string, std::string> users;  // user -> password; empty: anonymous allowed
    std::vector<std::string> acl_lines;         // written to an acl_file when not empty
    std::vector<std::string> extra_config;      // appended to the listener's config verbatim
};

class mosquitto_broker {
public:
    explicit mosquitto_broker(mosquitto_options opts = {});
    ~mosquitto_broker();
    std::uint16_t port() const { return port_; }
    std::string log() const;  // mosquitto's own log, for failure messages
    child_process& process() { return *proc_; }

private:
    temp_dir dir_;
    std::uint16_t port_ = 0;
    std::unique_ptr<child_process> proc_;
};

// True when the mosquitto binary is installed (tests skip with a message otherwise).
bool have_mosquitto();

}  // namespace wv::test
