#pragma once
// One mosquitto_pub session over MQTT 3.1.1 on the project's own client (wv::client::connection
// over wv::tls), all on the calling thread: no library threads to hand each step to, so one
// QoS 1 publish costs what the network and the broker cost (Paho C 1.3's connect polling and
// its 100 ms wait for its threads at destroy made wvpub 3x slower than mosquitto_pub).
// Same contract as run_publisher(): mosquitto_pub's -d lines, stderr texts and exit status.
#include "client_setup.hpp"
#include "publisher.hpp"

namespace wv::wvpub {

// True when this client runs `o` exactly as mosquitto_pub would: MQTT 3.1.1 and TLS settings
// wv::tls has (no --capath, --tls-version tlsv1.2 or tlsv1.3 if given, not --cafile together
// with --tls-use-os-certs). Everything else stays on Paho.
bool native_supports(const pub_options& o);

// `plan` is plan_client()'s for the same options (its checks have passed).
int run_native_publisher(const publish_request& req, const client_plan& plan);

}  // namespace wv::wvpub
