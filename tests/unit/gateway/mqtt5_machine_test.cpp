// The connection machine speaking MQTT 5 as AWS IoT Core does, on virtual time with scripted
// peers: what the gateway sends is checked byte for byte against vectors written by hand from
// the MQTT 5.0 standard (a comment per field); what the peers send is built with the codec.
#include <doctest/doctest.h>

#include "machine_harness.hpp"

using namespace wv;
using namespace wv::test;
using gate::connection_machine;
using gate::disconnect_reason;
using bytes = std::vector<std::byte>;

namespace {

bytes b(std::initializer_list<int> v) {
    bytes out;
    for (int x : v) out.push_back(static_cast<std::byte>(x));
    return out;
}
bytes operator+(bytes a, const bytes& c) {
    a.insert(a.end(), c.begin(), c.end());
    return a;
}
bytes str(std::string_view s) {  // a UTF-8 string field: 2-byte length, then the bytes
    bytes out = b({static_cast<int>(s.size() >> 8), static_cast<int>(s.size() & 0xff)});
    for (char c : s) out.push_back(static_cast<std::byte>(c));
    return out;
}

mqtt::byte_buffer connect5(std::string_view id, std::uint16_t keep_alive = 60, mqtt::properties props = {},
                           std::string_view password = "pw1", bool clean = true) {
    mqtt::connect c;
    c.protocol_level = 5;
    c.client_id = id;
    c.keep_alive_s = keep_alive;
    c.clean_session = clean;
    c.user_name = "dev1";
    c.password = mqtt::as_bytes(password);
    c.properties = props;
    return mqtt::encode_to_bytes(c);
}

mqtt::byte_buffer publish5(std::string_view topic, std::string_view payload, std::uint16_t id,
                           mqtt::properties props = {}, mqtt::qos q = mqtt::qos::at_least_once) {
    return mqtt::encode_to_bytes(mqtt::publish{.topic = topic, .payload = mqtt::as_bytes(payload), .qos = q,
                                               .packet_id = q == mqtt::qos::at_most_once ? std::uint16_t{0} : id,
                                               .properties = props},
                                 mqtt::protocol_level::v5);
}

mqtt::byte_buffer subscribe5(std::vector<mqtt::subscription> subs, std::uint16_t id = 1, mqtt::properties props = {}) {
    return mqtt::encode_to_bytes(mqtt::subscribe{.packet_id = id, .subscriptions = std::move(subs), .properties = props},
                                 mqtt::protocol_level::v5);
}

// The CONNACK properties wvgate always sends, in its order (5.0 3.2.2.3).
const bytes aws_connack_props = b({0x24, 0x01,                    // Maximum QoS 1
                                   0x25, 0x01,                    // Retain Available
                                   0x27, 0x00, 0x02, 0x00, 0x00,  // Maximum Packet Size 131,072
                                   0x22, 0x00, 0x08,              // Topic Alias Maximum 8
                                   0x29, 0x00,                    // Subscription Identifiers Available 0
                                   0x2a, 0x01});                  // Shared Subscriptions Available 1

std::vector<bytes> raw(const std::vector<sent_packet>& s) {
    std::vector<bytes> out;
    for (const auto& p : s) out.push_back(p.bytes);
    return out;
}

std::string denied_reply() {
    return nlohmann::json{{"isAuthenticated", false}, {"principalId", "nobody"}, {"policyDocuments", nlohmann::json::array()},
                          {"disconnectAfterInSeconds", 300}, {"refreshAfterInSeconds", 300}}
        .dump();
}

// A connected v5 peer with its CONNACK taken.
std::shared_ptr<peer> connected5(harness& h, const std::string& name, mqtt::properties props = {}) {
    auto p = h.make_peer(name);
    p->send(connect5(name, 60, props));
    REQUIRE(p->machine->current_state() == connection_machine::state::connected);
    p->take_sent();
    return p;
}

}  // namespace

TEST_CASE("MQTT 5 CONNECT accepted: CONNACK 0x00 with AWS's properties, byte for byte") {
    harness h;
    auto p = h.make_peer();
    p->send(connect5("d1"));
    REQUIRE(p->machine->current_state() == connection_machine::state::connected);
    CHECK(p->machine->version() == mqtt::protocol_level::v5);
    const auto s = raw(p->take_sent());
    REQUIRE(s.size() == 1);
    CHECK(s[0] == b({0x20, 0x13,   // CONNACK, remaining length 19
                     0x00,         // session present 0
                     0x00,         // reason: Success
                     0x10}) +      // property length 16
                      aws_connack_props);
    CHECK(h.log_text().find(R"("mqttVersion":"5.0")") != std::string::npos);
}

