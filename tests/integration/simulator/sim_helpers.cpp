#include "sim_helpers.hpp"

#include <unistd.h>

#include <fstream>
#include <thread>

#include "tls/test_ca.hpp"

namespace wv::simtest {

sim_run run_wvsim(const test::temp_dir& dir, const std::string& name, std::vector<std::string> args,
                  std::chrono::seconds timeout) {
    const auto json = dir / (name + ".json");
    std::filesystem::remove(json);
    args.insert(args.begin(), WVSIM_PATH);
    args.insert(args.end(), {"--quiet", "--json", json.string()});
    sim_run s;
    s.r = test::run(args, {}, timeout);
    if (std::filesystem::exists(json)) s.report = nlohmann::json::parse(std::ifstream(json));
    return s;
}

ca_files make_ca(const std::filesystem::path& dir) {
    const auto f = tls::make_test_ca(dir);
    // mosquitto started as root drops to the `mosquitto` user before it reads the key.
    namespace fs = std::filesystem;
    fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                             fs::perms::others_read | fs::perms::others_exec);
    for (const auto& p : {f.ca_cert, f.server_cert, f.server_key})
        fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
    return {f.ca_cert, f.server_cert, f.server_key};
}

std::unique_ptr<test::mosquitto_broker> tls_mosquitto(const ca_files& ca, std::map<std::string, std::string> users,
                                                      std::vector<std::string> acl, std::vector<std::string> extra_config) {
    test::mosquitto_options o;
    o.cert_file = ca.cert;
    o.key_file = ca.key;
    o.users = std::move(users);
    o.acl_lines = std::move(acl);
    o.extra_config = std::move(extra_config);
    // As root, mosquitto drops to the `mosquitto` user, which cannot write its log or read the
    // password file in the test's private temp dir: keep it root (a warning, not an error).
    if (::geteuid() == 0) o.extra_config.push_back("user root");
    return std::make_unique<test::mosquitto_broker>(o);
}

bool wait_for_log(test::mosquitto_broker& b, const std::string& needle, std::chrono::seconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
        if (b.log().find(needle) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

std::uint64_t count_prefix(const nlohmann::json& counts, const std::string& prefix) {
    std::uint64_t n = 0;
    for (const auto& [k, v] : counts.items())
        if (k.starts_with(prefix)) n += v.get<std::uint64_t>();
    return n;
}

std::uint64_t outcome_count(const nlohmann::json& report, const std::string& bucket) {
    const auto& o = report.at("connect_outcomes");
    return o.contains(bucket) ? o[bucket].get<std::uint64_t>() : 0;
}

}  // namespace wv::simtest
