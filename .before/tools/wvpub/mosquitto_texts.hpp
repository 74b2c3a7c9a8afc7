#pragma once
// libmosquitto 2.0.11's human-readable strings, which mosquitto_pub prints and scripts grep:
// mosquitto_connack_string(), mosquitto_reason_string() and mosquitto_strerror().
#include <string>

namespace wv::wvpub {

// libmosquitto error numbers that reach mosquitto_pub's exit status.
namespace mosq_err {
inline constexpr int protocol = 2;
inline constexpr int conn_refused = 5;
inline constexpr int conn_lost = 7;
inline constexpr int tls = 8;
inline constexpr int keepalive = 19;
}  // namespace mosq_err

std::string connack_string(int rc);     // MQTT 3.1/3.1.1 CONNACK return codes
std::string reason_string(int reason);  // MQTT 5 reason codes
std::string strerror_text(int err);     // MOSQ_ERR_* values

}  // namespace wv::wvpub