TEST_CASE("MQTT 5 CONNACK: Server Keep Alive when clamped, Session Expiry when lowered, an assigned client id") {
    harness h;
    auto p = h.make_peer();
    mqtt::property_builder props;
    props.add(mqtt::property_id::session_expiry_interval, 0xFFFFFFFFu);  // "never": AWS's most is 1 h here
    p->send(connect5("", 10, props.view(), "pw1", false));
    REQUIRE(p->machine->current_state() == connection_machine::state::connected);
    CHECK(p->machine->client_id() == "conn-p");
    CHECK(p->machine->keep_alive() == std::chrono::seconds(30));
    const auto s = raw(p->take_sent());
    REQUIRE(s.size() == 1);
    CHECK(s[0] == b({0x20, 0x24,                    // CONNACK, remaining length 36
                     0x00, 0x00,                    // session present 0, Success
                     0x21,                          // property length 33
                     0x11, 0x00, 0x00, 0x0e, 0x10,  // Session Expiry Interval 3,600
                     0x12}) + str("conn-p") +       // Assigned Client Identifier
                      b({0x13, 0x00, 0x1e}) +       // Server Keep Alive 30
                      aws_connack_props);
    // The authorizer event is the 3.1.1 one: no clientId key for an empty client id.
    REQUIRE(p->auth_events.size() == 1);
    CHECK_FALSE(nlohmann::json::parse(p->auth_events[0])["protocolData"]["mqtt"].contains("clientId"));
}

TEST_CASE("MQTT 5 refused login: CONNACK 0x87 with AWS's reason string; the authorizer event is the 3.1.1 one") {
    harness h;
    auto p5 = h.make_peer("p5");
    p5->auth_body = denied_reply();
    p5->send(connect5("d1", 60, {}, "wrong"));
    REQUIRE(p5->closed);
    CHECK(p5->closed->reason == disconnect_reason::auth_error);
    const auto why = std::string("CONNACK:Client is not authenticated/authorized to send the message:conn-p5");
    const auto s = raw(p5->take_sent());
    REQUIRE(s.size() == 1);
    CHECK(s[0] == b({0x20, static_cast<int>(2 + 1 + 3 + why.size()),  // CONNACK, remaining length
                     0x00, 0x87,                                       // session present 0, Not authorized
                     static_cast<int>(3 + why.size()),                 // property length
                     0x1f}) + str(why));                               // Reason String

    // The same login over 3.1.1: closed without CONNACK, and the authorizer saw the same event.
    auto p3 = h.make_peer("p3");
    p3->auth_body = denied_reply();
    p3->connect("d1", 60, true, std::nullopt, "dev1", "wrong");
    REQUIRE(p3->closed);
    CHECK(p3->take_sent().empty());
    auto e5 = nlohmann::json::parse(p5->auth_events.at(0));
    auto e3 = nlohmann::json::parse(p3->auth_events.at(0));
    e5["connectionMetadata"].erase("id");
    e3["connectionMetadata"].erase("id");
    CHECK(e5 == e3);
}

TEST_CASE("MQTT 5 CONNECT refusals before the authorizer: 0x85 client id, 0x86 no usable authorizer, 0x8C AUTH") {
    harness h;
    auto p = h.make_peer("a");
    p->send(connect5(std::string(129, 'x')));
    REQUIRE(p->closed);
    auto s = raw(p->take_sent());
    REQUIRE(s.size() == 1);
    CHECK(s[0][3] == std::byte{0x85});  // Client Identifier not valid

    h.config.authorizers.clear();
    auto q = h.make_peer("b");
    mqtt::connect c;
    c.protocol_level = 5;
    c.client_id = "d2";
    c.user_name = "dev1?x-amz-customauthorizer-name=nope";
    c.password = mqtt::as_bytes("pw1");
    q->send(mqtt::encode_to_bytes(c));
    REQUIRE(q->closed);
    s = raw(q->take_sent());
    REQUIRE(s.size() == 1);
    CHECK(s[0][3] == std::byte{0x86});  // Bad User Name or Password: the Lambda is not invoked
    CHECK(q->auth_events.empty());

    auto r = h.make_peer("c");
    mqtt::property_builder props;
    props.add(mqtt::property_id::authentication_method, "SCRAM-SHA-1");
    r->send(connect5("d3", 60, props.view()));
    REQUIRE(r->closed);
    s = raw(r->take_sent());
    REQUIRE(s.size() == 1);
    CHECK(s[0][3] == std::byte{0x8c});  // Bad authentication method: AWS has no AUTH
}

TEST_CASE("MQTT 5 PUBLISH outside the policy: PUBACK 0x87 and the connection carries on") {
    harness h;
    auto p = connected5(h, "d1");
    p->send(publish5("other/x", "no", 7));
    CHECK_FALSE(p->closed);
    const std::string why = "Not authorized to publish to other/x";
    auto s = raw(p->take_sent());
    REQUIRE(s.size() == 1);
    CHECK(s[0] == b({0x40, static_cast<int>(2 + 1 + 1 + 3 + why.size()),  // PUBACK, remaining length
                     0x00, 0x07,                                           // packet id 7
                     0x87,                                                 // Not authorized
                     static_cast<int>(3 + why.size()),                     // property length
                     0x1f}) + str(why));                                   // Reason String
    p->send(publish5("wv/d1/x", "yes", 8));
    s = raw(p->take_sent());
    REQUIRE(s.size() == 1);
    CHECK(s[0] == b({0x40, 0x02, 0x00, 0x08}));  // PUBACK packet id 8, Success (short form)
    CHECK(p->machine->current_state() == connection_machine::state::connected);

    // Request Problem Information 0: no Reason String in PUBACK (5.0 3.1.2.11.7).
    mqtt::property_builder quiet;
    quiet.add(mqtt::property_id::request_problem_information, 0);
    auto q = connected5(h, "d2", quiet.view());
    q->send(publish5("other/y", "no", 1));
    CHECK(raw(q->take_sent()) == std::vector<bytes>{b({0x40, 0x03, 0x00, 0x01, 0x87})});
}

