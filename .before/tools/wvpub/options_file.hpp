#pragma once
// Default options from files, read before the command line as mosquitto_pub does:
// $XDG_CONFIG_HOME/<name>, else $HOME/.config/<name>, for <name> mosquitto_pub and then wvpub
// (so wvpub honours a user's existing mosquitto_pub defaults and can add its own).
// Each line is "-option value" (one option); lines starting with '#' are comments.
#include <filesystem>
#include <string>
#include <vector>

#include "parse_args.hpp"

namespace wv::wvpub {

// The files to try, in order; missing files are skipped silently.
std::vector<std::filesystem::path> options_file_paths();

// mosquitto's split of one line: the first space-delimited word, then everything after the
// following space verbatim (so "-m hello world" publishes "hello world"). Empty: skip line.
std::vector<std::string> split_options_line(std::string line);

// Applies every line of the file; stops at the first error, which mosquitto reports like a
// command-line error.
parse_outcome apply_options_file(const std::filesystem::path& file, pub_options& opts);

}  // namespace wv::wvpub
