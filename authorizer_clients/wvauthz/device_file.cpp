#include "authorizer_clients/wvauthz/device_file.hpp"

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "auth/registry_backend.hpp"
#include "util/csv.hpp"

namespace wv::wvauthz {
namespace {

void split_topics(const std::string& cell, std::vector<std::string>& allowed,
                  std::vector<std::string>& denied) {
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

bool is_blank_or_comment(const std::string& line) {
    const auto b = line.find_first_not_of(" \t\r");
    return b == std::string::npos || line[b] == '#';
}

}  // namespace

std::vector<device_case> parse_device_file(std::string_view text, const std::string& origin) {
    std::istringstream in{std::string(text)};
    std::string line;
    int line_no = 0;
    std::map<std::string, std::size_t> col;
    std::vector<device_case> out;
    while (std::getline(in, line)) {
        ++line_no;
        if (is_blank_or_comment(line)) continue;
        const std::string where = origin + ":" + std::to_string(line_no) + ": ";
        const auto record = util::split_csv_record(line);
        if (!record) throw std::runtime_error(where + "unterminated double quote");
        const auto& cells = *record;
        if (col.empty()) {
            for (std::size_t i = 0; i < cells.size(); ++i)
                col[cells[i] == "clientId" ? "client_id" : cells[i]] = i;
            if (col.count("akid") || !col.count("username")) {
                // Not our header: auth's registry CSV, which has its own parser and errors.
                for (const auto& d : auth::parse_registry_csv(text, origin)) {
                    device_case c;
                    c.line = d.line;
                    c.device.username = d.username;
                    c.device.password = d.password;
                    c.device.client_id = d.akid;
                    c.expect_allow = d.expected == auth::expected_outcome::allow;
                    if (!d.password_sha256.empty())
                        throw std::runtime_error(
                            origin + ":" + std::to_string(d.line) +
                            ": a sha256: password cannot be sent by a test; give the password itself");
                    out.push_back(std::move(c));
                }
                return out;
            }
            for (const char* need : {"username", "password", "client_id", "expected"})
                if (!col.count(need))
                    throw std::runtime_error(where + "the header has no '" + std::string(need) + "' column");
            continue;
        }
        const auto cell = [&](const char* name) -> std::string {
            const auto it = col.find(name);
            return it != col.end() && it->second < cells.size() ? cells[it->second] : std::string();
        };
        device_case c;
        c.line = line_no;
        c.device.username = cell("username");
        c.device.password = cell("password");
        c.device.client_id = cell("client_id");
        if (!cell("server_name").empty()) c.device.server_name = cell("server_name");
        const std::string expected = cell("expected");
        if (expected == "allow")
            c.expect_allow = true;
        else if (expected == "deny")
            c.expect_allow = false;
        else
            throw std::runtime_error(where + "expected must be allow or deny, not '" + expected + "'");
        split_topics(cell("publish"), c.publish_allowed, c.publish_denied);
        split_topics(cell("subscribe"), c.subscribe_allowed, c.subscribe_denied);
        out.push_back(std::move(c));
    }
    if (col.empty()) throw std::runtime_error(origin + ": empty devices file");
    return out;
}

std::vector<device_case> load_device_file(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error(file.string() + ": cannot open the devices file");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_device_file(ss.str(), file.string());
}

}  // namespace wv::wvauthz
