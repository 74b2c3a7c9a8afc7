// The local control plane over real HTTP, called by an unmodified python authorizer through
// boto3's `iot` client: the runner points boto3 at it, so list_things by attribute and
// describe_thing (including botocore parsing our 404) work offline against a registry
// seeded from a things file.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "functions/handler/handler_backend.hpp"
#include "control_plane/control_plane_server.hpp"
#include "registry/registry.hpp"
#include "registry/things_file.hpp"
#include "call.hpp"
#include "support/temp_dir.hpp"

using wv::auth::backend_errc;
using wv::test::call;
using wv::test::mqtt_event;

namespace {

// Looks the device up by its UUID attribute (the MQTT client id), the way Ayyeka's registry
// authorizer does, and checks the SECRET_KEY attribute and the thing name.
const char* registry_authorizer = R"PY(
import base64, os
import boto3

def lambda_handler(event, context):
    mqtt = event["protocolData"]["mqtt"]
    user = mqtt["username"].split("?")[0]
    password = base64.b64decode(mqtt["password"]).decode()
    client_id = mqtt["clientId"]
    iot = boto3.client("iot", region_name=os.environ["region"])
    if user == "describe":
        try:
            iot.describe_thing(thingName=client_id)
            return {"found": True}
        except iot.exceptions.ResourceNotFoundException as e:
            return {"found": False, "code": e.response["Error"]["Code"]}
    things = iot.list_things(maxResults=1, attributeName="UUID", attributeValue=client_id)["things"]
    ok = bool(things) and things[0]["attributes"].get("SECRET_KEY") == password and things[0]["thingName"] == user
    arn = "arn:aws:iot:%s:%s" % (os.environ["region"], os.environ["account_id"])
    return {
        "isAuthenticated": True,
        "principalId": client_id,
        "policyDocuments": [{"Version": "2012-10-17", "Statement": [
            {"Action": ["iot:Connect"], "Effect": "Allow" if ok else "Deny", "Resource": [arn + ":client/" + client_id]}]}],
        "disconnectAfterInSeconds": 3600,
        "refreshAfterInSeconds": 300,
    }
)PY";

std::string effect(const wv::auth::backend_reply& r) {
    return nlohmann::json::parse(r.body)["policyDocuments"][0]["Statement"][0]["Effect"];
}

}  // namespace

TEST_CASE("a boto3 authorizer runs offline against the local registry") {
    wv::test::temp_dir dir;
    const auto things_file = dir.write("things.csv",
                                       "thingName,thingTypeName,UUID,SECRET_KEY\n"
                                       "wavelet-0001,wavelet,2453AC035CBCBC9A,s3cret\n"
                                       "wavelet-0002,wavelet,2453AC035CBCBC9B,other\n");
    wv::registry::registry reg({.acct = {.region = "eu-central-1", .id = "123456789012"}});
    wv::registry::seed_things(reg, wv::registry::load_things(things_file));
    wv::control_plane::control_plane_server server(reg, {.port = 0});
    REQUIRE(server.port() != 0);

    const auto file = dir.write("lambda_function.py", registry_authorizer);
    auto b = wv::handler::make_handler_backend({.spec = "python:" + file.string(),
                                                .workers = 1,
                                                .environment = {{"region", "eu-central-1"},
                                                                {"account_id", "123456789012"}},
                                                .iot_endpoint_url = server.url()});

    auto r = call(*b, mqtt_event("wavelet-0001?x-amz-customauthorizer-name=auth", "s3cret", "2453AC035CBCBC9A"), std::chrono::seconds(20));
    REQUIRE_MESSAGE(r.error == backend_errc::none, wv::test::errc_name(r.error), " ", r.detail);
    CHECK(effect(r) == "Allow");

    r = call(*b, mqtt_event("wavelet-0001", "wrong", "2453AC035CBCBC9A"), std::chrono::seconds(20));
    REQUIRE_MESSAGE(r.error == backend_errc::none, r.detail);
    CHECK(effect(r) == "Deny");

    r = call(*b, mqtt_event("wavelet-0001", "s3cret", "UNKNOWN"), std::chrono::seconds(20));
    REQUIRE_MESSAGE(r.error == backend_errc::none, r.detail);
    CHECK(effect(r) == "Deny");

    r = call(*b, mqtt_event("describe", "", "wavelet-0002"), std::chrono::seconds(20));
    REQUIRE_MESSAGE(r.error == backend_errc::none, r.detail);
    CHECK(nlohmann::json::parse(r.body)["found"] == true);
    r = call(*b, mqtt_event("describe", "", "ghost"), std::chrono::seconds(20));
    REQUIRE_MESSAGE(r.error == backend_errc::none, r.detail);
    CHECK(nlohmann::json::parse(r.body) == nlohmann::json{{"found", false}, {"code", "ResourceNotFoundException"}});
    CHECK(server.requests() >= 5);
}
