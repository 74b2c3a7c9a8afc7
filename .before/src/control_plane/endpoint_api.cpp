// DescribeEndpoint: every endpoint type answers with this gateway's host, since devices and
// tools on this machine reach all of them there.
#include "control_plane/routes.hpp"

namespace wv::control_plane {
namespace {

http_response describe_endpoint(const context& c, const parsed_request& r, const std::vector<std::string>&) {
    const std::string type = r.q("endpointType").value_or("iot:Data");
    if (type != "iot:Data" && type != "iot:Data-ATS" && type != "iot:CredentialProvider" && type != "iot:Jobs")
        return error_response(registry::errc::invalid_request,
                              "endpointType must be iot:Data, iot:Data-ATS, iot:CredentialProvider or iot:Jobs");
    return json_response({{"endpointAddress", c.opts.endpoint_address}});
}

}  // namespace

void add_endpoint_routes(std::vector<route>& r) { r.push_back({"GET", "endpoint", describe_endpoint}); }

}  // namespace wv::control_plane
