// The registry alone: state that survives a restart (SQLite), seed and export round trips,
// the gateway's identity lookup, change listeners, reads concurrent with writes.
#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <thread>

#include "registry/registry.hpp"
#include "registry/seed.hpp"
#include "support/temp_dir.hpp"
#include "tls/test_ca.hpp"

using namespace wv::registry;

namespace {
const char* allow_all = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]})";
registry_options opts(const std::filesystem::path& state = {}) {
    return {.acct = {.region = "eu-central-1", .id = "123456789012"}, .state = state, .key_type = issued_key::ec_p256};
}
}  // namespace

TEST_CASE("a restart keeps everything: things, certificates, policies, attachments, rules, the CA") {
    wv::test::temp_dir dir;
    const auto db = dir / "registry.db";
    std::string cert_id, ca_pem, code;
    {
        registry reg(opts(db));
        REQUIRE(reg.create_thing_type("wavelet", "", {}));
        REQUIRE(reg.create_thing("dev1", "wavelet", {{"fw", "1"}}));
        const auto k = reg.create_keys_and_certificate(true);
        REQUIRE(k);
        cert_id = k.value().cert.id;
        REQUIRE(reg.create_policy("p", allow_all));
        REQUIRE_FALSE(reg.attach_policy("p", reg.certificate_arn(cert_id)));
        REQUIRE_FALSE(reg.attach_thing_principal("dev1", reg.certificate_arn(cert_id)));
        REQUIRE_FALSE(reg.update_thing("dev1", std::nullopt, false, std::map<std::string, std::string>{{"fw", "2"}}, true, 1));
        REQUIRE_FALSE(reg.create_topic_rule("r", {{"sql", "SELECT * FROM 'a/#'"}, {"actions", nlohmann::json::array()}}));
        ca_pem = reg.amazon_ca_pem();
        code = reg.registration_code();
    }
    CHECK(std::filesystem::file_size(db) > 0);
    registry again(opts(db));
    const auto t = again.describe_thing("dev1");
    REQUIRE(t);
    CHECK(t.value().version == 2);
    CHECK(t.value().attributes.at("fw") == "2");
    const auto who = again.identify(cert_id);
    CHECK(who.known);
    CHECK(who.status == cert_status::active);
    REQUIRE(who.things.size() == 1);
    CHECK(who.things[0].name == "dev1");
    CHECK(who.policy_documents == std::vector<std::string>{allow_all});
    CHECK(again.get_topic_rule("r"));
    CHECK(again.amazon_ca_pem() == ca_pem);  // certificates issued before still chain
    CHECK(again.registration_code() == code);
}

TEST_CASE("a state file that is not SQLite is refused with its name") {
    wv::test::temp_dir dir;
    const auto bad = dir.write("registry.db", "this is not a database, just text that is long enough to have a header..");
    CHECK_THROWS_WITH_AS(registry(opts(bad)), doctest::Contains("registry.db"), std::runtime_error);
}

TEST_CASE("identify: unknown, thing-group policies, CA status; listeners see status changes") {
    registry reg(opts());
    CHECK_FALSE(reg.identify(std::string(64, '0')).known);
    const auto k = reg.create_keys_and_certificate(false);
    REQUIRE(k);
    const std::string id = k.value().cert.id;
    CHECK(reg.identify(id).status == cert_status::inactive);
    REQUIRE(reg.create_thing("d", "", {}));
    REQUIRE(reg.create_thing_group("g", "", "", {}));
    REQUIRE_FALSE(reg.add_thing_to_group("g", "d"));
    REQUIRE(reg.create_policy("gp", allow_all));
    REQUIRE_FALSE(reg.attach_policy("gp", reg.acct().arn("thinggroup", "g")));
    REQUIRE_FALSE(reg.attach_thing_principal("d", reg.certificate_arn(id)));
    CHECK(reg.identify(id).policy_documents.size() == 1);  // through the thing's group

    std::vector<certificate_change> seen;
    auto handle = reg.on_certificate_change([&](const certificate_change& c) { seen.push_back(c); });
    REQUIRE_FALSE(reg.update_certificate(id, "ACTIVE"));
    REQUIRE_FALSE(reg.update_certificate(id, "REVOKED"));
    REQUIRE(seen.size() == 2);
    CHECK(seen[1].certificate_id == id);
    CHECK(seen[1].status == cert_status::revoked);
    handle.reset();
    REQUIRE_FALSE(reg.detach_thing_principal("d", reg.certificate_arn(id)));
    REQUIRE_FALSE(reg.delete_certificate(id, true));
    CHECK(seen.size() == 2);  // released: no more calls
}

