#pragma once
// The devices file `wvauthz test` and `wvauthz bench` read: one device per row with the
// outcome expected from the authorizer, and optionally topics to check in the policy it returns.
//
//   username,password,client_id,expected,publish,subscribe
//   wavelet-0001,s3cret,2453AC035CBCBC9A,allow,wv/2453AC035CBCBC9A/data;!wv/other/data,wv/2453AC035CBCBC9A/#
//   wavelet-0001,wrong,2453AC035CBCBC9A,deny,,
//
// - The header names the columns; username, password, client_id and expected are required,
//   server_name, publish and subscribe optional (columns may come in any order).
// - expected: allow (the device can connect: the authorizer allows and its policy allows
//   iot:Connect on the client) or deny.
// - publish / subscribe: topics (filters) separated by ';'; a leading '!' means "must be denied".
// - Auth's registry CSV (akid,username,password,expected[,policy_template]) is read too, with
//   the akid as the client id.
// Errors: std::runtime_error "<file>:<line>: <problem>".
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "authorizer_clients/loadgen/load_run.hpp"

namespace wv::wvauthz {

struct device_case {
    int line = 0;
    loadgen::device_credential device{};
    bool expect_allow = true;
    std::vector<std::string> publish_allowed{}, publish_denied{}, subscribe_allowed{}, subscribe_denied{};
};

std::vector<device_case> parse_device_file(std::string_view text, const std::string& origin);
std::vector<device_case> load_device_file(const std::filesystem::path& file);

}  // namespace wv::wvauthz
