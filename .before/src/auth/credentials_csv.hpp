#pragma once
// The one credentials CSV of the project: wvsim --credentials, wvauthz test/bench --credentials
// and the registry authorizer backend all read it (the format is documented once, in
// config/credentials.md).
//
//   # comment lines and blank lines are ignored
//   akid,username,password,authorizer,expected
//   2453AC035CBCBC9A,TestUserName,TestPassword,wavelet,allow
//   2453AC035CBCBC9B,TestUserName,wrong,wavelet,deny
//
// - The first record is a header naming the columns, in any order. `akid` and `client_id`
//   are the same column (the device's MQTT client id; Wavelets use their AKID); `clientId`
//   and `AKID` are accepted spellings. akid, username and password are required.
// - Optional columns: authorizer (the name put in ?x-amz-customauthorizer-name=), expected,
//   policy_template (registry backend), server_name, publish, subscribe (wvauthz test).
// - An unknown column is an error that lists the known ones; so is a column named twice.
// - A leading UTF-8 byte order mark (spreadsheets write one) is skipped; CRLF line ends work.
// - A row may leave trailing cells out (they are empty); more cells than the header is an
//   error. Fields are split by util::split_csv_record (double quotes, "" for a quote).
// - expected: allow, deny, invalid_response, or empty (no expectation).
// - User names may repeat (a fleet may share one); client ids are the consumer's business.
//
// Errors: std::runtime_error "<file>:<line>: <problem>". Pure apart from load_credentials_csv.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace wv::auth {

// What a test expects the authorizer to do with a device.
//   allow             the device connects (the reply allows and its policy allows iot:Connect)
//   deny              a valid refusal: isAuthenticated false, or a policy that denies iot:Connect
//   invalid_response  the reply breaks one of AWS's rules (e.g. a function that returns null)
enum class expected_outcome { none, allow, deny, invalid_response };
const char* to_string(expected_outcome e) noexcept;  // "" for none

struct credential_row {
    int line = 0;                      // in the file, for messages
    std::string akid{};                // = MQTT client id
    std::string username{};            // before any '?'
    std::string password{};            // as written (the registry also takes sha256:<hex>)
    std::string authorizer{};
    expected_outcome expected = expected_outcome::none;
    std::string policy_template{};
    std::string server_name{};
    std::string publish{}, subscribe{};  // ';'-separated topics, '!' = must be denied
};

struct credentials_table {
    std::vector<std::string> columns{};  // canonical names, in file order (akid for client_id)
    std::vector<credential_row> rows{};
    bool has(std::string_view column) const;
};

// The canonical column names, as listed in errors.
const std::vector<std::string>& credential_columns();

credentials_table parse_credentials_csv(std::string_view text, const std::string& file_name);
// Also throws "<file>: cannot open the credentials file".
credentials_table load_credentials_csv(const std::filesystem::path& file);

}  // namespace wv::auth
