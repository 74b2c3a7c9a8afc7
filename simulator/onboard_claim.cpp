#include "onboard_claim.hpp"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <fstream>
#include <memory>
#include <sstream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "classify.hpp"
#include "client/client_errc.hpp"
#include "client/connection.hpp"
#include "provisioning/device_csr.hpp"
#include "reconnect.hpp"
#include "tls/connect.hpp"

namespace wv::sim {

namespace asio = boost::asio;
using nlohmann::json;

void parse_onboard(const std::string& value, claim_options& out) {
    if (value == "jitr") return;
    const auto colon = value.find(':');
    const auto mode = value.substr(0, colon);
    if ((mode == "claim" || mode == "trusted-user") && colon != std::string::npos && colon + 1 < value.size()) {
        out.mode = mode;
        out.template_name = value.substr(colon + 1);
        return;
    }
    throw config_error("--onboard " + value + ": expected jitr, claim:<template> or trusted-user:<template> "
                       "(the provisioning template's name, e.g. claim:fleet)");
}

std::set<std::string> load_refusals(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw config_error("--provision-refuse " + file.string() + ": cannot read it");
    std::set<std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        const auto a = line.find_first_not_of(" \t\r");
        if (a == std::string::npos || line[a] == '#') continue;
        out.insert(line.substr(a, line.find_last_not_of(" \t\r") + 1 - a));
    }
    return out;
}

std::uint64_t claim_result::provisioned() const {
    const auto it = device_outcomes.find("provisioned");
    return it == device_outcomes.end() ? 0 : it->second;
}

