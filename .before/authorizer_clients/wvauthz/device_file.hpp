#pragma once
// The devices `wvauthz test` and `wvauthz bench` read: the project's credentials CSV
// (auth/credentials_csv.hpp, documented in config/credentials.md), one device per row.
//
//   akid,username,password,expected,publish,subscribe
//   2453AC035CBCBC9A,wavelet-0001,s3cret,allow,wv/2453AC035CBCBC9A/data;!wv/other/data,wv/2453AC035CBCBC9A/#
//   2453AC035CBCBC9A,wavelet-0001,wrong,deny,,
//
// - expected (needed by `test` on every row): allow, deny (isAuthenticated false or a policy
//   that refuses iot:Connect) or invalid_response.
// - publish / subscribe: topics (filters) separated by ';'; a leading '!' means "must be denied".
// - server_name: the SNI in the event (default localhost).
// - A `sha256:` password cannot be sent: an error names the row.
// Errors: std::runtime_error "<file>:<line>: <problem>".
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "auth/credentials_csv.hpp"
#include "authorizer_clients/loadgen/load_run.hpp"

namespace wv::wvauthz {

struct device_case {
    int line = 0;
    loadgen::device_credential device{};
    auth::expected_outcome expected = auth::expected_outcome::none;
    std::vector<std::string> publish_allowed{}, publish_denied{}, subscribe_allowed{}, subscribe_denied{};
};

// need_expected: every row must say what it expects (wvauthz test).
std::vector<device_case> parse_device_file(std::string_view text, const std::string& origin, bool need_expected = true);
std::vector<device_case> load_device_file(const std::filesystem::path& file, bool need_expected = true);

}  // namespace wv::wvauthz
