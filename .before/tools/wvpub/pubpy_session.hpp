#pragma once
// The network half of `wvpub pubpy`: one MQTT 3.1.1 session on the project's own client
// (wv::client::connection over wv::tls, ALPN "mqtt"), publishing pub.py's SamplesBatchMessages
// at QoS 1. Every failure is one stderr line that names what failed and what to check: the
// CA file, the host that does not resolve, the TLS step, the CONNACK code of a refused login
// (or, as AWS IoT does on a denied custom-auth login, a connection closed without one).
#include <string>

namespace wv::wvpub {

struct pubpy_options {
    std::string endpoint, ca_file, user, password, authorizer, akid;
    int port = 443;
    int messages = 1;
    int samples = 3;
    double interval_s = 0.1;
    bool sdk_metrics = false;
    bool insecure = false;
    bool timing = false;
};

// Connects as `client_id` / `user_name` and publishes; prints progress on stdout and failures
// on stderr. Returns 0 when every message was acknowledged, else 1.
int run_pubpy_session(const pubpy_options& o, const std::string& client_id, const std::string& user_name);

}  // namespace wv::wvpub