namespace {

using onboard_clock = std::chrono::steady_clock;

struct claim_run {
    const std::vector<device_identity>& ids;
    const claim_settings& s;
    claim_result r;
    std::uint32_t free_slots = 0;
    std::deque<asio::steady_timer*> waiting;
    std::uint64_t finished = 0;
};

asio::awaitable<void> claim_acquire(claim_run& run, bool ahead);
void claim_release(claim_run& run);

// A device's place among the --max-connecting devices exchanging with the gateway at once. It
// is given up while the device only waits (the second between its claim CONNECT and its
// reconnect): holding it there capped a fleet at max_connecting devices per second, whatever
// the gateway could do.
struct claim_slot {
    claim_run& run;
    bool held = false;
    asio::awaitable<void> take(bool ahead) {
        co_await claim_acquire(run, ahead);
        held = true;
    }
    void give() {
        if (held) claim_release(run);
        held = false;
    }
};

asio::awaitable<void> claim_sleep(std::chrono::nanoseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

// The replies of one connection: the last accepted/rejected message, and the coroutine
// waiting for it (woken by cancelling its timer). One thread: no locks.
struct reply_box {
    std::optional<std::pair<std::string, std::string>> reply;  // topic, payload
    asio::steady_timer* waiter = nullptr;
    bool ended = false;
    void wake() {
        if (waiter) waiter->cancel();
    }
};

// Waits for the reply to a request on `request_topic`: {accepted?, body}; nullopt on timeout
// or when the connection ended first.
asio::awaitable<std::optional<std::pair<bool, json>>> await_reply(reply_box& box, const std::string& request_topic,
                                                                  std::chrono::milliseconds timeout) {
    asio::steady_timer t(co_await asio::this_coro::executor, timeout);
    const auto deadline = onboard_clock::now() + timeout;
    for (;;) {
        if (box.reply && box.reply->first.starts_with(request_topic + "/")) {
            const bool accepted = box.reply->first.ends_with("/accepted");
            // Replies come in the request's format (a body that does not decode is discarded:
            // the rejection bucket then reads "unreadable").
            auto body = request_topic.ends_with("/cbor") ? json::from_cbor(box.reply->second, true, false)
                                                         : json::parse(box.reply->second, nullptr, false);
            box.reply.reset();
            co_return std::pair{accepted, std::move(body)};
        }
        if (box.ended || onboard_clock::now() >= deadline) co_return std::nullopt;
        box.waiter = &t;
        boost::system::error_code ec;
        co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        box.waiter = nullptr;
        t.expires_at(deadline);
    }
}

std::string rejection_bucket(const char* step, const json& body) {
    if (!body.is_object()) return std::string(step) + "_rejected:unreadable";
    return std::string(step) + "_rejected:" + std::to_string(body.value("statusCode", 0)) + " " +
           body.value("errorCode", std::string("?"));
}

// TCP + TLS + CONNECT with `identity`; the outcome bucket, or empty when CONNACK 0 came.
asio::awaitable<std::string> open_session(const claim_settings& s, const tls::client_identity& identity,
                                          const std::string& client_id, std::unique_ptr<client::connection>& out) {
    auto ex = co_await asio::this_coro::executor;
    tls::connect_options co{.host = s.host,
                            .port = s.address.port(),
                            .address = s.address,
                            .connect_timeout = s.connect_timeout,
                            .handshake_timeout = s.connect_timeout,
                            .identity = &identity};
    auto c = co_await tls::connect(ex, co, s.tls);
    if (c.ec) co_return classify_connect_error(c.ec, c.detail).bucket();
    out = std::make_unique<client::connection>(std::move(*c.s));
    client::session_options so;
    so.client_id = client_id;
    so.connack_timeout = s.connect_timeout;
    const auto ec = co_await out->async_connect(so);
    if (!ec) co_return std::string();
    out.reset();
    using client::client_errc;
    if (ec == client_errc::connack_timeout) co_return std::string(key(outcome::connack_timeout));
    for (int code = 1; code <= 5; ++code)
        if (ec == static_cast<client_errc>(static_cast<int>(client_errc::refused_protocol_version) + code - 1))
            co_return std::string(key(connack_outcome(code)));
    co_return std::string(key(outcome::closed_without_connack));
}

// Runs the connection until it ends; `box.ended` then wakes whoever waits for a reply.
void run_session(asio::any_io_executor ex, std::shared_ptr<client::connection> conn, std::shared_ptr<reply_box> box) {
    asio::co_spawn(ex, conn->run(), [conn, box](std::exception_ptr, std::error_code) {
        box->ended = true;
        box->wake();
    });
}

asio::awaitable<void> close_session(std::shared_ptr<client::connection> conn, std::shared_ptr<reply_box> box) {
    if (!box->ended) conn->disconnect();
    while (!box->ended) {
        asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::seconds(5));
        box->waiter = &t;
        boost::system::error_code ec;
        co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        box->waiter = nullptr;
        if (!ec) break;  // 5 s without the close: give up waiting, the connection winds down alone
    }
}

// Each step's time, from the end of the previous one.
struct step_timer {
    onboard_clock::time_point t = onboard_clock::now();
    void done(metrics::histogram& h) {
        const auto now = onboard_clock::now();
        h.record(now - t);
        t = now;
    }
};

// A request's payload in the API's JSON or CBOR.
std::string claim_payload(const json& body, bool cbor) {
    if (!cbor) return body.dump();
    const auto bytes = json::to_cbor(body);
    return {bytes.begin(), bytes.end()};
}

// A QoS 1 request, until its PUBACK.
asio::awaitable<std::error_code> publish_request(client::connection& conn, const std::string& topic, std::string payload) {
    const mqtt::publish p{.topic = topic,
                          .payload = std::as_bytes(std::span(payload.data(), payload.size())),
                          .qos = mqtt::qos::at_least_once};
    const auto sent = co_await conn.async_publish(p, asio::as_tuple(asio::use_awaitable));
    co_return std::get<0>(sent);
}

// One device's whole exchange; its bucket.
asio::awaitable<std::string> provision_device(claim_run& run, std::uint32_t i, claim_slot& slot) {
    const auto& s = run.s;
    const auto& id = run.ids[i];
    auto ex = co_await asio::this_coro::executor;
    step_timer t;

    // connect with the claim, subscribe to the answers first
    std::unique_ptr<client::connection> opened;
    const std::string why = co_await open_session(s, s.claim_of(i), id.akid, opened);
    if (!why.empty()) co_return "connect:" + why;
    // The gateway admitted the claim's CONNECT before its CONNACK arrived here: AWS's one CONNECT
    // per second per client id counts from no later than now. (Counting from when the connect
    // began let a reconnect whose handshake was quicker than the claim's arrive under 1 s after
    // the admitted CONNECT, and the gateway refused it THROTTLED.)
    const auto claim_admitted_by = onboard_clock::now();
    std::shared_ptr<client::connection> conn(std::move(opened));
    auto box = std::make_shared<reply_box>();
    conn->on_message([box](const mqtt::publish& p) {
        box->reply.emplace(std::string(p.topic), std::string(reinterpret_cast<const char*>(p.payload.data()), p.payload.size()));
        box->wake();
    });
    run_session(ex, conn, box);
    const std::string fmt = s.cbor ? "cbor" : "json";
    const std::string create_topic = (s.csr ? "$aws/certificates/create-from-csr/" : "$aws/certificates/create/") + fmt;
    const std::string register_topic = "$aws/provisioning-templates/" + s.template_name + "/provision/" + fmt;
    // (a std::vector: GCC 12 cannot keep a plain array in a coroutine frame)
    const std::vector<std::string> filters{create_topic + "/accepted", create_topic + "/rejected",
                                           register_topic + "/accepted", register_topic + "/rejected"};
    std::vector<mqtt::subscription> subs;
    for (const auto& f : filters) subs.push_back({.filter = f, .qos = mqtt::qos::at_least_once});
    const auto subscribed = co_await conn->async_subscribe(subs, asio::as_tuple(asio::use_awaitable));
    if (std::get<0>(subscribed)) {
        co_await close_session(conn, box);
        co_return std::string("connect:subscribe_refused");
    }
    t.done(run.r.connect);

    // create: a device-generated key and CSR, or the gateway's keys
    std::string key_pem, request = claim_payload(json::object(), s.cbor);
    if (s.csr) {
        auto k = provisioning::make_device_csr(id.akid);
        key_pem = std::move(k.private_key_pem);
        request = claim_payload(json{{"certificateSigningRequest", k.csr_pem}}, s.cbor);
    }
    if (co_await publish_request(*conn, create_topic, request)) {
        co_await close_session(conn, box);
        co_return std::string("create_publish_failed");
    }
    auto created = co_await await_reply(*box, create_topic, s.reply_timeout);
    if (!created || !created->first) {
        co_await close_session(conn, box);
        co_return created ? rejection_bucket("create", created->second) : std::string("create_timeout");
    }
    t.done(run.r.create);
    const auto& c = created->second;
    const std::string cert_pem = c.value("certificatePem", ""), token = c.value("certificateOwnershipToken", "");
    if (!s.csr) key_pem = c.value("privateKey", "");

    // register
    json params = json::object();
    for (const auto& p : s.params) params[p.first] = p.second.expand(id.index, id.akid, "", s.seed);
    // Built apart: GCC 12 cannot compile a braced json list inside a co_await expression.
    std::string register_request = claim_payload(json{{"certificateOwnershipToken", token}, {"parameters", params}}, s.cbor);
    if (co_await publish_request(*conn, register_topic, std::move(register_request))) {
        co_await close_session(conn, box);
        co_return std::string("register_publish_failed");
    }
    auto registered = co_await await_reply(*box, register_topic, s.reply_timeout);
    co_await close_session(conn, box);
    if (!registered) co_return std::string("register_timeout");
    if (!registered->first) {
        if (s.must_refuse.count(id.akid)) co_return std::string("refused_as_expected");
        co_return rejection_bucket("register", registered->second);
    }
    t.done(run.r.register_thing);
    if (registered->second.is_object()) run.r.thing_names[i] = registered->second.value("thingName", "");

    // reconnect with the new certificate
    std::optional<tls::client_identity> mine;
    try {
        mine = tls::client_identity::from_pem(cert_pem, key_pem, true);  // parsed once, used at once
    } catch (const std::exception&) {
        co_return std::string("create_unusable_certificate");
    }
    // AWS allows one CONNECT per second per client id: the reconnect waits for it (not counted
    // in the reconnect step), or the gateway refuses it THROTTLED as AWS would.
    // The slot waits elsewhere meanwhile; the reconnect takes one ahead of devices not yet started,
    // so that started devices finish first.
    if (const auto due = claim_admitted_by + min_connect_spacing; due > onboard_clock::now()) {
        slot.give();
        co_await claim_sleep(due - onboard_clock::now());
        co_await slot.take(true);
        t.t = onboard_clock::now();
    }
    std::unique_ptr<client::connection> again;
    const std::string why_not = co_await open_session(s, *mine, id.akid, again);
    if (!why_not.empty()) co_return "reconnect:" + why_not;
    std::shared_ptr<client::connection> conn2(std::move(again));
    auto box2 = std::make_shared<reply_box>();
    run_session(ex, conn2, box2);
    t.done(run.r.reconnect);
    co_await close_session(conn2, box2);
    mine->drop_parsed();  // the run keeps DER only (its devices connect once each)
    run.r.identities[i] = std::move(mine);
    co_return std::string("provisioned");
}

asio::awaitable<void> claim_acquire(claim_run& run, bool ahead) {
    if (run.free_slots > 0) {
        --run.free_slots;
        co_return;
    }
    asio::steady_timer t(co_await asio::this_coro::executor, onboard_clock::time_point::max());
    if (ahead) run.waiting.push_front(&t);
    else run.waiting.push_back(&t);
    boost::system::error_code ec;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));  // cancelled: the slot is ours
}

