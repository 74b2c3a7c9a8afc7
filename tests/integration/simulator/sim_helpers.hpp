#pragma once
// Helpers for wvsim's integration tests: run wvsim as a child and read its JSON report, and
// a TLS mosquitto with a test CA.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/child_process.hpp"
#include "support/mosquitto_broker.hpp"
#include "support/temp_dir.hpp"

namespace wv::simtest {

struct sim_run {
    test::run_result r;
    nlohmann::json report;  // null when wvsim wrote none
};

// Runs wvsim with `args` plus --json <dir>/<name>.json and --quiet; reads the report back.
sim_run run_wvsim(const test::temp_dir& dir, const std::string& name, std::vector<std::string> args,
                  std::chrono::seconds timeout = std::chrono::seconds(60));

// A test CA in `dir` whose files a mosquitto running as another user can read.
struct ca_files {
    std::filesystem::path ca, cert, key;
};
ca_files make_ca(const std::filesystem::path& dir);

// mosquitto with TLS from `ca` and the given users (user -> password), an ACL file when `acl`
// has lines, and extra configuration lines.
std::unique_ptr<test::mosquitto_broker> tls_mosquitto(const ca_files& ca, std::map<std::string, std::string> users,
                                                      std::vector<std::string> acl = {},
                                                      std::vector<std::string> extra_config = {});

// Polls mosquitto's log until `needle` shows up; no fixed sleep.
bool wait_for_log(test::mosquitto_broker& b, const std::string& needle, std::chrono::seconds timeout);

// The sum of a JSON count map's entries whose key starts with `prefix` (reason-code buckets).
std::uint64_t count_prefix(const nlohmann::json& counts, const std::string& prefix);

// Count in the report's connect_outcomes, 0 when absent.
std::uint64_t outcome_count(const nlohmann::json& report, const std::string& bucket);

}  // namespace wv::simtest
