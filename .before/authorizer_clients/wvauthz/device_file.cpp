#include "authorizer_clients/wvauthz/device_file.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace wv::wvauthz {
namespace {

void split_topics(const std::string& cell, std::vector<std::string>& allowed, std::vector<std::string>& denied) {
    std::string_view rest = cell;
    while (!rest.empty()) {
        const auto semi = rest.find(';');
        std::string t(rest.substr(0, semi));
        const auto b = t.find_first_not_of(' ');
        t = b == std::string::npos ? std::string() : t.substr(b, t.find_last_not_of(' ') - b + 1);
        if (!t.empty()) (t[0] == '!' ? denied : allowed).push_back(t[0] == '!' ? t.substr(1) : t);
        if (semi == std::string_view::npos) break;
        rest = rest.substr(semi + 1);
    }
}

}  // namespace

std::vector<device_case> parse_device_file(std::string_view text, const std::string& origin, bool need_expected) {
    const auto table = auth::parse_credentials_csv(text, origin);
    if (need_expected && !table.has("expected"))
        throw std::runtime_error(origin + ": no 'expected' column: wvauthz test needs one (allow, deny or invalid_response)");
    std::vector<device_case> out;
    out.reserve(table.rows.size());
    for (const auto& row : table.rows) {
        const std::string where = origin + ":" + std::to_string(row.line) + ": ";
        if (row.password.starts_with("sha256:"))
            throw std::runtime_error(where + "a sha256: password cannot be sent to an authorizer; give the password itself");
        if (need_expected && row.expected == auth::expected_outcome::none)
            throw std::runtime_error(where + "expected is empty; wvauthz test needs allow, deny or invalid_response");
        device_case c;
        c.line = row.line;
        c.device.username = row.username;
        c.device.password = row.password;
        c.device.client_id = row.akid;
        if (!row.server_name.empty()) c.device.server_name = row.server_name;
        c.expected = row.expected;
        split_topics(row.publish, c.publish_allowed, c.publish_denied);
        split_topics(row.subscribe, c.subscribe_allowed, c.subscribe_denied);
        out.push_back(std::move(c));
    }
    if (out.empty()) throw std::runtime_error(origin + ": no devices (only a header)");
    return out;
}

std::vector<device_case> load_device_file(const std::filesystem::path& file, bool need_expected) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error(file.string() + ": cannot open the credentials file");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_device_file(ss.str(), file.string(), need_expected);
}

}  // namespace wv::wvauthz
