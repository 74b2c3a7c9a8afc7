#include <doctest/doctest.h>

#include "policy/arn.hpp"
#include "policy/evaluate.hpp"

using namespace wv::policy;

namespace {

const arn_scope scope{.region = "us-east-1", .account = "123456789012"};
const std::string prefix = "arn:aws:iot:us-east-1:123456789012:";

policy one(const std::string& statements, const std::string& version = "2012-10-17") {
    auto r = parse_policy(R"({"Version":")" + version + R"(","Statement":[)" + statements + "]}");
    REQUIRE_MESSAGE(r.ok(), r.error);
    return *r.value;
}

std::string allow(const std::string& action, const std::string& resource) {
    return R"({"Effect":"Allow","Action":")" + action + R"(","Resource":")" + resource + R"("})";
}

decision check(const policy& p, const std::string& action, const std::string& resource, request_context ctx = {}) {
    if (ctx.client_id.empty()) ctx.client_id = "dev1";
    const std::vector ps{p};
    return evaluate(ps, {action, resource, ctx}).result;
}

}  // namespace

TEST_CASE("wildcards in resources (spec 4.3): '*' crosses '/', '?' is one char, '+' and '#' are literal") {
    struct row {
        const char* policy_resource;
        const char* action;
        std::string request;
        decision expected;
    };
    const row rows[] = {
        {"topic/wv/*", "iot:Publish", topic_arn(scope, "wv/a/b/c"), decision::allow},
        {"topic/wv/*", "iot:Publish", topic_arn(scope, "wv"), decision::implicit_deny},
        {"topic/wv/*", "iot:Publish", topic_arn(scope, "wv/"), decision::allow},
        {"topic/some/?????" "/topic",  /* split: "??/" is a trigraph */ "iot:Publish", topic_arn(scope, "some/abcde/topic"), decision::allow},
        {"topic/some/?????" "/topic",  /* split: "??/" is a trigraph */ "iot:Publish", topic_arn(scope, "some/abcd/topic"), decision::implicit_deny},
        {"topic/some/?????" "/topic",  /* split: "??/" is a trigraph */ "iot:Publish", topic_arn(scope, "some/ab/de/topic"), decision::allow},  // '?' matches '/'
        {"topicfilter/a/+/b", "iot:Subscribe", topicfilter_arn(scope, "a/+/b"), decision::allow},
        {"topicfilter/a/+/b", "iot:Subscribe", topicfilter_arn(scope, "a/x/b"), decision::implicit_deny},
        {"topicfilter/wv/+", "iot:Subscribe", topicfilter_arn(scope, "wv/x"), decision::implicit_deny},
        {"topicfilter/wv/#", "iot:Subscribe", topicfilter_arn(scope, "wv/#"), decision::allow},
        {"topicfilter/wv/#", "iot:Subscribe", topicfilter_arn(scope, "wv/x"), decision::implicit_deny},
        {"topicfilter/wv/*", "iot:Subscribe", topicfilter_arn(scope, "wv/#"), decision::allow},
        {"topicfilter/wv/*", "iot:Subscribe", topicfilter_arn(scope, "wv/+/samp"), decision::allow},
        {"topic/wv/*", "iot:Subscribe", topicfilter_arn(scope, "wv/x"), decision::implicit_deny},  // topic != topicfilter
        {"topic/$aws/things/x/shadow/get", "iot:Publish", topic_arn(scope, "$aws/things/x/shadow/get"), decision::allow},
        {"client/dev1", "iot:Connect", client_arn(scope, "dev1"), decision::allow},
        {"client/dev1", "iot:Connect", client_arn(scope, "dev10"), decision::implicit_deny},
        {"topic/Wv/x", "iot:Publish", topic_arn(scope, "wv/x"), decision::implicit_deny},  // ARNs are case-sensitive
    };
    for (const auto& r : rows) {
        CAPTURE(r.policy_resource);
        CAPTURE(r.request);
        CHECK(check(one(allow(r.action, prefix + r.policy_resource)), r.action, r.request) == r.expected);
    }
}

