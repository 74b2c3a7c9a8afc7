// The MQTT API's topics and payload codec: which topics are requests, byte-exact CBOR.
#include <doctest/doctest.h>

#include "provisioning/mqtt_api.hpp"

using namespace wv::provisioning;

TEST_CASE("request topics: the three operations in json and cbor, nothing else") {
    const auto a = parse_request_topic("$aws/certificates/create/json");
    REQUIRE(a);
    CHECK(a->op == operation::create_keys_and_certificate);
    CHECK(a->format == payload_format::json);
    const auto b = parse_request_topic("$aws/certificates/create-from-csr/cbor");
    REQUIRE(b);
    CHECK(b->op == operation::create_certificate_from_csr);
    CHECK(b->format == payload_format::cbor);
    const auto c = parse_request_topic("$aws/provisioning-templates/my_tmpl-1/provision/json");
    REQUIRE(c);
    CHECK(c->op == operation::register_thing);
    CHECK(c->template_name == "my_tmpl-1");
    for (const char* t : {"$aws/certificates/create/json/accepted", "$aws/certificates/create/xml",
                          "$aws/certificates/create", "$aws/provisioning-templates//provision/json",
                          "$aws/provisioning-templates/t/provision/json/rejected", "$aws/provisioning-templates/t/json",
                          "aws/certificates/create/json"})
        CHECK_MESSAGE(!parse_request_topic(t), t);
}

TEST_CASE("CBOR payloads: a rejection encodes to the bytes a CBOR map of three keys is") {
    const auto bytes = encode_payload(error_body({400, "E", "m"}), payload_format::cbor);
    const std::string expected = std::string("\xa3", 1) +                         // map(3), keys in order
                                 "\x69" "errorCode" "\x61" "E" +                   // text(9), text(1)
                                 "\x6c" "errorMessage" "\x61" "m" +                // text(12), text(1)
                                 "\x6a" "statusCode" "\x19\x01\x90";               // text(10), uint16 400
    CHECK(bytes == expected);
    const auto back = decode_payload(bytes, payload_format::cbor);
    REQUIRE(std::holds_alternative<nlohmann::json>(back));
    CHECK(std::get<nlohmann::json>(back)["statusCode"] == 400);
    CHECK(std::get<api_error>(decode_payload("\x82\x01\x02", payload_format::cbor)).message ==
          "The payload must be an object (a map).");
    CHECK(std::get<api_error>(decode_payload(std::string("\xa1\x61", 2), payload_format::cbor)).message ==
          "The payload is not valid CBOR.");
    CHECK(std::get<nlohmann::json>(decode_payload("", payload_format::json)).empty());
}