void claim_release(claim_run& run) {
    if (run.waiting.empty()) {
        ++run.free_slots;
        return;
    }
    run.waiting.front()->cancel();
    run.waiting.pop_front();
}

asio::awaitable<void> claim_device(claim_run& run, std::uint32_t i) {
    claim_slot slot{run};
    co_await slot.take(false);
    const auto began = onboard_clock::now();
    std::string bucket;
    try {
        bucket = co_await provision_device(run, i, slot);
    } catch (const std::exception& e) {
        bucket = "error";
        std::fprintf(stderr, "wvsim: onboarding %s: %s\n", run.ids[i].akid.c_str(), e.what());
    }
    slot.give();
    const bool listed = run.s.must_refuse.count(run.ids[i].akid) > 0;
    if (bucket == "provisioned") {
        run.r.total.record(onboard_clock::now() - began);
        if (listed) run.r.mismatches.push_back(run.ids[i].akid + ": provisioned, but --provision-refuse lists it");
    } else if (bucket == "register_rejected:403 AccessDenied" && !listed) {
        run.r.mismatches.push_back(run.ids[i].akid + ": the hook refused it (403 AccessDenied), and --provision-refuse does not list it");
    }
    ++run.r.device_outcomes[bucket];
    ++run.finished;
}

asio::awaitable<void> claim_launch(claim_run& run) {
    auto ex = co_await asio::this_coro::executor;
    const auto start = onboard_clock::now();
    for (std::uint32_t i = 0; i < run.ids.size(); ++i) {
        if (run.s.connect_rate > 0) {
            const auto due = start + std::chrono::duration_cast<onboard_clock::duration>(
                                         std::chrono::duration<double>(i / run.s.connect_rate));
            if (due > onboard_clock::now()) co_await claim_sleep(due - onboard_clock::now());
        }
        asio::co_spawn(ex, claim_device(run, i), asio::detached);
    }
}