TEST_CASE("actions: exact, case-insensitive, wildcards") {
    const auto t = topic_arn(scope, "a");
    CHECK(check(one(allow("iot:*", "*")), "iot:Publish", t) == decision::allow);
    CHECK(check(one(allow("*", "*")), "iot:Publish", t) == decision::allow);
    CHECK(check(one(allow("iot:publish", "*")), "iot:Publish", t) == decision::allow);
    CHECK(check(one(allow("iot:Pub*", "*")), "iot:Publish", t) == decision::allow);
    CHECK(check(one(allow("iot:Publish", "*")), "iot:Subscribe", t) == decision::implicit_deny);
    CHECK(check(one(allow("iot:Publish", "*")), "iot:RetainPublish", t) == decision::implicit_deny);
    // NotAction: everything but the listed actions.
    const auto p = one(R"({"Effect":"Allow","NotAction":"iot:Subscribe","Resource":"*"})");
    CHECK(check(p, "iot:Publish", t) == decision::allow);
    CHECK(check(p, "iot:Subscribe", t) == decision::implicit_deny);
}

TEST_CASE("IAM precedence: explicit Deny beats Allow, across policies, in any order") {
    const auto allow_all = one(allow("iot:*", "*"));
    const auto deny_secret = one(R"({"Effect":"Deny","Action":"iot:Publish","Resource":")" + prefix + R"(topic/secret/*"})");
    for (const auto& ps : {std::vector{allow_all, deny_secret}, std::vector{deny_secret, allow_all}}) {
        const auto e = evaluate(ps, {"iot:Publish", topic_arn(scope, "secret/x"), {.client_id = "c"}});
        CHECK(e.result == decision::explicit_deny);
        REQUIRE(e.matched);
        CHECK(ps[e.matched->policy_index].statements[e.matched->statement_index].eff == effect::deny);
        CHECK(e.reason.find("explicitly denied") != std::string::npos);
        CHECK(evaluate(ps, {"iot:Publish", topic_arn(scope, "open/x"), {.client_id = "c"}}).allowed());
    }
    const std::vector<policy> none;
    const auto e = evaluate(none, {"iot:Connect", client_arn(scope, "c"), {.client_id = "c"}});
    CHECK(e.result == decision::implicit_deny);
    CHECK(e.reason == "iot:Connect on " + client_arn(scope, "c") + " is not allowed by any statement (implicit deny)");
}

TEST_CASE("policy variables and escapes (spec 4.4)") {
    const auto p = one(allow("iot:*", prefix + "client/${iot:ClientId}") + "," +
                       allow("iot:Publish", prefix + "topic/wv/${iot:ClientId}/*") + "," +
                       allow("iot:Subscribe", prefix + "topicfilter/lit/$(*)/$(?)/$($)x") + "," +
                       allow("iot:Receive", prefix + "topic/dom/${iot:DomainName}/${aws:SourceIp}"));
    request_context ctx{.client_id = "AKID-0", .source_ip = "10.0.0.7", .domain_name = "x-ats.iot.us-east-1.amazonaws.com"};
    CHECK(check(p, "iot:Connect", client_arn(scope, "AKID-0"), ctx) == decision::allow);
    CHECK(check(p, "iot:Connect", client_arn(scope, "AKID-1"), ctx) == decision::implicit_deny);
    CHECK(check(p, "iot:Publish", topic_arn(scope, "wv/AKID-0/1/samp/p1"), ctx) == decision::allow);
    CHECK(check(p, "iot:Publish", topic_arn(scope, "wv/AKID-1/1/samp/p1"), ctx) == decision::implicit_deny);
    CHECK(check(p, "iot:Subscribe", topicfilter_arn(scope, "lit/*/?/$x"), ctx) == decision::allow);
    CHECK(check(p, "iot:Subscribe", topicfilter_arn(scope, "lit/a/b/$x"), ctx) == decision::implicit_deny);
    CHECK(check(p, "iot:Receive", topic_arn(scope, "dom/x-ats.iot.us-east-1.amazonaws.com/10.0.0.7"), ctx) == decision::allow);

    // A client id such as '+' widens a topicfilter resource, as AWS warns: substitution is literal text.
    ctx.client_id = "+";
    const auto f = one(allow("iot:Subscribe", prefix + "topicfilter/wv/${iot:ClientId}/#"));
    CHECK(check(f, "iot:Subscribe", topicfilter_arn(scope, "wv/+/#"), ctx) == decision::allow);
    // ... but a '*' client id is not a wildcard.
    ctx.client_id = "*";
    CHECK(check(f, "iot:Subscribe", topicfilter_arn(scope, "wv/x/#"), ctx) == decision::implicit_deny);
    CHECK(check(f, "iot:Subscribe", topicfilter_arn(scope, "wv/*/#"), ctx) == decision::allow);
}

TEST_CASE("unresolvable variables make the resource match nothing, and say so") {
    const auto p = one(allow("iot:Connect", prefix + "client/${iot:Connection.Thing.ThingName}"));
    const std::vector ps{p};
    const auto e = evaluate(ps, {"iot:Connect", client_arn(scope, "dev1"), {.client_id = "dev1"}});
    CHECK(e.result == decision::implicit_deny);
    CHECK(e.reason.find("${iot:Connection.Thing.ThingName} cannot be resolved") != std::string::npos);
    CHECK(e.reason.find("custom-auth") != std::string::npos);
    // A Deny built on one denies nothing.
    const std::vector both{one(allow("iot:*", "*")),
                           one(R"({"Effect":"Deny","Action":"iot:*","Resource":")" + prefix + R"(client/${iot:Connection.Thing.ThingName}"})")};
    CHECK(evaluate(both, {"iot:Connect", client_arn(scope, "dev1"), {.client_id = "dev1"}}).allowed());
    // Under the 2008 version variables are literal text.
    const auto old = one(allow("iot:Connect", prefix + "client/${iot:ClientId}"), "2008-10-17");
    CHECK(check(old, "iot:Connect", client_arn(scope, "dev1")) == decision::implicit_deny);
    CHECK(check(old, "iot:Connect", client_arn(scope, "${iot:ClientId}")) == decision::allow);
}

TEST_CASE("conditions: connect attributes, last will topic, source IP (spec 4.5)") {
    const auto c = client_arn(scope, "dev1");
    const auto deny_persistent = one(allow("iot:Connect", "*") + R"(,{"Effect":"Deny","Action":"iot:Connect","Resource":"*",
        "Condition":{"ForAnyValue:StringEquals":{"iot:ConnectAttributes":["PersistentConnect"]}}})");
    CHECK(check(deny_persistent, "iot:Connect", c, {.client_id = "dev1"}) == decision::allow);
    CHECK(check(deny_persistent, "iot:Connect", c, {.client_id = "dev1", .connect_attributes = {"PersistentConnect"}}) ==
          decision::explicit_deny);
    CHECK(check(deny_persistent, "iot:Connect", c, {.client_id = "dev1", .connect_attributes = {"LastWill"}}) ==
          decision::allow);

    const auto only_lastwill = one(R"({"Effect":"Allow","Action":"iot:Connect","Resource":"*",
        "Condition":{"ForAllValues:StringEquals":{"iot:ConnectAttributes":["LastWill"]}}})");
    CHECK(check(only_lastwill, "iot:Connect", c, {.client_id = "dev1"}) == decision::allow);  // empty set: vacuous
    CHECK(check(only_lastwill, "iot:Connect", c, {.client_id = "dev1", .connect_attributes = {"LastWill"}}) == decision::allow);
    CHECK(check(only_lastwill, "iot:Connect", c, {.client_id = "dev1", .connect_attributes = {"LastWill", "PersistentConnect"}}) ==
          decision::implicit_deny);

    const auto will = one(R"({"Effect":"Allow","Action":"iot:Connect","Resource":"*",
        "Condition":{"ArnEquals":{"iot:LastWillTopic":")" + prefix + R"(topic/wv/${iot:ClientId}/1/reportend/p1"}}})");
    CHECK(check(will, "iot:Connect", c, {.client_id = "dev1", .last_will_topic = topic_arn(scope, "wv/dev1/1/reportend/p1")}) ==
          decision::allow);
    CHECK(check(will, "iot:Connect", c, {.client_id = "dev1", .last_will_topic = topic_arn(scope, "wv/dev2/1/reportend/p1")}) ==
          decision::implicit_deny);
    CHECK(check(will, "iot:Connect", c, {.client_id = "dev1"}) == decision::implicit_deny);  // key absent

    const auto ip = one(R"({"Effect":"Allow","Action":"iot:*","Resource":"*",
        "Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]}}})");
    CHECK(check(ip, "iot:Connect", c, {.client_id = "dev1", .source_ip = "10.1.2.3"}) == decision::allow);
    CHECK(check(ip, "iot:Connect", c, {.client_id = "dev1", .source_ip = "11.1.2.3"}) == decision::implicit_deny);
    CHECK(check(ip, "iot:Connect", c, {.client_id = "dev1", .source_ip = "2001:db8::1"}) == decision::allow);
    CHECK(check(ip, "iot:Connect", c, {.client_id = "dev1", .source_ip = "garbage"}) == decision::implicit_deny);
    CHECK(check(ip, "iot:Connect", c, {.client_id = "dev1"}) == decision::implicit_deny);
    const auto not_ip = one(R"({"Effect":"Deny","Action":"iot:*","Resource":"*",
        "Condition":{"NotIpAddress":{"aws:SourceIp":"127.0.0.1/32"}}},)" + allow("iot:*", "*"));
    CHECK(check(not_ip, "iot:Connect", c, {.client_id = "dev1", .source_ip = "127.0.0.1"}) == decision::allow);
    CHECK(check(not_ip, "iot:Connect", c, {.client_id = "dev1", .source_ip = "127.0.0.2"}) == decision::explicit_deny);

    const auto like = one(R"({"Effect":"Allow","Action":"iot:Connect","Resource":"*",
        "Condition":{"StringLike":{"iot:ClientId":"AKID-*"},"StringNotEquals":{"iot:ClientId":"AKID-9"}}})");
    CHECK(check(like, "iot:Connect", c, {.client_id = "AKID-1"}) == decision::allow);
    CHECK(check(like, "iot:Connect", c, {.client_id = "AKID-9"}) == decision::implicit_deny);
    CHECK(check(like, "iot:Connect", c, {.client_id = "dev1"}) == decision::implicit_deny);

    const auto null = one(R"({"Effect":"Allow","Action":"iot:Connect","Resource":"*","Condition":{"Null":{"iot:LastWillTopic":"true"}}})");
    CHECK(check(null, "iot:Connect", c, {.client_id = "dev1"}) == decision::allow);
    CHECK(check(null, "iot:Connect", c, {.client_id = "dev1", .last_will_topic = "x"}) == decision::implicit_deny);
}

