#include "identity.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "auth/credentials_csv.hpp"

namespace wv::sim {

namespace {
std::uint64_t splitmix64(std::uint64_t x) noexcept {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}
}  // namespace

std::string_view to_string(expectation e) noexcept {
    switch (e) {
    case expectation::allow: return "allow";
    case expectation::deny: return "deny";
    case expectation::none: break;
    }
    return "";
}

std::string device_identity::wire_username() const {
    if (authorizer.empty()) return username;
    return username + "?x-amz-customauthorizer-name=" + authorizer;
}

std::string default_akid(std::uint64_t seed, std::uint32_t index) {
    // splitmix64 is a bijection, and seed * odd + index differs for every index of one seed.
    const std::uint64_t v = splitmix64(seed * 0xd1b54a32d192ed03ULL + index);
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llX", static_cast<unsigned long long>(v));
    return buf;
}

std::uint64_t payload_seed(std::uint64_t run_seed, std::uint64_t profile_seed) noexcept {
    return splitmix64(splitmix64(run_seed ^ 0x5061796c6f616473ULL) + profile_seed);
}

std::string default_secret(std::uint64_t seed, std::uint32_t index) {
    static constexpr char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    constexpr std::uint64_t radix = sizeof alphabet - 1;
    std::uint64_t v = splitmix64(~seed * 0x9e3779b97f4a7c15ULL + index);
    std::string out;
    for (int i = 0; i < 20; ++i) {
        if (i == 10) v = splitmix64(v);
        out += alphabet[v % radix];
        v /= radix;
    }
    return out;
}

field_template::field_template(std::string_view text, std::string_view what) : text_(text) {
    std::string lit;
    auto fail = [&](const std::string& why) {
        throw config_error(std::string(what) + " template '" + text_ + "': " + why +
                           " (placeholders: {n}, {n:W}, {akid}, {secret}, {seed}; {{ and }} for braces)");
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '}') {
            if (i + 1 < text.size() && text[i + 1] == '}') { lit += '}'; ++i; continue; }
            fail("unbalanced '}'");
        }
        if (c != '{') { lit += c; continue; }
        if (i + 1 < text.size() && text[i + 1] == '{') { lit += '{'; ++i; continue; }
        const auto close = text.find('}', i);
        if (close == std::string_view::npos) fail("unbalanced '{'");
        const auto name = text.substr(i + 1, close - i - 1);
        if (!lit.empty()) {
            pieces_.push_back({piece::literal, std::move(lit)});
            lit.clear();
        }
        if (name == "n") pieces_.push_back({piece::index, {}});
        else if (name.starts_with("n:")) {
            int w = 0;
            const auto digits = name.substr(2);
            const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), w);
            if (ec != std::errc{} || p != digits.data() + digits.size() || w < 1 || w > 20)
                fail("bad width in {" + std::string(name) + "}");
            pieces_.push_back({piece::index, {}, w});
        } else if (name == "akid") pieces_.push_back({piece::akid, {}});
        else if (name == "secret") pieces_.push_back({piece::secret, {}});
        else if (name == "seed") pieces_.push_back({piece::seed, {}});
        else fail("unknown placeholder {" + std::string(name) + "}");
        i = close;
    }
    if (!lit.empty()) pieces_.push_back({piece::literal, std::move(lit)});
}

std::string field_template::expand(std::uint32_t index, std::string_view akid, std::string_view secret,
                                   std::uint64_t seed) const {
    std::string out;
    for (const auto& p : pieces_) {
        switch (p.kind) {
        case piece::literal: out += p.text; break;
        case piece::index: {
            auto s = std::to_string(index);
            if (static_cast<int>(s.size()) < p.width) s.insert(0, static_cast<std::size_t>(p.width) - s.size(), '0');
            out += s;
            break;
        }
        case piece::akid: out += akid; break;
        case piece::secret: out += secret; break;
        case piece::seed: out += std::to_string(seed); break;
        }
    }
    return out;
}

identity_generator::identity_generator(const identity_templates& t)
    : username_(t.username, "--username"),
      password_(t.password, "--password"),
      authorizer_(t.authorizer, "--authorizer"),
      seed_(t.seed) {
    if (t.akid.find("{akid}") != std::string::npos)
        throw config_error("--akid template '" + t.akid + "': {akid} cannot refer to itself");
    if (!t.akid.empty()) akid_.emplace(t.akid, "--akid");
}

device_identity identity_generator::make(std::uint32_t index) const {
    device_identity d;
    d.index = index;
    const auto secret = default_secret(seed_, index);
    d.akid = akid_ ? akid_->expand(index, "", secret, seed_) : default_akid(seed_, index);
    d.username = username_.expand(index, d.akid, secret, seed_);
    d.password = password_.expand(index, d.akid, secret, seed_);
    d.authorizer = authorizer_.expand(index, d.akid, secret, seed_);
    return d;
}

std::vector<device_identity> parse_credentials(std::string_view text, std::string_view source) {
    auth::credentials_table table;
    try {
        table = auth::parse_credentials_csv(text, std::string(source));
    } catch (const std::runtime_error& e) {
        throw config_error(e.what());
    }
    std::vector<device_identity> out;
    out.reserve(table.rows.size());
    for (const auto& row : table.rows) {
        if (row.password.starts_with("sha256:"))
            throw config_error(std::string(source) + ":" + std::to_string(row.line) +
                               ": a sha256: password is for the registry backend; a device needs the password itself");
        device_identity d;
        d.index = static_cast<std::uint32_t>(out.size());
        d.akid = row.akid;
        d.username = row.username;
        d.password = row.password;
        d.authorizer = row.authorizer;
        switch (row.expected) {
            case auth::expected_outcome::allow: d.expected = expectation::allow; break;
            // A device sees no difference: either way the connection closes without CONNACK.
            case auth::expected_outcome::deny:
            case auth::expected_outcome::invalid_response: d.expected = expectation::deny; break;
            case auth::expected_outcome::none: break;
        }
        out.push_back(std::move(d));
    }
    return out;
}

std::vector<device_identity> load_credentials(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw config_error(file.string() + ": cannot open the credentials file");
    std::ostringstream ss;
    ss << in.rdbuf();
    auto ids = parse_credentials(ss.str(), file.string());
    if (ids.empty()) throw config_error(file.string() + ": no devices in the credentials file");
    return ids;
}

std::vector<std::string> identity_warnings(const std::vector<device_identity>& ids) {
    std::vector<std::string> w;
    auto check = [&](auto pred, const std::string& what) {
        std::size_t n = 0;
        const device_identity* first = nullptr;
        for (const auto& d : ids)
            if (pred(d)) {
                if (!first) first = &d;
                ++n;
            }
        if (n) w.push_back(std::to_string(n) + " device(s) " + what + " (first: " + first->akid + ")");
    };
    check([](const device_identity& d) { return d.wire_username().size() > 100; },
          "have a user name (with its ?x-amz-customauthorizer-name= query) longer than 100 characters, "
          "which Wavelet firmware does not accept (45 before v2.395)");
    check([](const device_identity& d) { return d.password.size() > 25; },
          "have a password longer than 25 characters, which Wavelet firmware does not accept");
    check([](const device_identity& d) { return d.password.empty(); },
          "have an empty password: a real Wavelet then falls back to its built-in defaults");
    check([](const device_identity& d) {
              for (char c : d.akid)
                  if (!std::isalnum(static_cast<unsigned char>(c))) return true;
              return false;
          },
          "have a client id outside [a-zA-Z0-9]: an authorizer that returns it as principalId is refused by AWS");
    return w;
}

}  // namespace wv::sim
