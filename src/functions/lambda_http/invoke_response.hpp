#pragma once
// How an Invoke API answer maps to a backend_reply, without sockets (so every case is a unit
// test). Lambda's documented behaviour:
//   200 without X-Amz-Function-Error   the function returned: body is its result
//   200 with X-Amz-Function-Error      the function raised or timed out (Unhandled/Handled):
//                                       function_error, detail "errorType: errorMessage"
//   429 TooManyRequestsException       throttled (concurrency or rate limit)
//   404 ResourceNotFoundException      not_configured (no such function or qualifier)
//   anything else                      transport, detail "HTTP <status> <type>: <message>"
// X-Amz-Log-Result (base64 of the last 4 KB of the function's log, when LogType=Tail was
// asked) becomes the reply's log lines.
#include <string>
#include <string_view>

#include "auth/authorizer_backend.hpp"

namespace wv::lambda_http {

struct invoke_answer {
    unsigned status = 0;
    std::string function_error;  // X-Amz-Function-Error
    std::string error_type;      // x-amzn-ErrorType (without the ":http://..." suffix AWS may add)
    std::string log_result;      // X-Amz-Log-Result, base64
    std::string body;
};

auth::backend_reply to_backend_reply(const invoke_answer& a);

}  // namespace wv::lambda_http
