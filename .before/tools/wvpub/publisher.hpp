#pragma once
// One mosquitto_pub session: connect, publish the message (repeated, or one per stdin line),
// wait for the acknowledgements, disconnect. Reproduces mosquitto_pub's -d trace on stdout, its
// stderr texts and its exit status (0; the CONNACK code when refused; 7 connection lost; 8 TLS
// error; 19 no CONNACK; 1 for set-up, DNS and TCP failures).
//
// MQTT 3.1.1 runs on the project's own client (native_publisher.hpp), on the calling thread;
// MQTT 5, MQTT 3.1 and the TLS settings wv::tls lacks run on Paho, whose threads only push to
// a queue the calling thread reads. A Paho session is never destroyed (see run_publisher()):
// end the process after it with std::_Exit, as main() does.
#include <cstdio>
#include <optional>
#include <string>

#include "pub_options.hpp"

namespace wv::wvpub {

struct publish_request {
    pub_options options;
    std::string payload;                      // -m/-f/-s/--wavelet payload; unused for -l and -n
    std::optional<std::string> will_payload;  // overrides --will-payload (--wavelet-will)
    std::FILE* line_input = stdin;            // -l reads from here
};

// Returns the process exit status.
int run_publisher(const publish_request& req);

}  // namespace wv::wvpub
