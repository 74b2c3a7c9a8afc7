#pragma once
// Everything a wvpub command line (and its options files) can say, parsed once into plain
// values. Field defaults are mosquitto_pub 2.0.11's; nothing below main() reads argv again.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wv::wvpub {

enum class message_source { none, command_line, file, stdin_file, stdin_line, null_message, wavelet };

// One `-D command name value` (user-property carries a second value in `value2`).
struct property_option {
    std::string command;  // connect, publish, disconnect, will, ...
    std::string name;     // e.g. "user-property", "message-expiry-interval"
    std::string value;
    std::string value2;
};

struct pub_options {
    // Broker / network
    std::optional<std::string> host;  // unset: "localhost"
    int port = -1;                    // -1: 1883, or 8883 with --cafile/--capath/--psk
    std::optional<std::string> unix_path, bind_address, proxy;
    bool tcp_nodelay = false;

    // Protocol / session
    int protocol_version = 4;  // 3 (3.1), 4 (3.1.1) or 5
    std::optional<std::string> id, id_prefix;
    int keepalive_s = 60;
    bool clean_session = true;
    std::int64_t session_expiry_interval = -1;  // -1: not given
    std::vector<property_option> properties;

    // Credentials
    std::optional<std::string> username, password;

    // Message
    message_source source = message_source::none;
    std::string message;  // -m text
    std::string file_input;
    std::optional<std::string> topic;
    int qos = 0;
    bool retain = false;
    int repeat_count = 1;
    std::chrono::microseconds repeat_delay{0};
    int max_inflight = 20;

    // Will
    std::optional<std::string> will_topic, will_payload;
    int will_qos = 0;
    bool will_retain = false;

    // TLS
    std::optional<std::string> cafile, capath, certfile, keyfile, keyform, ciphers, tls_version, tls_alpn,
        tls_engine, tls_engine_kpass_sha1, psk, psk_identity;
    bool insecure = false;
    bool tls_use_os_certs = false;

    // Diagnostics
    bool debug = false;
    bool quiet = false;

    // wvpub extensions
    std::optional<std::string> wavelet_profile;  // a profile file for --wavelet
    std::optional<std::string> akid;
    std::optional<std::string> authorizer;
    bool wavelet_will = false;
    bool timing = false;

    bool uses_tls() const { return cafile || capath || psk || tls_use_os_certs; }
    int effective_port() const {
        if (port >= 0) return port;
        return (cafile || capath || psk) ? 8883 : 1883;
    }
    std::string effective_host() const { return host.value_or("localhost"); }
};

}  // namespace wv::wvpub