TEST_CASE("MQTT 5 SUBSCRIBE: a filter outside the policy gets 0x87, the others are granted") {
    harness h;
    auto p = connected5(h, "d1");
    p->send(subscribe5({{.filter = "wv/#", .qos = mqtt::qos::at_least_once},
                        {.filter = "other/#", .qos = mqtt::qos::at_least_once},
                        {.filter = "wv/q2", .qos = mqtt::qos::exactly_once}}));
    CHECK_FALSE(p->closed);
    CHECK(raw(p->take_sent()) == std::vector<bytes>{b({0x90, 0x06,  // SUBACK, remaining length 6
                                                0x00, 0x01,  // packet id 1
                                                0x00,        // property length 0
                                                0x01,        // Granted QoS 1
                                                0x87,        // Not authorized
                                                0x01})});    // QoS 2 granted as 1 (Maximum QoS 1)
    CHECK(h.brk->subscription_count("d1") == 2);
}

TEST_CASE("MQTT 5 server DISCONNECT reasons: keep-alive 0x8D, takeover 0x8E, Subscription Identifier 0xA1") {
    harness h;
    auto p = connected5(h, "d1");
    h.advance(91s);
    p->tick();
    REQUIRE(p->closed);
    CHECK(p->closed->reason == disconnect_reason::mqtt_keep_alive_timeout);
    const std::string why = "no packet for 1.5 x keep-alive";
    CHECK(raw(p->take_sent()) == std::vector<bytes>{b({0xe0, static_cast<int>(1 + 1 + 3 + why.size()),  // DISCONNECT
                                                0x8d,                                            // Keep Alive timeout
                                                static_cast<int>(3 + why.size()), 0x1f}) +       // Reason String
                                             str(why)});

    auto first = connected5(h, "d2");
    h.advance(2s);  // past the 1 CONNECT/s per client id
    auto second = h.make_peer("second");
    second->send(connect5("d2"));
    first->pump();
    REQUIRE(first->closed);
    CHECK(first->closed->reason == disconnect_reason::duplicate_clientid);
    auto s = raw(first->take_sent());
    REQUIRE(s.size() == 1);
    CHECK(s[0][0] == std::byte{0xe0});
    CHECK(s[0][2] == std::byte{0x8e});  // Session taken over

    mqtt::property_builder sid;
    sid.add(mqtt::property_id::subscription_identifier, 5);
    auto r = connected5(h, "d3");
    r->send(subscribe5({{.filter = "wv/#"}}, 1, sid.view()));
    REQUIRE(r->closed);
    s = raw(r->take_sent());
    REQUIRE(s.size() == 1);
    CHECK(s[0][2] == std::byte{0xa1});  // Subscription Identifiers not supported
}

TEST_CASE("MQTT 5 inbound topic aliases: set, used, above the maximum (0x94), never set (0x82)") {
    harness h;
    auto sub = h.make_peer("sub");
    sub->connect("sub");
    sub->subscribe("wv/#");
    sub->take_sent();
    auto p = connected5(h, "d1");
    mqtt::property_builder a1;
    a1.add(mqtt::property_id::topic_alias, 1);
    p->send(publish5("wv/d1/long/topic", "one", 1, a1.view()));
    p->send(publish5("", "two", 2, a1.view()));  // the alias alone
    sub->pump();
    std::vector<std::string> got;
    for (const auto& s : sub->take_sent()) {
        auto pk = std::get<mqtt::publish>(s.decoded());  // a 3.1.1 subscriber: plain PUBLISH
        got.push_back(std::string(pk.topic) + " " + std::string(mqtt::as_chars(pk.payload)));
    }
    CHECK(got == std::vector<std::string>{"wv/d1/long/topic one", "wv/d1/long/topic two"});

    mqtt::property_builder a9;
    a9.add(mqtt::property_id::topic_alias, 9);
    p->send(publish5("wv/d1/x", "x", 3, a9.view()));
    REQUIRE(p->closed);
    auto s = raw(p->take_sent());
    REQUIRE(s.size() == 3);  // the PUBACKs of 1 and 2, then the DISCONNECT
    CHECK(s.back()[2] == std::byte{0x94});  // Topic Alias invalid

    auto q = connected5(h, "d2");
    mqtt::property_builder a2;
    a2.add(mqtt::property_id::topic_alias, 2);
    q->send(publish5("", "x", 1, a2.view()));
    REQUIRE(q->closed);
    s = raw(q->take_sent());
    REQUIRE(s.size() == 1);
    CHECK(s[0][2] == std::byte{0x82});  // Protocol Error
}

