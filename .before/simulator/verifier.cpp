#include "verifier.hpp"

#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "mqtt/packets/connack.hpp"
#include "mqtt/packets/connect.hpp"
#include "mqtt/packets/puback.hpp"
#include "mqtt/packets/publish.hpp"
#include "mqtt/packets/suback.hpp"
#include "mqtt/packets/subscribe.hpp"
#include "mqtt/stream_decoder.hpp"
#include "payload/report_end.hpp"
#include "payload/samples_decoder.hpp"
#include "tls/connect.hpp"

namespace wv::sim {

namespace asio = boost::asio;
namespace {
constexpr auto verifier_tok = asio::as_tuple(asio::use_awaitable);
}

// One framed packet, or the error that ended the stream (a struct: awaitable operators
// flatten variants).
struct verifier_read {
    std::error_code ec;
    std::optional<mqtt::frame> f;
};

struct verifier::conn {
    std::optional<tls::stream> s;
    mqtt::stream_decoder decoder{mqtt::limits{}};
    std::array<std::byte, 16384> rbuf{};
    mqtt::byte_buffer wbuf;
    bool stopping = false;

    asio::awaitable<verifier_read> read_packet() {
        for (;;) {
            auto r = decoder.next();
            if (auto* f = std::get_if<mqtt::frame>(&r)) co_return verifier_read{{}, *f};
            if (auto* e = std::get_if<std::error_code>(&r)) co_return verifier_read{*e, {}};
            auto [ec, n] = co_await s->async_read_some(rbuf);
            if (ec) co_return verifier_read{ec, {}};
            decoder.feed(std::span<const std::byte>(rbuf.data(), n));
        }
    }
};

verifier::verifier(verifier_settings s, const std::vector<device_identity>& fleet)
    : s_(std::move(s)), devices_(fleet.size()), c_(std::make_shared<conn>()) {
    for (std::uint32_t i = 0; i < fleet.size(); ++i) index_.emplace(fleet[i].akid, i);
}

// GCC 12 reports a mismatched operator delete for this coroutine's frame (Asio allocates it
// with awaitable_frame's own operator new and frees it with the matching delete): a false
// positive of its inliner, silenced here only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
asio::awaitable<std::string> verifier::connect_and_subscribe() {
    using namespace asio::experimental::awaitable_operators;
    auto ex = co_await asio::this_coro::executor;
    // A named variable, not a braced temporary: GCC 12 mishandles temporaries in co_await.
    tls::connect_options opts{.host = s_.host, .port = s_.address.port(), .address = s_.address};
    auto r = co_await tls::connect(ex, opts, s_.tls);
    if (r.ec) co_return "connect: " + r.ec.message() + (r.detail.empty() ? "" : " (" + r.detail + ")");
    c_->s.emplace(std::move(*r.s));
    c_->wbuf.clear();
    mqtt::encode(mqtt::connect{.clean_session = true, .keep_alive_s = 60, .client_id = s_.client_id,
                               .user_name = s_.username, .password = mqtt::as_bytes(s_.password)},
                 c_->wbuf);
    if (auto ec = co_await c_->s->async_write(c_->wbuf)) co_return "write: " + ec.message();
    c_->s->quick_ack();
    asio::steady_timer t(ex);
    t.expires_after(std::chrono::seconds(10));
    // SUBSCRIBE only after CONNACK: a server may drop what arrives while it authorizes.
    for (int step = 0; step < 2; ++step) {
        auto res = co_await (c_->read_packet() || t.async_wait(verifier_tok));
        if (res.index() == 1) co_return step == 0 ? "no CONNACK within 10 s" : "no SUBACK within 10 s";
        const auto& got = std::get<0>(res);
        if (got.ec) co_return "closed before SUBACK: " + got.ec.message();
        const auto& f = *got.f;
        if (step == 0 && f.type == mqtt::packet_type::connack) {
            auto a = mqtt::decode_connack(f.body, f.flags);
            if (!a || a->code != mqtt::connack_code::accepted)
                co_return "CONNACK refused (code " + std::to_string(a ? static_cast<int>(a->code) : -1) + ")";
            c_->wbuf.clear();
            mqtt::encode(mqtt::subscribe{.packet_id = 1, .subscriptions = {{s_.filter, mqtt::qos::at_least_once}}},
                         c_->wbuf);
            if (auto ec = co_await c_->s->async_write(c_->wbuf)) co_return "write: " + ec.message();
        } else if (step == 1 && f.type == mqtt::packet_type::suback) {
            auto a = mqtt::decode_suback(f.body, f.flags);
            if (!a || a->return_codes.empty() || a->return_codes[0] == mqtt::suback_code::failure)
                co_return "SUBACK refused " + s_.filter;
        } else {
            co_return "unexpected packet before SUBACK";
        }
    }
    co_return "";
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

asio::awaitable<void> verifier::receive() {
    auto c = c_;  // keeps the connection alive while this runs
    for (;;) {
        auto got = co_await c->read_packet();
        if (got.ec) co_return;
        const auto& f = *got.f;
        if (f.type != mqtt::packet_type::publish) continue;
        auto p = mqtt::decode_publish(f.body, f.flags);
        if (!p) co_return;
        on_publish(p->topic, p->payload);
        if (p->qos == mqtt::qos::at_least_once) {
            c->wbuf.clear();
            mqtt::encode(mqtt::puback{p->packet_id}, c->wbuf);
            if (co_await c->s->async_write(c->wbuf)) co_return;
        }
    }
}

void verifier::stop() {
    if (c_->s) c_->s->close();
}

void verifier::on_publish(std::string_view topic, std::span<const std::byte> payload) {
    // wv/<AKID>/1/<kind>/p1
    if (!topic.starts_with("wv/")) return;
    const auto rest = topic.substr(3);
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) return;
    const auto it = index_.find(std::string(rest.substr(0, slash)));
    if (it == index_.end()) return;  // another process's (shard's) device
    auto& d = devices_[it->second];
    const auto kind = rest.substr(slash);
    if (kind.starts_with("/1/samp/")) {
        auto b = payload::decode_samples_batch(payload);
        if (!b || b->report_id <= 0) { ++undecodable_; return; }
        const auto i = static_cast<std::size_t>(b->report_id - 1);
        if (i > 100'000'000) { ++undecodable_; return; }
        if (d.seen.size() <= i) d.seen.resize(i + 1);
        if (d.seen[i]) ++duplicates_;
        else { d.seen[i] = true; ++distinct_; }
    } else if (kind.starts_with("/1/reportend/")) {
        auto e = payload::decode_report_end(payload);
        if (!e) { ++undecodable_; return; }
        if (e->reason == static_cast<std::int32_t>(payload::report_end_reason::terminated)) {
            if (!d.will) ++wills_;
            d.will = true;
        } else {
            ++closed_;
        }
    }
}

verify_result verifier::result(const std::vector<std::uint64_t>& last_sent, const std::vector<bool>& killed,
                               std::uint64_t acked) const {
    verify_result v;
    v.reports_expected = acked;
    v.reports_received = distinct_;
    v.reports_missing = acked > distinct_ ? acked - distinct_ : 0;
    v.duplicates = duplicates_;
    v.undecodable = undecodable_;
    v.report_ends_closed = closed_;
    for (std::size_t i = 0; i < devices_.size() && i < last_sent.size(); ++i) {
        if (i < killed.size() && killed[i]) {
            ++v.wills_expected;
            if (devices_[i].will) ++v.wills_received;
        }
        std::uint64_t missing = 0, first = 0;
        for (std::uint64_t id = 1; id <= last_sent[i]; ++id) {
            const bool got = id - 1 < devices_[i].seen.size() && devices_[i].seen[id - 1];
            if (!got && !missing++) first = id;
        }
        if (missing && v.incomplete.size() < 20) {
            std::string akid;
            for (const auto& [k, idx] : index_)
                if (idx == i) akid = k;
            v.incomplete.push_back(akid + ": missing " + std::to_string(missing) + " of " + std::to_string(last_sent[i]) +
                                   " (first " + std::to_string(first) + ")");
        }
    }
    return v;
}

}  // namespace wv::sim
