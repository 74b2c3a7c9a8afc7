#pragma once
// mosquitto_pub 2.0.11's command-line grammar, reproduced rule for rule: the same option names,
// the same checks in the same order, and the same error texts (byte for byte, blank lines
// included), so scripts that parse its stderr keep working. wvpub's extensions are parsed here
// too; they only add option names mosquitto_pub rejects, so no mosquitto_pub command line
// changes meaning.
//
// No I/O: errors come back as text for main() to print. Plain functions over one pub_options.
#include <string>
#include <vector>

#include "pub_options.hpp"

namespace wv::wvpub {

enum class parse_status { ok, help, version, error };

struct parse_outcome {
    parse_status status = parse_status::ok;
    // Exactly what mosquitto_pub writes to stderr before "\nUse 'mosquitto_pub --help' ...".
    std::string error;
};

// Applies one option list (argv without the program name, or one options-file line split in
// two) to `opts`. Later options override earlier ones, as in mosquitto_pub.
parse_outcome apply_arguments(const std::vector<std::string>& args, pub_options& opts);

// The checks mosquitto_pub makes after every option is read (will without topic, -c without
// -i, certificate without key, -D property rules, ...). Adds the session-expiry property and
// fills client id and topic from --akid.
parse_outcome check_options(pub_options& opts);

// C's atoi()/atof(): mosquitto_pub accepts "12abc" as 12 and "abc" as 0, and so must we.
int c_atoi(const std::string& s);
double c_atof(const std::string& s);

}  // namespace wv::wvpub