asio::awaitable<void> claim_progress(claim_run& run) {
    const auto start = onboard_clock::now();
    while (run.finished < run.ids.size()) {
        co_await claim_sleep(std::chrono::seconds(1));
        std::fprintf(stderr, "wvsim: onboarding (fleet provisioning) %5.0f s: %llu of %zu provisioned, %llu not\n",
                     std::chrono::duration<double>(onboard_clock::now() - start).count(),
                     static_cast<unsigned long long>(run.r.provisioned()), run.ids.size(),
                     static_cast<unsigned long long>(run.finished - run.r.provisioned()));
    }
}

std::string claim_ms(std::uint64_t us) {
    char b[32];
    if (us >= 1'000'000) std::snprintf(b, sizeof b, "%.2f s", static_cast<double>(us) / 1e6);
    else std::snprintf(b, sizeof b, "%.1f ms", static_cast<double>(us) / 1e3);
    return b;
}

json step_json(const metrics::histogram& h) {
    return {{"count", h.count()},
            {"p50", h.percentile_us(0.5)},
            {"p90", h.percentile_us(0.9)},
            {"p99", h.percentile_us(0.99)},
            {"max", h.max_us()}};
}

}  // namespace

claim_result run_claim_onboarding(const std::vector<device_identity>& ids, const claim_settings& s, claim_result seeded) {
    claim_run run{ids, s, std::move(seeded), std::max<std::uint32_t>(1, s.max_connecting), {}, 0};
    run.r.devices = ids.size();
    run.r.format = s.cbor ? "cbor" : "json";
    run.r.identities.resize(ids.size());
    run.r.thing_names.resize(ids.size());
    asio::io_context io{1};
    const auto start = onboard_clock::now();
    asio::co_spawn(io, claim_launch(run), asio::detached);
    if (s.progress) asio::co_spawn(io, claim_progress(run), asio::detached);
    asio::steady_timer done(io);
    std::function<void()> check = [&] {
        if (run.finished >= ids.size()) {
            io.stop();
            return;
        }
        done.expires_after(std::chrono::milliseconds(20));
        done.async_wait([&](boost::system::error_code) { check(); });
    };
    check();
    io.run();
    run.r.seconds += std::chrono::duration<double>(onboard_clock::now() - start).count();
    return std::move(run.r);
}

