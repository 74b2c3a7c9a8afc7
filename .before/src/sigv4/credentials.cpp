#include "sigv4/credentials.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace wv::sigv4 {
namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r");
    return std::string(s.substr(b, e - b + 1));
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const credentials& c) {
    os << "access_key_id=" << c.access_key_id << " secret=*****";
    if (!c.session_token.empty()) os << " session_token=*****";
    if (!c.source.empty()) os << " (from " << c.source << ")";
    return os;
}

std::optional<credentials> parse_credentials_file(const std::string& text, const std::string& profile,
                                                  const std::string& origin) {
    std::istringstream in(text);
    std::string line;
    bool in_profile = false;
    credentials c;
    while (std::getline(in, line)) {
        const std::string t = trim(line);
        if (t.empty() || t[0] == '#' || t[0] == ';') continue;
        if (t.front() == '[') {
            if (t.back() != ']') continue;  // not a section header: ignored like botocore does
            // ~/.aws/config spells non-default profiles "[profile name]"; accept both spellings.
            std::string name = trim(std::string_view(t).substr(1, t.size() - 2));
            if (name.rfind("profile ", 0) == 0) name = trim(std::string_view(name).substr(8));
            in_profile = name == profile;
            continue;
        }
        if (!in_profile) continue;
        const auto eq = t.find('=');
        if (eq == std::string::npos) continue;
        const std::string key = trim(std::string_view(t).substr(0, eq));
        const std::string value = trim(std::string_view(t).substr(eq + 1));
        if (key == "aws_access_key_id") c.access_key_id = value;
        else if (key == "aws_secret_access_key") c.secret_access_key = value;
        else if (key == "aws_session_token") c.session_token = value;
    }
    if (c.access_key_id.empty() || c.secret_access_key.empty()) return std::nullopt;
    c.source = origin + " [" + profile + "]";
    return c;
}

credentials load_credentials(const credential_lookup& lookup) {
    const std::string id = env("AWS_ACCESS_KEY_ID");
    const std::string secret = env("AWS_SECRET_ACCESS_KEY");
    if (!id.empty() && !secret.empty() && !lookup.profile)
        return credentials{id, secret, env("AWS_SESSION_TOKEN"), "environment"};

    std::string profile = lookup.profile.value_or(env("AWS_PROFILE"));
    if (profile.empty()) profile = "default";
    std::filesystem::path file;
    if (lookup.shared_file) file = *lookup.shared_file;
    else if (!env("AWS_SHARED_CREDENTIALS_FILE").empty()) file = env("AWS_SHARED_CREDENTIALS_FILE");
    else if (!env("HOME").empty()) file = std::filesystem::path(env("HOME")) / ".aws" / "credentials";

    if (!file.empty()) {
        std::ifstream in(file);
        if (in) {
            std::stringstream ss;
            ss << in.rdbuf();
            if (auto c = parse_credentials_file(ss.str(), profile, file.string())) return *c;
        }
    }
    throw std::runtime_error("no AWS credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set and " +
                             (file.empty() ? std::string("no shared credentials file was found")
                                           : file.string() + " has no profile [" + profile +
                                                 "] with aws_access_key_id and aws_secret_access_key"));
}

}  // namespace wv::sigv4