TEST_CASE("MQTT 5 malformed properties: the standard's reason code, for that connection only") {
    harness h;
    auto other = connected5(h, "other");
    const auto publish_with = [](bytes props) {  // PUBLISH QoS 1 "wv/a", id 1, hand-made properties
        return b({0x32, static_cast<int>(6 + 2 + 1 + props.size()), 0x00, 0x04, 'w', 'v', '/', 'a', 0x00, 0x01,
                  static_cast<int>(props.size())}) +
               props;
    };
    struct row {
        const char* name;
        bytes props;
        int code;
    };
    const row rows[] = {
        {"duplicate Content Type", b({0x03, 0x00, 0x01, 'a', 0x03, 0x00, 0x01, 'b'}), 0x82},
        {"Session Expiry in PUBLISH (wrong packet)", b({0x11, 0x00, 0x00, 0x00, 0x01}), 0x81},
        {"Content Type not UTF-8", b({0x03, 0x00, 0x01, 0xff}), 0x81},
        {"Topic Alias 0", b({0x23, 0x00, 0x00}), 0x94},
        {"Payload Format Indicator 2", b({0x01, 0x02}), 0x82},
    };
    int n = 0;
    for (const auto& r : rows) {
        CAPTURE(r.name);
        auto p = connected5(h, "m" + std::to_string(n++));
        p->send(mqtt::byte_buffer(publish_with(r.props)));
        REQUIRE(p->closed);
        CHECK(p->closed->reason == disconnect_reason::client_error);
        const auto s = raw(p->take_sent());
        REQUIRE(s.size() == 1);
        CHECK(s[0][0] == std::byte{0xe0});
        CHECK(s[0][2] == std::byte(r.code));
    }
    // A packet over the Maximum Packet Size the CONNACK announced (and the frame limit): 0x95.
    auto big = connected5(h, "big");
    big->send(publish5("wv/a", std::string(200 * 1024, 'x'), 1));
    REQUIRE(big->closed);
    const auto s = raw(big->take_sent());
    REQUIRE(s.size() == 1);
    CHECK(s[0][2] == std::byte{0x95});
    // The others carry on.
    other->send(publish5("wv/a", "still here", 9));
    CHECK_FALSE(other->closed);
    CHECK(raw(other->take_sent()) == std::vector<bytes>{b({0x40, 0x02, 0x00, 0x09})});
}

TEST_CASE("MQTT 5 properties reach a 5 subscriber as sent; a 3.1.1 subscriber gets the plain message") {
    harness h;
    auto s5 = connected5(h, "s5");
    s5->send(subscribe5({{.filter = "wv/#", .qos = mqtt::qos::at_least_once}}));
    auto s3 = h.make_peer("s3");
    s3->connect("s3");
    s3->subscribe("wv/#");
    s5->take_sent();
    s3->take_sent();

    auto p = connected5(h, "pub");
    mqtt::property_builder props;
    props.add(mqtt::property_id::payload_format_indicator, 1)
        .add(mqtt::property_id::message_expiry_interval, 120)
        .add(mqtt::property_id::content_type, "text/plain")
        .add(mqtt::property_id::response_topic, "wv/pub/reply")
        .add(mqtt::property_id::correlation_data, mqtt::as_bytes("c1"))
        .add_user_property("site", "lab-3");
    p->send(publish5("wv/t", "hi", 1, props.view()));
    h.advance(30s);
    s5->pump();
    s3->pump();
    const auto got5 = raw(s5->take_sent());
    REQUIRE(got5.size() == 1);
    CHECK(got5[0] == b({0x32, 0x41,                      // PUBLISH QoS 1, remaining length 65
                        0x00, 0x04, 'w', 'v', '/', 't',  // topic
                        0x00, 0x01,                      // packet id 1
                        0x36,                            // property length 54
                        0x02, 0x00, 0x00, 0x00, 0x5a,    // Message Expiry Interval: 90 s left of 120
                        0x01, 0x01,                      // Payload Format Indicator 1
                        0x03}) + str("text/plain") +     // Content Type
                         b({0x08}) + str("wv/pub/reply") +  // Response Topic
                         b({0x09}) + str("c1") +            // Correlation Data
                         b({0x26}) + str("site") + str("lab-3") +  // User Property
                         b({'h', 'i'}));
    const auto got3 = raw(s3->take_sent());
    REQUIRE(got3.size() == 1);
    CHECK(got3[0] == b({0x32, 0x0a, 0x00, 0x04, 'w', 'v', '/', 't', 0x00, 0x01, 'h', 'i'}));
}

