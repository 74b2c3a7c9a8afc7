#pragma once
// Who each simulated device is: its AKID (the MQTT client id), the user name and password it
// logs in with, the custom authorizer it names, and what the test expects (allow/deny).
//
// Identities come from templates (deterministic in the device index and --seed, so runs
// repeat and shards never overlap) or from a credentials CSV. Both throw config_error with a
// message naming the template or file:line; main maps it to exit 2.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace wv::sim {

struct config_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class expectation { none, allow, deny };
std::string_view to_string(expectation e) noexcept;

struct device_identity {
    std::uint32_t index = 0;  // global index in the fleet (shards share one index space)
    std::string akid;         // MQTT client id
    std::string username;     // the part before `?` in the MQTT user name
    std::string password;
    std::string authorizer{};  // empty: no `?x-amz-customauthorizer-name=` query
    expectation expected = expectation::none;

    // `<username>?x-amz-customauthorizer-name=<authorizer>`, as the device sends it.
    std::string wire_username() const;
};

// A real-looking AKID: 16 upper-case hex digits, a bijection of (seed, index).
std::string default_akid(std::uint64_t seed, std::uint32_t index);
// A 20-character alphanumeric secret (under the firmware's 25), derived from (seed, index).
std::string default_secret(std::uint64_t seed, std::uint32_t index);
// The seed of the sample values: --seed folded into the report profile's own seed, so that a
// report's values are a pure function of (--seed, profile, device index, report_id): devices
// differ from each other, and a run with the same --seed repeats them.
std::uint64_t payload_seed(std::uint64_t run_seed, std::uint64_t profile_seed) noexcept;

// A login-field template. Placeholders: {n} the device index, {n:W} zero-padded to W digits,
// {akid} the device's AKID, {secret} its derived secret, {seed}. `{{` and `}}` are literal
// braces. Throws config_error on an unknown placeholder or an unbalanced brace.
class field_template {
public:
    field_template(std::string_view text, std::string_view what);
    std::string expand(std::uint32_t index, std::string_view akid, std::string_view secret,
                       std::uint64_t seed) const;
    const std::string& text() const noexcept { return text_; }

private:
    struct piece {
        enum kind_t { literal, index, akid, secret, seed } kind;
        std::string text;  // literal
        int width = 0;     // index padding
    };
    std::string text_;
    std::vector<piece> pieces_;
};

struct identity_templates {
    std::string akid = "";  // empty: default_akid()
    std::string username = "{akid}";
    std::string password = "{secret}";
    std::string authorizer = "wavelet";  // the name config/wvgate.yaml and wvgate --user use
    std::uint64_t seed = 1;
};

// Builds identities for global indices from templates.
class identity_generator {
public:
    explicit identity_generator(const identity_templates& t);
    device_identity make(std::uint32_t index) const;

private:
    std::optional<field_template> akid_;
    field_template username_, password_, authorizer_;
    std::uint64_t seed_;
};

// Reads the project's credentials CSV (auth/credentials_csv.hpp, config/credentials.md): a
// header naming the columns (akid or client_id, username, password; optional authorizer,
// expected, ...), one device per row. An empty or absent authorizer sends no
// ?x-amz-customauthorizer-name= query; expected invalid_response counts as deny (the device
// is refused either way). Throws config_error "file:line: reason".
std::vector<device_identity> load_credentials(const std::filesystem::path& file);
std::vector<device_identity> parse_credentials(std::string_view text, std::string_view source);

// Warnings a user should see before the run (login fields longer than Wavelet firmware
// accepts, client ids AWS would not accept as a principalId, empty passwords).
// One line per kind, with a count and the first offender.
std::vector<std::string> identity_warnings(const std::vector<device_identity>& ids);

}  // namespace wv::sim