TEST_CASE("wildcard matcher: no exponential blow-up") {
    CHECK(wildcard_match("a*b", "ab"));
    CHECK(wildcard_match("*", ""));
    CHECK_FALSE(wildcard_match("?", ""));
    CHECK(wildcard_match("IOT:*", "iot:Publish", true));
    const std::string text(5000, 'a');
    CHECK_FALSE(wildcard_match("*a*a*a*a*a*a*a*a*a*a*b", text));
}

TEST_CASE("X.509 principal variables: thing name, type, attributes, IsAttached, certificate attributes") {
    principal_facts facts;
    facts.thing = principal_facts::thing_facts{"dev1", "sensor", {{"site", "berlin"}, {"floor", "3"}}};
    facts.certificate = {{"Subject.CommonName", {"dev1"}},
                         {"Subject.OrganizationalUnit", {"ops", "lab"}},  // two values
                         {"Issuer.Organization", {"Example"}},
                         {"SubjectAlternativeName.DNSName", {"dev1.example"}}};
    request_context ctx{.client_id = "dev1", .principal = &facts};
    struct row {
        const char* resource_pattern;  // after topic/
        const char* topic;
        decision want;
    };
    const row rows[] = {
        {"t/${iot:Connection.Thing.ThingName}/*", "t/dev1/x", decision::allow},
        {"t/${iot:Connection.Thing.ThingName}/*", "t/dev2/x", decision::implicit_deny},
        {"t/${iot:Connection.Thing.ThingTypeName}", "t/sensor", decision::allow},
        {"t/${iot:Connection.Thing.Attributes[site]}/${iot:Connection.Thing.Attributes[floor]}", "t/berlin/3", decision::allow},
        {"t/${iot:Connection.Thing.Attributes[missing]}", "t/", decision::implicit_deny},
        {"t/${iot:Connection.Thing.IsAttached}", "t/true", decision::allow},
        {"t/${iot:Certificate.Subject.CommonName}", "t/dev1", decision::allow},
        {"t/${iot:Certificate.Issuer.Organization}", "t/Example", decision::allow},
        {"t/${iot:Certificate.SubjectAlternativeName.DNSName}", "t/dev1.example", decision::allow},
        {"t/${iot:Certificate.Subject.OrganizationalUnit}", "t/ops", decision::implicit_deny},  // multi-valued: not evaluated
        {"t/${iot:Certificate.Subject.Country}", "t/", decision::implicit_deny},                // absent
    };
    for (const auto& r : rows) {
        CAPTURE(r.resource_pattern);
        CAPTURE(r.topic);
        const auto p = one(allow("iot:Publish", prefix + "topic/" + r.resource_pattern));
        CHECK(check(p, "iot:Publish", topic_arn(scope, r.topic), ctx) == r.want);
    }
    // Conditions: IsAttached with Bool, the .List form with ForAnyValue.
    const auto attached = one(R"({"Effect":"Allow","Action":"iot:Connect","Resource":"*",
        "Condition":{"Bool":{"iot:Connection.Thing.IsAttached":"true"}}})");
    CHECK(check(attached, "iot:Connect", client_arn(scope, "dev1"), ctx) == decision::allow);
    principal_facts no_thing;
    CHECK(check(attached, "iot:Connect", client_arn(scope, "dev1"), {.client_id = "dev1", .principal = &no_thing}) ==
          decision::implicit_deny);
    const auto ou = one(R"({"Effect":"Allow","Action":"iot:Connect","Resource":"*",
        "Condition":{"ForAnyValue:StringEquals":{"iot:Certificate.Subject.OrganizationalUnit.List":["lab"]}}})");
    CHECK(check(ou, "iot:Connect", client_arn(scope, "dev1"), ctx) == decision::allow);
    // Without a registry principal (custom auth) none of them resolves.
    const auto p = one(allow("iot:Publish", prefix + "topic/t/${iot:Connection.Thing.IsAttached}"));
    CHECK(check(p, "iot:Publish", topic_arn(scope, "t/false"), {.client_id = "dev1"}) == decision::implicit_deny);
}

