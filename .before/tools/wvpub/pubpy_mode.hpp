#pragma once
// `wvpub pubpy ...`: what Ayyeka's pub.py does (AWS IoT custom-auth MQTT over TLS with ALPN
// "mqtt", QoS 1 SamplesBatchMessages to wv/<AKID>/1/samp/p1), with its settings as flags, and
// readable output. See print_pubpy_usage() for the flags.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace wv::wvpub {

// Returns the exit status: 0 every message acknowledged, 1 runtime failure, 2 usage error.
int run_pubpy(const std::vector<std::string>& args);

// pub.py's client id: str(uuid.uuid4().int), the UUID's 128 bits as one decimal number.
std::string uuid4_decimal();
std::string uuid_bits_to_decimal(const std::array<std::uint8_t, 16>& bytes);

// pub.py's user name, plus the AWS SDK metrics when asked:
// "<user>?x-amz-customauthorizer-name=<authorizer>[&SDK=<sdk>&Version=<version>]".
std::string pubpy_username(const std::string& user, const std::string& authorizer, bool sdk_metrics,
                           const std::string& sdk = "PythonV2", const std::string& version = "1.21.0");

}  // namespace wv::wvpub
