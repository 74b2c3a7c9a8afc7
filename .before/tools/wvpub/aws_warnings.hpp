#pragma once
// Warnings for command lines that work against mosquitto but surprise on AWS IoT Core. They go
// to stderr and change nothing else, so mosquitto_pub-compatible scripts are unaffected.
#include <string>
#include <vector>

#include "pub_options.hpp"

namespace wv::wvpub {

// - a topic with a leading '/' together with --akid (AWS IoT sees "/wv/..." as another topic
//   and policies written for "wv/..." do not match it);
// - no -i/-I/--akid against a host ending in amazonaws.com (the custom authorizer then gets no
//   client id, and ${iot:ClientId} policy variables match nothing).
std::vector<std::string> aws_warnings(const pub_options& o);

}  // namespace wv::wvpub
