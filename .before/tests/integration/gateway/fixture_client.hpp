#pragma once
// How this project's test client reaches a gateway_fixture: its first listener with the
// fixture's CA, logging in as the fixture's static device (dev1/pw1, authorizer "auth").
#include <string>

#include "client/connection.hpp"
#include "gateway_fixture.hpp"
#include "test_device.hpp"

namespace wv::test {

inline endpoint_options ep(const gateway_fixture& g) {
    endpoint_options e;
    e.port = g.port();
    e.ca_file = g.ca();
    return e;
}

inline client::session_options login(const std::string& client_id) {
    client::session_options s;
    s.client_id = client_id;
    s.user_name = "dev1?x-amz-customauthorizer-name=auth";
    s.password = "pw1";
    return s;
}

}  // namespace wv::test
