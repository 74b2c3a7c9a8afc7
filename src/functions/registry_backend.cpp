#include "functions/registry_backend.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <nlohmann/json.hpp>

#include "auth/event_fields.hpp"
#include "util/base64.hpp"
#include "util/hex.hpp"

namespace wv::auth {

namespace {

using json = nlohmann::json;

constexpr std::string_view default_template =
    R"({"Version":"2012-10-17","Statement":[)"
    R"({"Effect":"Allow","Action":"iot:Connect","Resource":"arn:aws:iot:{{region}}:{{account}}:client/{{akid}}"},)"
    R"({"Effect":"Allow","Action":["iot:Publish","iot:Receive"],"Resource":"arn:aws:iot:{{region}}:{{account}}:topic/wv/{{akid}}/*"},)"
    R"({"Effect":"Allow","Action":"iot:Subscribe","Resource":"arn:aws:iot:{{region}}:{{account}}:topicfilter/wv/{{akid}}/*"}]})";

std::string sha256_hex(std::string_view s) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(s.data(), s.size(), md, &len, EVP_sha256(), nullptr) != 1) return {};
    return util::hex_encode(std::as_bytes(std::span{md, len}));
}

std::string principal_from(std::string_view akid) {
    std::string p;
    for (char c : akid)
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) p += c;
    if (p.size() > 128) p.resize(128);
    return p;
}

}  // namespace

bool secrets_equal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && (a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0);
}

std::string expand_template(std::string_view text, const std::map<std::string, std::string>& vars) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        if (text.substr(i, 2) == "{{") {
            const auto close = text.find("}}", i + 2);
            if (close != std::string_view::npos) {
                const auto it = vars.find(std::string(text.substr(i + 2, close - i - 2)));
                if (it != vars.end()) {
                    out += it->second;
                    i = close + 2;
                    continue;
                }
            }
        }
        out += text[i++];
    }
    return out;
}

std::vector<registry_device> parse_registry_csv(std::string_view text, const std::string& file_name) {
    const auto table = parse_credentials_csv(text, file_name);
    std::vector<registry_device> devices;
    devices.reserve(table.rows.size());
    std::unordered_map<std::string, int> line_of_akid;  // a fleet file has 100k rows: no O(n^2)
    for (const auto& row : table.rows) {
        const auto fail = [&](const std::string& what) {
            throw std::runtime_error(file_name + ":" + std::to_string(row.line) + ": " + what);
        };
        registry_device d;
        d.line = row.line;
        d.akid = row.akid;
        d.username = row.username;
        if (row.password.starts_with("sha256:")) {
            d.password_sha256 = row.password.substr(7);
            for (auto& c : d.password_sha256)
                if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
            if (d.password_sha256.size() != 64 || !util::hex_decode(d.password_sha256))
                fail("password hash must be sha256: followed by 64 hex digits");
        } else {
            d.password = row.password;
        }
        // Empty means "no expectation" in a test; the registry knows the device.
        d.expected = row.expected == expected_outcome::none ? expected_outcome::allow : row.expected;
        if (!row.policy_template.empty()) d.policy_template = row.policy_template;
        if (const auto [it, fresh] = line_of_akid.emplace(d.akid, row.line); !fresh)
            fail("akid '" + d.akid + "' already on line " + std::to_string(it->second) +
                 " (the registry finds devices by client id)");
        devices.push_back(std::move(d));
    }
    return devices;
}

std::vector<registry_device> load_registry_csv(const std::filesystem::path& file) {
    std::ifstream in{file, std::ios::binary};
    if (!in) throw std::runtime_error(file.string() + ": cannot open the credentials file");
    std::ostringstream text;
    text << in.rdbuf();
    return parse_registry_csv(text.str(), file.string());
}

registry_backend::registry_backend(std::vector<registry_device> devices, registry_options o)
    : devices_(std::move(devices)), options_(std::move(o)) {
    options_.policy_templates.try_emplace("default", std::string(default_template));
    for (std::size_t i = 0; i < devices_.size(); ++i) {
        const auto& d = devices_[i];
        if (!options_.policy_templates.contains(d.policy_template))
            throw std::invalid_argument("registry line " + std::to_string(d.line) +
                                        ": unknown policy template '" + d.policy_template + "'");
        by_akid_.emplace(d.akid, i);
    }
}

std::string registry_backend::describe() const {
    return "registry (" + std::to_string(devices_.size()) + " device" + (devices_.size() == 1 ? "" : "s") +
           ")";
}

backend_reply registry_backend::answer(const std::string& event_json) const {
    backend_reply reply;
    const auto ev = json::parse(event_json, nullptr, false);
    const json* mqtt = mqtt_fields(ev);
    if (!mqtt) {
        reply.error = backend_errc::function_error;
        reply.detail = "event has no protocolData.mqtt object";
        return reply;
    }
    auto str = [&](const char* key) -> std::string {
        auto it = mqtt->find(key);
        return it != mqtt->end() && it->is_string() ? it->get<std::string>() : std::string{};
    };
    const auto raw_user = str("username");
    const auto user = raw_user.substr(0, raw_user.find('?'));
    const auto client_id = str("clientId");
    const auto password = util::base64_decode(str("password")).value_or("");

    auto deny = [&](const std::string& why) {
        reply.body = R"({"isAuthenticated":false,"principalId":"anonymous","policyDocuments":[],)"
                     R"("disconnectAfterInSeconds":0,"refreshAfterInSeconds":0})";
        reply.log_lines.push_back("registry: denied user '" + user + "' client '" + client_id + "': " + why);
        return reply;
    };
    const auto it = by_akid_.find(client_id);
    if (it == by_akid_.end()) return deny("unknown client id (no registry row has this akid)");
    const auto& d = devices_[it->second];
    const bool password_ok = d.password_sha256.empty()
                                 ? secrets_equal(password, d.password)
                                 : secrets_equal(sha256_hex(password), d.password_sha256);
    if (user != d.username) return deny("user name is not the device's '" + d.username + "'");
    if (!password_ok) return deny("wrong password");
    if (d.expected == expected_outcome::deny) return deny("the registry marks this device deny");
    if (d.expected == expected_outcome::invalid_response) {
        reply.body = "null";
        reply.log_lines.push_back("registry: client '" + client_id +
                                  "' is marked invalid_response: answering null, as a function that crashed does");
        return reply;
    }

    const std::map<std::string, std::string> vars{{"akid", d.akid},
                                                  {"client_id", client_id},
                                                  {"username", user},
                                                  {"region", options_.region},
                                                  {"account", options_.account}};
    const auto text = expand_template(options_.policy_templates.at(d.policy_template), vars);
    auto doc = json::parse(text, nullptr, false);
    json out = {{"isAuthenticated", true},
                {"principalId", principal_from(d.akid)},
                {"policyDocuments", json::array({doc.is_discarded() ? json(text) : doc})},
                {"disconnectAfterInSeconds", options_.disconnect_after_s},
                {"refreshAfterInSeconds", options_.refresh_after_s}};
    reply.body = out.dump(-1, ' ', false, json::error_handler_t::replace);
    reply.log_lines.push_back("registry: allowed user '" + user + "' as " + d.akid);
    return reply;
}

void registry_backend::invoke(std::string event_json, std::chrono::steady_clock::time_point,
                              completion done) {
    done(answer(event_json));
}

}  // namespace wv::auth
