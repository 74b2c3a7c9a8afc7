#include "device_session.hpp"

#include "classify.hpp"
#include "tls/tls_errc.hpp"
#include "device.hpp"
#include "payload/report_end.hpp"
#include "wall_clock.hpp"
#include "worker.hpp"

namespace wv::sim {

namespace {

// How long after the end of the run a device still sends reports that came due before it.
constexpr std::chrono::seconds end_grace{1};

// The CONNACK return code behind the client's refusal errors.
int connack_code_of(std::error_code ec) {
    using client::client_errc;
    if (ec == client_errc::refused_protocol_version) return 1;
    if (ec == client_errc::refused_identifier_rejected) return 2;
    if (ec == client_errc::refused_server_unavailable) return 3;
    if (ec == client_errc::refused_bad_user_name_or_password) return 4;
    if (ec == client_errc::refused_not_authorized) return 5;
    return -1;
}

std::string as_text(std::span<const std::byte> b) { return std::string(mqtt::as_chars(b)); }

// A bucket-friendly name for why a WebSocket handshake failed.
std::string ws_failure_key(std::error_code e) {
    using websocket::ws_errc;
    if (e == ws_errc::bad_accept) return "bad_accept";
    if (e == ws_errc::subprotocol_missing) return "no_subprotocol_mqtt";
    if (e == ws_errc::handshake_timeout) return "timeout";
    if (e == ws_errc::handshake_malformed) return "malformed_answer";
    return "closed";  // the transport ended, or a frame rule broke, before the upgrade was through
}
// MQTT 5 PUBLISH properties: Topic Alias (0x23) 1, for every report of a connection.
constexpr std::array<std::byte, 3> report_alias_bytes{std::byte{0x23}, std::byte{0x00}, std::byte{0x01}};

}  // namespace

bool is_closed(std::error_code ec) {
    using tls::tls_errc;
    return ec == tls_errc::closed || ec == tls_errc::truncated || ec == std::errc::connection_reset ||
           ec == std::errc::broken_pipe || ec == std::errc::not_connected;
}

void device_session::begin(clock::time_point now, net::effects& fx) {
    const auto& st = w_.settings;
    client::session_options o{
        .client_id = d_.id.akid,
        .keep_alive = std::chrono::seconds(st.keep_alive_s),
        .clean_session = true,
        .will = client::will_message{.topic = d_.will_topic,
                                     .payload = as_text(payload::encode_report_end(d_.last_report_sent,
                                                                                   payload::report_end_reason::terminated)),
                                     .qos = mqtt::qos::at_least_once},
        .connack_timeout = st.connect_timeout,
        // A PINGRESP that never comes means the connection is dead, like a PUBACK.
        .pingresp_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(st.ack_timeout),
    };
    if (!st.x509 && !st.sigv4) {  // with X.509 the certificate is the login, with SigV4 the signed upgrade
        o.user_name = d_.id.wire_username();
        o.password = d_.id.password;
    }
    o.protocol = st.protocol;
    if (st.protocol == mqtt::protocol_level::v5) {
        o.session_expiry_s = st.session_expiry_s;
        for (const auto& p : st.user_properties)
            o.user_properties.emplace_back(p.name.expand(d_.id.index, d_.id.akid, "", st.seed),
                                           p.value.expand(d_.id.index, d_.id.akid, "", st.seed));
    }
    now_ = now;
    connect_sent_ = last_write_ = now;
    client_.begin(o, now, fx);
}

void device_session::on_connack(std::error_code result, bool) {
    if (connect_outcome_) return;
    if (!result) {
        connect_outcome_ = outcome_detail{outcome::connected, {}};
        w_.stats.connack.record(now_ - connect_sent_);
        w_.stats.connack_second.record(now_ - connect_sent_);
    } else if (result.category() == mqtt::reason_category()) {  // MQTT 5: CONNACK 0x87 and friends
        connect_outcome_ = outcome_detail{outcome::connack_refused,
                                          reason_detail(static_cast<std::uint8_t>(result.value()), client_.reason_string())};
    } else if (const int code = connack_code_of(result); code > 0) {
        connect_outcome_ = outcome_detail{connack_outcome(code), {}};
    } else if (result == client::client_errc::connack_timeout) {
        connect_outcome_ = outcome_detail{outcome::connack_timeout, {}};
    } else if (result == websocket::ws_errc::closed_by_peer || (transport && transport->is_open() && is_closed(result))) {
        // The upgrade went through and the server ended the connection before CONNACK (its
        // Close frame, or the TCP close behind it): what a device over TLS sees as a close
        // without CONNACK, an authorizer's denial at CONNECT for one. Same bucket, same taxonomy.
        connect_outcome_ = outcome_detail{outcome::closed_without_connack, {}};
    } else if (result.category() == websocket::ws_category()) {
        if (result == websocket::ws_errc::handshake_refused)
            connect_outcome_ = outcome_detail{outcome::ws_upgrade_refused,
                                              transport ? std::to_string(transport->refused_status()) : std::string()};
        else
            connect_outcome_ = outcome_detail{outcome::ws_handshake_failed, ws_failure_key(result)};
    } else if (result == client::client_errc::unexpected_packet) {
        connect_outcome_ = outcome_detail{outcome::protocol_error, "first packet not CONNACK"};
    } else if (is_closed(result)) {
        const auto& explain = w_.settings.explain_x509;
        connect_outcome_ = outcome_detail{explain ? explain(d_.local) : outcome::closed_without_connack, {}};
    } else {
        connect_outcome_ = outcome_detail{outcome::protocol_error, result.message()};
    }
    if (on_connect_outcome) on_connect_outcome();
}

void device_session::start(clock::time_point now, net::effects& fx) {
    in_session_ = true;
    const auto since_start = std::chrono::duration_cast<run_time>(now - w_.start);
    const auto kill = w_.tt.kill_at(d_.local);
    const auto churn = w_.tt.churn_after(d_.local, since_start);
    kill_at_ = kill ? std::optional(w_.at(*kill)) : std::nullopt;
    // No churn sooner than 1 s after this session's CONNECT, so the reconnect need not wait
    // for AWS's 1 CONNECT/s per client id (reconnect.hpp).
    churn_at_ = churn ? std::optional(std::max(w_.at(*churn), d_.last_connect + min_connect_spacing)) : std::nullopt;
    alias_on_ = w_.settings.topic_alias && client_.server_topic_alias_maximum() >= 1;
    now_ = now;
    client_.release(now, fx);  // frames that came with the CONNACK (a device ignores them)
    after_client(now, fx);
    step(now, fx);
}

void device_session::on_bytes(std::span<const std::byte> in, clock::time_point now, net::effects& fx) {
    now_ = now;
    client_.on_bytes(in, now, fx);
    after_client(now, fx);
}

void device_session::on_deadline(clock::time_point now, net::effects& fx) {
    now_ = now;
    if (const auto due = client_.next_deadline(); due && now >= *due) {
        client_.on_deadline(now, fx);
        after_client(now, fx);
    }
    if (in_session_ && now >= next_) step(now, fx);
}

void device_session::after_client(clock::time_point now, net::effects& fx) {
    if (!in_session_) return;
    // The client machine closed (the device's own closes recorded their outcome first).
    if (fx.closing() && fx.why.category() == mqtt::reason_category()) {  // MQTT 5: the server's DISCONNECT
        if (d_.session_end == outcome::count_) disconnect_reason_ = static_cast<std::uint8_t>(fx.why.value());
        d_.record_end(outcome::server_disconnect);
    } else if (fx.closing()) {
        d_.record_end(fx.why == client::client_errc::pingresp_timeout ? outcome::keep_alive_timeout : outcome::protocol_error);
    }
    if (step_after_input_) {
        step_after_input_ = false;
        step(now, fx);
    }
}

void device_session::on_transport_closed(std::error_code why, clock::time_point now) {
    now_ = now;
    client_.on_transport_closed(why, now);
    if (!in_session_) return;
    const bool after_publish = ring_size_ > 0 || now - last_write_ < std::chrono::seconds(1);
    d_.record_end(is_closed(why) && after_publish && d_.last_report_sent ? outcome::disconnected_after_publish
                                                                         : outcome::closed_by_server);
}

std::optional<clock::time_point> device_session::next_deadline() const {
    auto d = client_.next_deadline();
    if (in_session_ && (!d || next_ < *d)) d = next_;
    return d;
}

std::string device_session::end_detail() const {
    return disconnect_reason_ ? reason_detail(disconnect_reason_, client_.reason_string()) : std::string{};
}

void device_session::on_acknowledged(std::uint16_t packet_id, std::error_code result) {
    for (std::uint8_t i = 0; i < ring_size_; ++i) {
        auto& e = ring_[(ring_head_ + i) % ring_.size()];
        if (e.packet_id != packet_id) continue;
        if (result) {  // MQTT 5: PUBACK 0x87 (a policy deny) and friends: refused, not acked
            w_.stats.count(outcome::puback_refused,
                           reason_detail(static_cast<std::uint8_t>(result.value()), client_.reason_string()));
        } else {
            w_.stats.acked.fetch_add(1, std::memory_order_relaxed);
            w_.stats.puback.record(now_ - e.due);
            w_.stats.puback_second.record(now_ - e.due);
        }
        const bool window_opened = ring_size_ == ring_.size();
        // Acks come in order; an out-of-order one swaps with the head to stay O(1).
        std::swap(e, ring_[ring_head_]);
        ring_head_ = static_cast<std::uint8_t>((ring_head_ + 1) % ring_.size());
        --ring_size_;
        // A clean stop (or a --messages budget) waits for the last acks; a report waiting for
        // a free slot of the window has one now.
        const bool drained = ring_size_ == 0 && (stopping_ || w_.settings.messages_budget);
        step_after_input_ |= drained || window_opened;
        return;
    }
    // The ReportEnd's ack, or one for a report of an earlier session: nothing to count.
}

void device_session::begin_stop(outcome why, clock::time_point now) {
    d_.record_end(why);
    stopping_ = true;
    stop_deadline_ = now + std::min<clock::duration>(w_.settings.ack_timeout, std::chrono::seconds(5));
}

// ReportEnd(CLOSED) then DISCONNECT (the acks of reports in flight came, or the wait ran out).
void device_session::send_goodbye(clock::time_point now, net::effects& fx) {
    const auto end = payload::encode_report_end(d_.last_report_sent, payload::report_end_reason::closed);
    (void)client_.publish({.topic = d_.will_topic, .payload = end, .qos = mqtt::qos::at_least_once}, now, fx);
    client_.disconnect(now, fx);  // then close_notify and close, once the bytes are out
    w_.stats.report_ends.fetch_add(1, std::memory_order_relaxed);
    in_session_ = false;  // nothing more is due; the driver reports the end
}

void device_session::step(clock::time_point now, net::effects& fx) {
    if (!in_session_ || fx.closing()) return;
    const auto& st = w_.settings;
    for (;;) {
        if (d_.stop_requested && !stopping_) begin_stop(outcome::clean_stop, now);
        if (stopping_) {
            if (ring_size_ && now < stop_deadline_) {
                next_ = stop_deadline_;
                return;
            }
            return send_goodbye(now, fx);
        }
        const auto due = w_.tt.report_due(d_.local, d_.next_report);
        // With 8 reports unacknowledged the next one waits for a PUBACK (on_acknowledged steps
        // us) instead of being dropped; its latency still counts from its due time, so a slow
        // server shows as latency, and a device that connected late catches up in order.
        const bool window_full = st.qos && ring_size_ == ring_.size();
        const bool send_now = due && now >= w_.at(*due) && !window_full;
        // A kill (like the end of the run) comes after the reports due before it: a timer that
        // fired late must not turn them into unsent ones.
        if (kill_at_ && now >= *kill_at_ && !(send_now && w_.at(*due) <= *kill_at_)) {
            d_.record_end(outcome::killed);
            w_.stats.killed.fetch_add(1, std::memory_order_relaxed);
            // RST, no DISCONNECT: the broker must publish the will.
            fx.close(net::ending::reset, std::make_error_code(std::errc::connection_aborted));
            return;
        }
        if (churn_at_ && now >= *churn_at_) {
            begin_stop(outcome::churned, now);
            continue;
        }
        // A PUBACK that never comes means the connection is dead (a PINGRESP: the client's
        // pingresp_timeout, after_client).
        if (ring_size_ && now - ring_[ring_head_].sent > st.ack_timeout) {
            d_.record_end(outcome::keep_alive_timeout);
            fx.close(net::ending::close_now, client::client_errc::pingresp_timeout);
            return;
        }
        // Open loop: at the end of the run a device stops, even when it is behind its
        // timetable; the reports it did not get to are counted unsent in the report (and fail
        // the run). Reports are due only before the end: one whose timer fired just after it
        // is still sent, within end_grace, rather than counted unsent.
        const auto end = w_.at(w_.tt.end());
        if (st.messages_budget ? !due && ring_size_ == 0 : now >= end && !(send_now && now < end + end_grace)) {
            begin_stop(outcome::clean_stop, now);
            continue;
        }
        if (send_now) {
            const auto report_id = d_.next_report;
            w_.encoder.set_device_index(d_.id.index);  // values per (seed, device, report_id)
            w_.encoder.encode(static_cast<std::int64_t>(report_id), unix_ms(), w_.report_scratch);
            mqtt::publish report{.topic = d_.topic, .payload = w_.report_scratch,
                                 .qos = st.qos ? mqtt::qos::at_least_once : mqtt::qos::at_most_once};
            if (alias_on_) {
                report.properties = mqtt::properties{report_alias_bytes};
                if (alias_set_) report.topic = {};
            }
            if (!st.user_properties.empty()) {  // --user-property: expanded per report, no per-device copy
                auto& props = w_.report_properties;
                props.clear();
                if (alias_on_) props.add(mqtt::property_id::topic_alias, 1);
                for (const auto& p : st.user_properties)
                    props.add_user_property(p.name.expand(d_.id.index, d_.id.akid, "", st.seed),
                                            p.value.expand(d_.id.index, d_.id.akid, "", st.seed));
                report.properties = props.view();
            }
            const auto id = client_.publish(report, now, fx);
            if (!id && id.error() == client::client_errc::packet_too_large) {
                // MQTT 5: over the server's Maximum Packet Size, never sendable: a refused
                // report (not retried), as the server would refuse it.
                w_.stats.count(outcome::puback_refused, "not sent: larger than the server's Maximum Packet Size");
                ++d_.next_report;
                continue;
            }
            if (!id) {
                // The socket has not taken the earlier bytes yet (queue_full): try again soon;
                // the report's latency counts from its due time all the same.
                next_ = now + std::chrono::milliseconds(10);
                return;
            }
            ++d_.next_report;
            alias_set_ = alias_on_;
            if (st.qos) {
                ring_[(ring_head_ + ring_size_) % ring_.size()] = {*id, w_.at(*due), now};
                ++ring_size_;
            }
            w_.stats.sent.fetch_add(1, std::memory_order_relaxed);
            w_.stats.send_lag.record(now - w_.at(*due));
            d_.last_report_sent = report_id;
            last_write_ = now;
            continue;
        }
        auto next = due && !window_full ? w_.at(*due) : end;
        if (st.messages_budget && !due) next = now + st.ack_timeout;
        if (kill_at_) next = std::min(next, *kill_at_);
        if (churn_at_) next = std::min(next, *churn_at_);
        if (ring_size_) next = std::min(next, ring_[ring_head_].sent + st.ack_timeout + std::chrono::milliseconds(1));
        next_ = next;
        return;
    }
}

}  // namespace wv::sim