TEST_CASE("seed and export: an exported registry seeds an empty one to the same state") {
    wv::test::temp_dir dir;
    wv::tls::make_test_ca(dir.path());
    const auto dev = wv::tls::make_client_cert(dir.path(), "dev1");
    const auto seed = dir.write("seed.yaml",
                                "thingTypes: [{thingTypeName: wavelet}]\n"
                                "thingGroups: [{thingGroupName: plant, things: [dev1], policies: [dev]}]\n"
                                "things:\n"
                                "  - {thingName: dev1, thingTypeName: wavelet, attributes: {model: w1, fw: 1.50}}\n"
                                "policies:\n"
                                "  - policyName: dev\n"
                                "    policyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Action: 'iot:*', Resource: '*'}]}\n"
                                "caCertificates: [{certificateFile: ca.crt, status: ACTIVE}]\n"
                                "certificates: [{certificateFile: dev1.crt, status: ACTIVE, policies: [dev], things: [dev1]}]\n");
    registry a(opts());
    seed_registry(a, seed);
    seed_registry(a, seed);  // twice: nothing changes, nothing fails
    const auto certs = a.list_certificates(std::nullopt, {});
    REQUIRE(certs.value().items.size() == 1);
    const std::string id = certs.value().items[0].id;
    CHECK_FALSE(certs.value().items[0].ca_id.empty());
    CHECK(a.identify(id).things.at(0).attributes.at("model") == "w1");

    const auto exported = dir.write("export.yaml", export_seed_yaml(a));
    registry b(opts());
    seed_registry(b, exported);
    CHECK(b.snapshot() == a.snapshot());
    CHECK(b.describe_thing("dev1").value().attributes.at("fw") == "1.50");  // text stays text

    CHECK_THROWS_WITH_AS(seed_registry(b, dir.write("bad.yaml", "policies: [{policyName: x, policyDocument: 'nope'}]\n")),
                         doctest::Contains("MalformedPolicyException"), std::runtime_error);
}

TEST_CASE("identify() on many threads while certificates change") {
    registry reg(opts());
    std::vector<std::string> ids;
    for (int i = 0; i < 20; ++i) ids.push_back(reg.create_keys_and_certificate(true).value().cert.id);
    std::atomic<bool> stop{false};
    std::atomic<long> lookups{0}, unknown{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 3; ++t)
        readers.emplace_back([&] {
            while (!stop) {
                for (const auto& id : ids)
                    if (!reg.identify(id).known) ++unknown;
                ++lookups;
            }
        });
    for (int round = 0; round < 20; ++round)
        for (const auto& id : ids) REQUIRE_FALSE(reg.update_certificate(id, round % 2 ? "ACTIVE" : "INACTIVE"));
    stop = true;
    for (auto& r : readers) r.join();
    CHECK(lookups > 0);
    CHECK(unknown == 0);
}

TEST_CASE("a write batch: applied at once, acknowledged once on disk in one transaction, kept by a restart") {
    wv::test::temp_dir dir;
    const auto file = dir.path() / "registry.db";
    {
        registry reg(opts(file));
        const auto tx0 = reg.store_transactions();
        std::promise<status> saved;
        {
            registry::write_batch batch(reg);
            REQUIRE(reg.create_thing("b1", "", {}));
            REQUIRE(reg.create_thing("b2", "", {{"k", "v"}}));
            REQUIRE(reg.create_policy("bp", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]})"));
            REQUIRE(reg.create_thing_group("bg", "", "", {}));
            REQUIRE_FALSE(reg.add_thing_to_group("bg", "b1"));
            CHECK(reg.describe_thing("b2"));  // visible before it is acknowledged
            batch.finish([&](status e) { saved.set_value(e); });
        }
        auto f = saved.get_future();
        REQUIRE(f.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
        CHECK_FALSE(f.get());
        CHECK(reg.store_transactions() - tx0 <= 5);  // five writes, queued together
        // Outside a batch each call is acknowledged on its own, as before.
        REQUIRE(reg.create_thing("b3", "", {}));
        // A batch that wrote nothing acknowledges at once.
        registry::write_batch empty(reg);
        bool called = false;
        empty.finish([&](status e) { called = !e; });
        CHECK(called);
    }
    registry again(opts(file));
    CHECK(again.describe_thing("b1"));
    CHECK(again.describe_thing("b2").value().attributes.at("k") == "v");
    CHECK(again.describe_thing("b3"));
    CHECK(again.get_policy("bp"));
    CHECK(again.groups_for_thing("b1", {}).value().items.at(0).name == "bg");
}

TEST_CASE("writers on many threads share transactions (group commit), and every acknowledged write is kept") {
    wv::test::temp_dir dir;
    const auto file = dir.path() / "registry.db";
    constexpr int threads = 8, per_thread = 40;
    std::uint64_t transactions = 0;
    {
        registry reg(opts(file));
        REQUIRE(reg.create_thing_group("g", "", "", {}));
        const auto tx0 = reg.store_transactions();
        std::vector<std::thread> ts;
        std::atomic<int> acknowledged{0};
        for (int t = 0; t < threads; ++t)
            ts.emplace_back([&, t] {
                for (int i = 0; i < per_thread; ++i) {
                    std::promise<void> done;
                    registry::write_batch batch(reg);
                    const auto name = "t" + std::to_string(t) + "-" + std::to_string(i);
                    if (!reg.create_thing(name, "", {})) continue;
                    if (reg.add_thing_to_group("g", name)) continue;
                    batch.finish([&](status e) {
                        if (!e) ++acknowledged;
                        done.set_value();
                    });
                    done.get_future().wait();
                }
            });
        for (auto& t : ts) t.join();
        CHECK(acknowledged == threads * per_thread);
        transactions = reg.store_transactions() - tx0;
    }
    MESSAGE(threads * per_thread << " batches of 2 writes in " << transactions << " transactions");
    CHECK(transactions <= static_cast<std::uint64_t>(threads * per_thread));  // one per write without group commit
    registry again(opts(file));
    for (int t = 0; t < threads; ++t)
        for (int i = 0; i < per_thread; ++i) {
            const auto name = "t" + std::to_string(t) + "-" + std::to_string(i);
            CHECK(again.describe_thing(name));
            CHECK(again.groups_for_thing(name, {}).value().items.size() == 1);
        }
}