TEST_CASE("uses_principal_variables: thing and certificate variables anywhere, any case; others not") {
    const auto uses = [](const std::string& statements) {
        const std::vector ps{one(statements)};
        return uses_principal_variables(ps);
    };
    CHECK_FALSE(uses(allow("iot:Connect", "arn:aws:iot:*:*:client/${iot:ClientId}")));
    CHECK_FALSE(uses(allow("iot:Publish", "arn:aws:iot:*:*:topic/${iot:Connection.Thingy}/x")));  // not the prefix
    CHECK(uses(allow("iot:Connect", "arn:aws:iot:*:*:client/${iot:Connection.Thing.ThingName}")));
    CHECK(uses(allow("iot:Publish", "arn:aws:iot:*:*:topic/${IOT:CERTIFICATE.Subject.CommonName}/*")));
    // In a condition key, and in a condition value.
    CHECK(uses(R"({"Effect":"Allow","Action":"iot:Connect","Resource":"*",)"
               R"("Condition":{"Bool":{"iot:Connection.Thing.IsAttached":"true"}}})"));
    CHECK(uses(R"({"Effect":"Allow","Action":"iot:Connect","Resource":"*",)"
               R"("Condition":{"StringEquals":{"iot:ClientId":"${iot:Certificate.SerialNumber}"}}})"));
    // A second document naming one is enough.
    const std::vector two{one(allow("iot:Connect", "*")),
                          one(allow("iot:Publish", "arn:aws:iot:*:*:topic/${iot:Connection.Thing.Attributes[site]}"))};
    CHECK(uses_principal_variables(two));
}
