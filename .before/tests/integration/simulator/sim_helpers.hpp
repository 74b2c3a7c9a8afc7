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

// mosquitto with TLS from `ca` and the given users (user -> password).
std::unique_ptr<test::mosquitto_broker> tls_mosquitto(const ca_files& ca, std::map<std::string, std::string> users);

// Count in the report's connect_outcomes, 0 when absent.
std::uint64_t outcome_count(const nlohmann::json& report, const std::string& bucket);

}  // namespace wv::simtest