TEST_CASE("MQTT 5 Message Expiry: a message stored for an offline session is not sent once expired") {
    harness h;
    mqtt::property_builder keep;
    keep.add(mqtt::property_id::session_expiry_interval, 600);
    auto s = h.make_peer("s");
    s->send(connect5("s", 60, keep.view(), "pw1", false));
    s->send(subscribe5({{.filter = "wv/#", .qos = mqtt::qos::at_least_once}}));
    s->send(mqtt::encode_to_bytes(mqtt::disconnect{}, mqtt::protocol_level::v5));
    REQUIRE(s->closed);

    auto p = connected5(h, "pub");
    mqtt::property_builder short_lived;
    short_lived.add(mqtt::property_id::message_expiry_interval, 5);
    p->send(publish5("wv/a", "stale", 1, short_lived.view()));
    p->send(publish5("wv/b", "fresh", 2));
    h.advance(10s);
    auto again = h.make_peer("again");
    again->send(connect5("s", 60, keep.view(), "pw1", false));
    REQUIRE(again->machine->current_state() == connection_machine::state::connected);
    h.advance(1s);
    again->tick();
    std::vector<std::string> payloads;
    for (const auto& x : again->take_sent())
        if (x.type == mqtt::packet_type::publish) {
            const auto f = std::get<mqtt::frame>(mqtt::read_frame(x.bytes));
            payloads.emplace_back(mqtt::as_chars(std::get<mqtt::publish>(mqtt::decode_any(f, mqtt::protocol_level::v5).value()).payload));
        }
    CHECK(payloads == std::vector<std::string>{"fresh"});
}