nlohmann::json claim_to_json(const claim_result& r, const std::string& mode, const metrics::histogram* hook) {
    json steps = json::object();
    if (r.claim.count()) steps["claim"] = step_json(r.claim);
    steps["connect"] = step_json(r.connect);
    steps["create"] = step_json(r.create);
    steps["register"] = step_json(r.register_thing);
    steps["reconnect"] = step_json(r.reconnect);
    json out{{"mode", mode},
             {"format", r.format},
             {"devices", r.devices},
             {"provisioned", r.provisioned()},
             {"seconds", r.seconds},
             {"devices_per_s", r.seconds > 0 ? static_cast<double>(r.provisioned()) / r.seconds : 0.0},
             {"device_outcomes", r.device_outcomes},
             {"mismatches", r.mismatches},
             {"steps_us", steps},
             {"total_us", step_json(r.total)}};
    if (hook && hook->count()) out["hook_us"] = step_json(*hook);
    return out;
}

std::string claim_summary_text(const nlohmann::json& j) {
    std::ostringstream o;
    char line[256];
    std::snprintf(line, sizeof line, "\nOnboarding (%s): %llu of %llu devices provisioned in %.1f s (%.1f devices/s)\n",
                  j.value("mode", std::string("claim")).c_str(),
                  static_cast<unsigned long long>(j.value("provisioned", std::uint64_t{0})),
                  static_cast<unsigned long long>(j.value("devices", std::uint64_t{0})), j.value("seconds", 0.0),
                  j.value("devices_per_s", 0.0));
    o << line;
    if (j.value("format", std::string("json")) == "cbor") o << "  the API in CBOR (the /cbor topics)\n";
    if (j.contains("device_outcomes"))
        for (const auto& [k, n] : j["device_outcomes"].items()) o << "  " << k << ": " << n.get<std::uint64_t>() << "\n";
    const auto row = [&](const char* name, const json& h, const char* what) {
        if (!h.is_object() || h.value("count", std::uint64_t{0}) == 0) return;
        o << "  " << name << ": p50 " << claim_ms(h.value("p50", std::uint64_t{0})) << ", p99 "
          << claim_ms(h.value("p99", std::uint64_t{0})) << ", max " << claim_ms(h.value("max", std::uint64_t{0})) << " ("
          << what << ")\n";
    };
    if (j.contains("steps_us")) {
        const auto& st = j["steps_us"];
        if (st.contains("claim")) row("claim    ", st["claim"], "CreateProvisioningClaim through the control plane");
        row("connect  ", st.value("connect", json()), "TCP, TLS with the claim, CONNECT, SUBSCRIBE");
        row("create   ", st.value("create", json()), "CreateCertificateFromCsr / CreateKeysAndCertificate");
        row("register ", st.value("register", json()), "RegisterThing, the hook included");
        row("reconnect", st.value("reconnect", json()), "TCP, TLS with the new certificate, CONNECT");
    }
    if (j.contains("hook_us")) row("hook     ", j["hook_us"], "the pre-provisioning hook alone, in the gateway");
    row("total    ", j.value("total_us", json()), "a provisioned device, connect to reconnected");
    if (j.contains("mismatches") && !j["mismatches"].empty()) {
        o << "  " << j["mismatches"].size() << " devices did not meet --provision-refuse's expectation:\n";
        std::size_t shown = 0;
        for (const auto& m : j["mismatches"]) {
            if (++shown > 10) {
                o << "    ...\n";
                break;
            }
            o << "    " << m.get<std::string>() << "\n";
        }
    }
    return o.str();
}

}  // namespace wv::sim
