#include "auth/credentials_csv.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "util/csv.hpp"

namespace wv::auth {
namespace {

std::string known_list() {
    std::string out;
    for (const auto& c : credential_columns()) out += (out.empty() ? "" : ", ") + c;
    return out + " (client_id = akid)";
}

// The canonical name of a header cell, or "" when it names no column.
std::string canonical(const std::string& cell) {
    if (cell == "akid" || cell == "AKID" || cell == "client_id" || cell == "clientId") return "akid";
    for (const auto& c : credential_columns())
        if (cell == c) return c;
    return {};
}

bool blank_or_comment(std::string_view line) {
    const auto b = line.find_first_not_of(" \t\r");
    return b == std::string_view::npos || line[b] == '#';
}

expected_outcome parse_expected(const std::string& v, const std::string& where) {
    if (v.empty()) return expected_outcome::none;
    if (v == "allow") return expected_outcome::allow;
    if (v == "deny") return expected_outcome::deny;
    if (v == "invalid_response") return expected_outcome::invalid_response;
    throw std::runtime_error(where + "expected must be allow, deny, invalid_response or empty, not '" + v + "'");
}

}  // namespace

const char* to_string(expected_outcome e) noexcept {
    switch (e) {
        case expected_outcome::allow: return "allow";
        case expected_outcome::deny: return "deny";
        case expected_outcome::invalid_response: return "invalid_response";
        case expected_outcome::none: break;
    }
    return "";
}

const std::vector<std::string>& credential_columns() {
    static const std::vector<std::string> cols{"akid",           "username",    "password", "authorizer", "expected",
                                               "policy_template", "server_name", "publish",  "subscribe"};
    return cols;
}

bool credentials_table::has(std::string_view column) const {
    return std::find(columns.begin(), columns.end(), column) != columns.end();
}

credentials_table parse_credentials_csv(std::string_view text, const std::string& file_name) {
    credentials_table t;
    // Spreadsheets save "CSV UTF-8" with a byte order mark, which would glue onto the first column name.
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    std::map<std::string, std::size_t> at;  // canonical column -> index
    int line_no = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto nl = text.find('\n', pos);
        const auto line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        ++line_no;
        if (blank_or_comment(line)) continue;
        const std::string where = file_name + ":" + std::to_string(line_no) + ": ";
        auto record = util::split_csv_record(line);
        if (!record) throw std::runtime_error(where + "unterminated double quote");
        auto& f = *record;
        if (t.columns.empty()) {
            for (std::size_t i = 0; i < f.size(); ++i) {
                const auto name = canonical(f[i]);
                if (name.empty()) {
                    // A header-less file starts with data: say what the first line must be.
                    const bool any_known = std::any_of(f.begin(), f.end(), [](const auto& c) { return !canonical(c).empty(); });
                    throw std::runtime_error(
                        where + (any_known ? "unknown column '" + f[i] + "'; known columns: " + known_list()
                                           : "the first line must be a header naming the columns, e.g. "
                                             "akid,username,password,authorizer,expected; known columns: " +
                                                 known_list()));
                }
                if (at.count(name))
                    throw std::runtime_error(where + "column '" + f[i] + "' given twice (akid and client_id are the same column)");
                at[name] = i;
                t.columns.push_back(name);
            }
            for (const char* need : {"akid", "username", "password"})
                if (!at.count(need))
                    throw std::runtime_error(where + "the header has no '" + std::string(need) +
                                             "' column (required: akid or client_id, username, password)");
            continue;
        }
        if (f.size() > t.columns.size())
            throw std::runtime_error(where + std::to_string(f.size()) + " fields, but the header names " +
                                     std::to_string(t.columns.size()) + " columns");
        const auto cell = [&](const char* name) -> std::string {
            const auto it = at.find(name);
            return it != at.end() && it->second < f.size() ? f[it->second] : std::string();
        };
        credential_row r;
        r.line = line_no;
        r.akid = cell("akid");
        r.username = cell("username");
        r.password = cell("password");
        r.authorizer = cell("authorizer");
        r.expected = parse_expected(cell("expected"), where);
        r.policy_template = cell("policy_template");
        r.server_name = cell("server_name");
        r.publish = cell("publish");
        r.subscribe = cell("subscribe");
        if (r.akid.empty()) throw std::runtime_error(where + "akid (client id) is empty");
        if (r.akid.size() > 128) throw std::runtime_error(where + "akid longer than 128 characters (AWS's client id limit)");
        if (r.username.empty()) throw std::runtime_error(where + "username is empty");
        t.rows.push_back(std::move(r));
    }
    if (t.columns.empty()) throw std::runtime_error(file_name + ": empty credentials file (no header, no devices)");
    return t;
}

credentials_table load_credentials_csv(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error(file.string() + ": cannot open the credentials file");
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_credentials_csv(ss.str(), file.string());
}

}  // namespace wv::auth