TEST_CASE("MQTT 5 subscription options: No Local, Retain As Published, Retain Handling; shared subscriptions") {
    harness h;
    auto p = connected5(h, "d1");
    p->send(publish5("wv/r", "kept", 1, {}, mqtt::qos::at_least_once));  // not retained
    p->send(mqtt::encode_to_bytes(mqtt::publish{.topic = "wv/r", .payload = mqtt::as_bytes("kept"),
                                                .qos = mqtt::qos::at_least_once, .retain = true, .packet_id = 2},
                                  mqtt::protocol_level::v5));
    p->send(subscribe5({{.filter = "wv/r", .qos = mqtt::qos::at_least_once, .no_local = true,
                         .retain_handling = mqtt::retain_handling::do_not_send}}, 3));
    p->take_sent();
    h.brk->publish(std::make_shared<gate::message>(gate::message{"wv/r", "other's", 1, true, "someone", {}, {}}));
    p->send(publish5("wv/r", "mine", 4));  // No Local: not back to d1
    p->pump();
    int publishes = 0;
    for (const auto& x : raw(p->take_sent()))
        if (x[0] == std::byte{0x30} || x[0] == std::byte{0x32} || x[0] == std::byte{0x33}) {
            ++publishes;
            CHECK(x[0] == std::byte{0x32});  // live, Retain As Published off: RETAIN 0
        }
    CHECK(publishes == 1);  // "other's" only: no retained on subscribe (Retain Handling 2), not its own

    auto q = connected5(h, "d2");
    q->send(subscribe5({{.filter = "wv/r", .qos = mqtt::qos::at_least_once, .retain_as_published = true,
                         .retain_handling = mqtt::retain_handling::send_if_new_subscription}}));
    auto s = raw(q->take_sent());
    REQUIRE(s.size() == 2);  // SUBACK, then the retained message (a new subscription)
    CHECK(s[1][0] == std::byte{0x33});
    q->send(subscribe5({{.filter = "wv/r", .qos = mqtt::qos::at_least_once, .retain_as_published = true,
                         .retain_handling = mqtt::retain_handling::send_if_new_subscription}}, 2));
    CHECK(raw(q->take_sent()).size() == 1);  // SUBACK only: not new
    h.brk->publish(std::make_shared<gate::message>(gate::message{"wv/r", "live", 1, true, "someone", {}, {}}));
    q->pump();
    s = raw(q->take_sent());
    REQUIRE(s.size() == 1);
    CHECK(s[0][0] == std::byte{0x33});  // Retain As Published: RETAIN 1 on a live delivery

    // $share/g/wv/s: each message to one member, in turn. The policy names the shared filter
    // (AWS: iot:Subscribe on topicfilter/$share/<group>/<filter>).
    auto share_reply = nlohmann::json::parse(h.good_reply());
    share_reply["policyDocuments"].push_back(
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Subscribe",)"
        R"("Resource":"arn:aws:iot:*:*:topicfilter/$share/g/wv/*"}]})");
    auto m1 = h.make_peer("m1");
    m1->auth_body = share_reply.dump();
    m1->send(connect5("m1"));
    auto m2 = h.make_peer("m2");
    m2->auth_body = share_reply.dump();
    m2->connect("m2");  // a 3.1.1 member: AWS shares between versions
    m1->send(subscribe5({{.filter = "$share/g/wv/s", .qos = mqtt::qos::at_least_once}}));
    m2->subscribe("$share/g/wv/s");
    CHECK_FALSE(m2->closed);
    m1->take_sent();
    m2->take_sent();
    for (int i = 0; i < 4; ++i)
        h.brk->publish(std::make_shared<gate::message>(gate::message{"wv/s", std::to_string(i), 1, false, "x", {}, {}}));
    m1->pump();
    m2->pump();
    CHECK(m1->take_sent().size() == 2);
    CHECK(m2->take_sent().size() == 2);
}

TEST_CASE("MQTT 5 DISCONNECT 0x04 publishes the Will; a plain DISCONNECT does not") {
    harness h;
    auto w = h.make_peer("w");
    w->connect("w");
    w->subscribe("wv/#");
    w->take_sent();
    for (const auto reason : {mqtt::reason_code::disconnect_with_will_message, mqtt::normal_disconnection}) {
        auto p = h.make_peer("p" + std::to_string(static_cast<int>(reason)));
        mqtt::connect c;
        c.protocol_level = 5;
        const std::string id = "d" + std::to_string(static_cast<int>(reason));
        c.client_id = id;
        c.keep_alive_s = 60;
        c.user_name = "dev1";
        c.password = mqtt::as_bytes("pw1");
        c.will = mqtt::last_will{.topic = "wv/will", .message = mqtt::as_bytes("gone")};
        p->send(mqtt::encode_to_bytes(c));
        p->send(mqtt::encode_to_bytes(mqtt::disconnect{.reason = reason}, mqtt::protocol_level::v5));
        REQUIRE(p->closed);
        CHECK(p->closed->reason == disconnect_reason::client_initiated_disconnect);
        w->pump();
        CHECK(w->take_sent().size() == (reason == mqtt::normal_disconnection ? 0u : 1u));
    }
}

TEST_CASE("MQTT 5 Will Delay Interval: published after the delay, or not at all when the client is back first") {
    harness h;
    auto w = h.make_peer("w");
    w->connect("w");
    w->subscribe("wv/#");
    w->take_sent();
    const auto connect_with_will = [&](const std::string& name) {
        auto p = h.make_peer(name);
        mqtt::property_builder session, will;
        session.add(mqtt::property_id::session_expiry_interval, 300);
        will.add(mqtt::property_id::will_delay_interval, 10);
        mqtt::connect c;
        c.protocol_level = 5;
        c.client_id = "dw";
        c.keep_alive_s = 60;
        c.clean_session = false;
        c.user_name = "dev1";
        c.password = mqtt::as_bytes("pw1");
        c.properties = session.view();
        c.will = mqtt::last_will{.topic = "wv/will/dw", .message = mqtt::as_bytes("gone"), .properties = will.view()};
        p->send(mqtt::encode_to_bytes(c));
        REQUIRE(p->machine->current_state() == connection_machine::state::connected);
        return p;
    };
    auto first = connect_with_will("first");
    first->transport_closed();  // abrupt: the Will is due in 10 s
    h.advance(5s);
    h.brk->expire(h.now);
    w->pump();
    CHECK(w->take_sent().empty());
    auto again = connect_with_will("again");  // back within the delay: no Will
    h.advance(20s);
    h.brk->expire(h.now);
    w->pump();
    CHECK(w->take_sent().empty());
    again->transport_closed();
    h.advance(11s);
    h.brk->expire(h.now);
    w->pump();
    const auto s = w->take_sent();
    REQUIRE(s.size() == 1);
    CHECK(std::get<mqtt::publish>(s[0].decoded()).topic == "wv/will/dw");
}

TEST_CASE("a persistent session is not resumed across MQTT versions (AWS); within 5 it is") {
    harness h;
    mqtt::property_builder keep;
    keep.add(mqtt::property_id::session_expiry_interval, 600);
    auto a = h.make_peer("a");
    a->send(connect5("ps", 60, keep.view(), "pw1", false));
    a->send(mqtt::encode_to_bytes(mqtt::disconnect{}, mqtt::protocol_level::v5));
    REQUIRE(a->closed);
    h.advance(2s);
    auto again = h.make_peer("again");
    again->send(connect5("ps", 60, keep.view(), "pw1", false));
    auto s = raw(again->take_sent());
    REQUIRE(s.size() == 1);
    CHECK(s[0][2] == std::byte{0x01});  // session present: resumed in 5
    again->send(mqtt::encode_to_bytes(mqtt::disconnect{}, mqtt::protocol_level::v5));
    h.advance(2s);
    auto v3 = h.make_peer("v3");
    v3->connect("ps", 60, false);
    s = raw(v3->take_sent());
    REQUIRE(s.size() == 1);
    CHECK(s[0] == b({0x20, 0x02, 0x00, 0x00}));  // 3.1.1 CONNACK, session present 0
}

TEST_CASE("MQTT 5 outbound topic aliases: up to the client's Topic Alias Maximum, topic + alias first, then the alias alone") {
    harness h;
    mqtt::property_builder two;
    two.add(mqtt::property_id::topic_alias_maximum, 2);
    auto s = connected5(h, "s5", two.view());
    s->send(subscribe5({{.filter = "wv/#", .qos = mqtt::qos::at_most_once}}));
    s->take_sent();
    auto p = h.make_peer("pub");
    p->connect("pub");
    p->take_sent();
    for (const char* t : {"wv/a", "wv/b", "wv/c", "wv/a", "wv/c", "wv/b"}) p->publish(t, "x", mqtt::qos::at_most_once);
    s->pump();
    const auto got = raw(s->take_sent());
    REQUIRE(got.size() == 6);
    CHECK(got[0] == b({0x30, 0x0b,                      // PUBLISH QoS 0, remaining length 11
                       0x00, 0x04, 'w', 'v', '/', 'a',  // topic
                       0x03,                            // property length 3
                       0x23, 0x00, 0x01,                // Topic Alias 1
                       'x'}));
    CHECK(got[1] == b({0x30, 0x0b, 0x00, 0x04, 'w', 'v', '/', 'b', 0x03, 0x23, 0x00, 0x02, 'x'}));  // alias 2
    CHECK(got[2] == b({0x30, 0x08,                      // the table is full: the topic in full, no alias
                       0x00, 0x04, 'w', 'v', '/', 'c',
                       0x00,                            // property length 0
                       'x'}));
    CHECK(got[3] == b({0x30, 0x07,                      // remaining length 7
                       0x00, 0x00,                      // empty topic: the alias stands for it
                       0x03, 0x23, 0x00, 0x01,          // Topic Alias 1 (wv/a)
                       'x'}));
    CHECK(got[4] == got[2]);                            // still no alias for wv/c
    CHECK(got[5] == b({0x30, 0x07, 0x00, 0x00, 0x03, 0x23, 0x00, 0x02, 'x'}));  // alias 2 (wv/b)
}

TEST_CASE("MQTT 5 outbound topic aliases: none without a Topic Alias Maximum, none for 3.1.1, none past a reconnect") {
    harness h;
    auto s = connected5(h, "s5");  // no Topic Alias Maximum: 0
    s->send(subscribe5({{.filter = "wv/#", .qos = mqtt::qos::at_most_once}}));
    s->take_sent();
    auto s3 = h.make_peer("s3");
    s3->connect("s3");
    s3->subscribe("wv/#", mqtt::qos::at_most_once);
    s3->take_sent();
    mqtt::property_builder one;
    one.add(mqtt::property_id::topic_alias_maximum, 1);
    auto a = connected5(h, "a5", one.view());
    a->send(subscribe5({{.filter = "wv/#", .qos = mqtt::qos::at_most_once}}));
    a->take_sent();
    auto p = h.make_peer("pub");
    p->connect("pub");
    p->take_sent();
    p->publish("wv/a", "x", mqtt::qos::at_most_once);
    p->publish("wv/a", "x", mqtt::qos::at_most_once);
    s->pump();
    s3->pump();
    a->pump();
    const bytes full5 = b({0x30, 0x08, 0x00, 0x04, 'w', 'v', '/', 'a', 0x00, 'x'});
    CHECK(raw(s->take_sent()) == std::vector<bytes>{full5, full5});
    const bytes full3 = b({0x30, 0x07, 0x00, 0x04, 'w', 'v', '/', 'a', 'x'});
    CHECK(raw(s3->take_sent()) == std::vector<bytes>{full3, full3});
    const bytes set1 = b({0x30, 0x0b, 0x00, 0x04, 'w', 'v', '/', 'a', 0x03, 0x23, 0x00, 0x01, 'x'});
    CHECK(raw(a->take_sent()) == std::vector<bytes>{set1, b({0x30, 0x07, 0x00, 0x00, 0x03, 0x23, 0x00, 0x01, 'x'})});

    // A new connection of the same client starts with no aliases: the first send sets it again.
    auto again = connected5(h, "a5", one.view());
    again->send(subscribe5({{.filter = "wv/#", .qos = mqtt::qos::at_most_once}}));
    again->take_sent();
    p->publish("wv/a", "x", mqtt::qos::at_most_once);
    again->pump();
    CHECK(raw(again->take_sent()) == std::vector<bytes>{set1});
}

TEST_CASE("MQTT 5 outbound topic aliases: a PUBLISH dropped for the client's Maximum Packet Size sets no alias") {
    harness h;
    mqtt::property_builder props;
    props.add(mqtt::property_id::topic_alias_maximum, 1).add(mqtt::property_id::maximum_packet_size, 20);
    auto s = connected5(h, "s5", props.view());
    s->send(subscribe5({{.filter = "wv/#", .qos = mqtt::qos::at_least_once}}));
    s->take_sent();
    auto p = h.make_peer("pub");
    p->connect("pub");
    p->take_sent();
    p->publish("wv/a", std::string(40, 'x'), mqtt::qos::at_least_once);  // 55 bytes: over 20, not sent
    p->publish("wv/a", "x", mqtt::qos::at_least_once);
    s->pump();
    const auto got = raw(s->take_sent());
    REQUIRE(got.size() == 1);
    CHECK(got[0] == b({0x32, 0x0d,                      // PUBLISH QoS 1, remaining length 13
                       0x00, 0x04, 'w', 'v', '/', 'a',  // the topic: its alias was never set
                       0x00, 0x02,                      // packet id 2 (1 went to the dropped one)
                       0x03, 0x23, 0x00, 0x01,          // Topic Alias 1
                       'x'}));
}

TEST_CASE("MQTT 5 user properties over AWS's 8 KB: that connection ends (0x95); 8 KB exactly passes") {
    harness h;
    auto other = connected5(h, "other");
    const auto props_of = [](std::size_t value_bytes) {  // one User Property "k" = value: 1 + value_bytes
        mqtt::property_builder pb;
        pb.add_user_property("k", std::string(value_bytes, 'v'));
        return pb;
    };
    auto ok = connected5(h, "ok");
    const auto at_limit = props_of(8191);  // 8,192 bytes of names and values
    ok->send(publish5("wv/a", "x", 1, at_limit.view()));
    CHECK_FALSE(ok->closed);
    CHECK(raw(ok->take_sent()) == std::vector<bytes>{b({0x40, 0x02, 0x00, 0x01})});  // PUBACK v5, success

    auto over = connected5(h, "over");
    const auto past = props_of(8192);  // 8,193 bytes
    over->send(publish5("wv/a", "x", 1, past.view()));
    REQUIRE(over->closed);
    CHECK(over->closed->reason == disconnect_reason::client_error);
    const auto s = raw(over->take_sent());
    REQUIRE(s.size() == 1);
    CHECK(s[0][0] == std::byte{0xe0});  // DISCONNECT
    CHECK(s[0][2] == std::byte{0x95});  // Packet too large
    CHECK(h.log_text().find("user properties of 8193 bytes exceed 8192") != std::string::npos);

    // In CONNECT: CONNACK 0x95 and no session.
    auto c = h.make_peer("c");
    c->send(connect5("c", 60, past.view()));
    REQUIRE(c->closed);
    const auto cs = raw(c->take_sent());
    REQUIRE(cs.size() == 1);
    CHECK(cs[0][0] == std::byte{0x20});  // CONNACK
    CHECK(cs[0][3] == std::byte{0x95});

    other->send(publish5("wv/a", "still here", 9));
    CHECK_FALSE(other->closed);
    CHECK(raw(other->take_sent()) == std::vector<bytes>{b({0x40, 0x02, 0x00, 0x09})});
}

TEST_CASE("MQTT 5 quotas and the rest of AWS's refusals: 0x97, 0x9B, 0x90, each for that connection only") {
    harness h;
    gate::connect_throttle throttle(1.0);
    h.throttle = &throttle;
    auto other = connected5(h, "other");
    const auto disconnect_code = [](const std::shared_ptr<peer>& p) {
        REQUIRE(p->closed);
        const auto s = raw(p->take_sent());
        REQUIRE_FALSE(s.empty());
        CHECK(s.back()[0] == std::byte{0xe0});  // DISCONNECT
        return static_cast<int>(s.back()[2]);
    };
    SUBCASE("over the publish rate: PUBACK 0x97 Quota exceeded, the connection stays") {
        h.config.limits.publish_rate_per_s = 1;
        auto p = connected5(h, "fast");
        for (std::uint16_t id = 1; id <= 3; ++id) p->send(publish5("wv/a", "x", id));
        CHECK_FALSE(p->closed);
        const auto s = raw(p->take_sent());
        REQUIRE(s.size() == 3);
        CHECK(s[0] == b({0x40, 0x02, 0x00, 0x01}));  // within the quota: success
        CHECK(s[2][4] == std::byte{0x97});           // PUBACK packet id 3: Quota exceeded
    }
    SUBCASE("more than 8 filters in one SUBSCRIBE: DISCONNECT 0x97") {
        auto p = connected5(h, "many");
        std::vector<mqtt::subscription> nine;
        for (int i = 0; i < 9; ++i) nine.push_back({.filter = "wv/" + std::to_string(i), .qos = mqtt::qos::at_most_once});
        p->send(subscribe5(nine));
        CHECK(disconnect_code(p) == 0x97);
    }
    SUBCASE("a QoS 2 PUBLISH: DISCONNECT 0x9B QoS not supported") {
        auto p = connected5(h, "q2");
        p->send(publish5("wv/a", "x", 1, {}, mqtt::qos::exactly_once));
        CHECK(disconnect_code(p) == 0x9b);
    }
    SUBCASE("a topic over AWS's 7 slashes: DISCONNECT 0x90 Topic Name invalid") {
        auto p = connected5(h, "deep");
        p->send(publish5("wv/1/2/3/4/5/6/7/8", "x", 1));
        CHECK(disconnect_code(p) == 0x90);
    }
    SUBCASE("a Will of QoS 2: CONNACK 0x9B") {
        auto p = h.make_peer("w2");
        mqtt::connect c;
        c.protocol_level = 5;
        c.client_id = "w2";
        c.keep_alive_s = 60;
        c.user_name = "dev1";
        c.password = mqtt::as_bytes("pw1");
        c.will = mqtt::last_will{.topic = "wv/will", .message = mqtt::as_bytes("bye"), .qos = mqtt::qos::exactly_once};
        p->send(mqtt::encode_to_bytes(c));
        REQUIRE(p->closed);
        const auto s = raw(p->take_sent());
        REQUIRE(s.size() == 1);
        CHECK(s[0][0] == std::byte{0x20});
        CHECK(s[0][3] == std::byte{0x9b});
    }
    SUBCASE("a second CONNECT of a client id within a second: CONNACK 0x97") {
        auto again = h.make_peer("again");
        again->send(connect5("other"));
        REQUIRE(again->closed);
        CHECK(again->closed->reason == disconnect_reason::throttled);
        const auto s = raw(again->take_sent());
        REQUIRE(s.size() == 1);
        CHECK(s[0][0] == std::byte{0x20});
        CHECK(s[0][3] == std::byte{0x97});
    }
    other->pump();
    other->send(publish5("wv/a", "still here", 9));
    CHECK_FALSE(other->closed);
    CHECK(raw(other->take_sent()) == std::vector<bytes>{b({0x40, 0x02, 0x00, 0x09})});
}
