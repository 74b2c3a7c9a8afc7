#include "client/client_machine.hpp"

#include <algorithm>

#include <limits>

#include "mqtt/errors.hpp"
#include "mqtt/packet.hpp"
#include "mqtt/property_builder.hpp"

namespace wv::client {
namespace {

// Frames above this size leave the decoder's reassembly buffer large; rebuild it afterwards.
constexpr std::size_t large_frame_bytes = 4096;

std::error_code connack_error(mqtt::connack_code c) {
    switch (c) {
        case mqtt::connack_code::accepted: return {};
        case mqtt::connack_code::unacceptable_protocol_version: return client_errc::refused_protocol_version;
        case mqtt::connack_code::identifier_rejected: return client_errc::refused_identifier_rejected;
        case mqtt::connack_code::server_unavailable: return client_errc::refused_server_unavailable;
        case mqtt::connack_code::bad_user_name_or_password: return client_errc::refused_bad_user_name_or_password;
        case mqtt::connack_code::not_authorized: return client_errc::refused_not_authorized;
    }
    return client_errc::unexpected_packet;
}

// The frame's wire bytes again (fixed header + body), to hold it past the read buffer.
void append_frame(const mqtt::frame& f, mqtt::byte_buffer& out) {
    out.push_back(static_cast<std::byte>((static_cast<unsigned>(f.type) << 4) | f.flags));
    std::size_t n = f.body.size();
    do {
        auto b = static_cast<std::uint8_t>(n % 128);
        n /= 128;
        if (n > 0) b |= 0x80;
        out.push_back(static_cast<std::byte>(b));
    } while (n > 0);
    out.insert(out.end(), f.body.begin(), f.body.end());
}

// Encodes p at `level` onto out. A value the wire cannot carry (a string over 65,535 bytes, a
// field the level has not) leaves out as it was and returns the codec's error.
template <class Packet>
std::error_code encode_whole(const Packet& p, mqtt::byte_buffer& out, mqtt::protocol_level level) {
    const std::size_t before = out.size();
    try {
        mqtt::encode(p, out, level);
    } catch (const std::system_error& e) {
        out.resize(before);
        return e.code();
    }
    return {};
}

}  // namespace

void client_machine::begin(const session_options& o, clock::time_point now, net::effects& fx) {
    if (state_ != state::idle) return;
    keep_alive_ = std::min(o.keep_alive, std::chrono::seconds(65535));
    pingresp_timeout_ = o.pingresp_timeout;
    max_queued_bytes_ = o.max_queued_bytes;
    level_ = o.protocol == mqtt::protocol_level::v5 ? mqtt::protocol_level::v5 : mqtt::protocol_level::v3_1_1;
    reason_string_.clear();
    decoder_ = mqtt::stream_decoder(mqtt::limits{.max_packet_bytes = o.max_packet_bytes}, level_);

    mqtt::connect c;
    c.protocol_level = static_cast<std::uint8_t>(level_);
    mqtt::property_builder props;
    if (level_ == mqtt::protocol_level::v5) {
        if (o.session_expiry_s > 0) props.add(mqtt::property_id::session_expiry_interval, o.session_expiry_s);
        // So that the server never sends what the decoder would refuse as too large.
        if (o.max_packet_bytes > 0 && o.max_packet_bytes <= std::numeric_limits<std::uint32_t>::max())
            props.add(mqtt::property_id::maximum_packet_size, static_cast<std::uint32_t>(o.max_packet_bytes));
        try {
            for (const auto& [name, value] : o.user_properties) props.add_user_property(name, value);
        } catch (const std::system_error& e) {  // a name or value over 65,535 bytes
            state_ = state::closed;
            events_.on_connack(e.code(), false);
            fx.close(net::ending::close_now, e.code());
            return;
        }
        c.properties = props.view();
    }
    c.client_id = o.client_id;
    c.clean_session = o.clean_session;
    c.keep_alive_s = static_cast<std::uint16_t>(keep_alive_.count());
    if (o.user_name) c.user_name = *o.user_name;
    if (o.password) c.password = mqtt::as_bytes(*o.password);
    if (o.will)
        c.will = mqtt::last_will{.topic = o.will->topic, .message = mqtt::as_bytes(o.will->payload), .qos = o.will->qos,
                                 .retain = o.will->retain};
    const auto before = fx.send.size();
    try {
        mqtt::encode(c, fx.send);
    } catch (const std::system_error& e) {  // a field over 65,535 bytes: the caller's values
        fx.send.resize(before);
        state_ = state::closed;
        events_.on_connack(e.code(), false);
        fx.close(net::ending::close_now, e.code());
        return;
    }
    state_ = state::connecting;
    sent(mqtt::packet_type::connect, 0, now);
    connack_deadline_ = now + o.connack_timeout;
}

void client_machine::release(clock::time_point now, net::effects& fx) {
    if (state_ != state::holding) return;
    state_ = state::connected;
    if (held_.empty()) return;
    // Whole frames only: the main decoder keeps any partial packet that follows them.
    const auto held = std::move(held_);
    held_ = {};
    mqtt::stream_decoder d(decoder_.limits_in_use(), level_);
    d.feed(held);
    take_frames(d, now, fx);
}

void client_machine::on_bytes(std::span<const std::byte> in, clock::time_point now, net::effects& fx) {
    if (state_ == state::idle || state_ == state::closed) return;
    decoder_.feed(in);
    take_frames(decoder_, now, fx);
    // Nothing of this chunk is referenced any more; drop a reassembly buffer grown by a
    // large packet so an idle connection returns to its small size.
    if (large_frame_seen_ && decoder_.buffered() == 0) {
        decoder_ = mqtt::stream_decoder(decoder_.limits_in_use(), level_);
        large_frame_seen_ = false;
    }
}

void client_machine::take_frames(mqtt::stream_decoder& d, clock::time_point now, net::effects& fx) {
    for (;;) {
        auto next = d.next();
        if (std::holds_alternative<mqtt::need_more>(next)) return;
        if (const auto* e = std::get_if<std::error_code>(&next)) return fail(*e, fx);
        const auto& f = std::get<mqtt::frame>(next);
        if (f.consumed > large_frame_bytes) large_frame_seen_ = true;
        if (state_ == state::holding) {
            append_frame(f, held_);
            continue;
        }
        const auto ec = state_ == state::connecting ? handle_connack(f, fx) : handle_frame(f, now, fx);
        if (ec) return fail(ec, fx);
        if (state_ == state::closed) return;
    }
}

std::error_code client_machine::handle_connack(const mqtt::frame& f, net::effects& fx) {
    if (f.type != mqtt::packet_type::connack) return client_errc::unexpected_packet;
    // A 3.1.1 server answers a level-5 CONNECT with its own CONNACK 1 (unacceptable protocol
    // version): two bytes, no properties, which the level-5 decoder would call truncated.
    if (level_ == mqtt::protocol_level::v5 && f.body.size() == 2 && f.body[1] == std::byte{0x01}) {
        note(false, mqtt::packet_type::connack);
        state_ = state::closed;
        events_.on_connack(client_errc::refused_protocol_version, false);
        fx.close(net::ending::close_now, client_errc::refused_protocol_version);
        return {};
    }
    const auto ca = mqtt::decode_connack(f.body, f.flags, level_);
    if (!ca) return ca.error();
    note(false, mqtt::packet_type::connack);
    const auto ec = level_ == mqtt::protocol_level::v5 ? refusal(ca->reason, ca->properties) : connack_error(ca->code);
    if (ec) {
        state_ = state::closed;
        events_.on_connack(ec, false);
        fx.close(net::ending::close_now, ec);
        return {};
    }
    session_present_ = ca->session_present;
    // 5.0 3.2.2.3.14: the client MUST use the Server Keep Alive instead of its own.
    if (const auto ka = ca->properties.number(mqtt::property_id::server_keep_alive))
        keep_alive_ = std::chrono::seconds(*ka);
    if (level_ == mqtt::protocol_level::v5) {
        server_alias_max_ = static_cast<std::uint16_t>(ca->properties.number(mqtt::property_id::topic_alias_maximum).value_or(0));
        server_receive_max_ = static_cast<std::uint16_t>(ca->properties.number(mqtt::property_id::receive_maximum).value_or(65535));
        server_max_packet_ = ca->properties.number(mqtt::property_id::maximum_packet_size).value_or(0);
    }
    state_ = state::holding;
    events_.on_connack({}, session_present_);
    return {};
}

std::error_code client_machine::refusal(mqtt::reason_code c, const mqtt::properties& props) {
    if (!mqtt::is_failure(c)) return {};
    reason_string_ = std::string(props.string(mqtt::property_id::reason_string).value_or(std::string_view{}));
    return make_error_code(c);
}

void client_machine::fail(std::error_code why, net::effects& fx) {
    if (state_ == state::closed) return;
    const bool connecting = state_ == state::connecting;
    state_ = state::closed;
    fx.close(net::ending::close_now, why);
    if (connecting) events_.on_connack(why, false);
}

void client_machine::on_deadline(clock::time_point now, net::effects& fx) {
    if (state_ == state::connecting) {
        if (now >= connack_deadline_) fail(client_errc::connack_timeout, fx);
        return;
    }
    if (!is_connected()) return;
    if (ping_outstanding_) {
        if (now >= pingresp_deadline_) fail(client_errc::pingresp_timeout, fx);
        return;
    }
    if (keep_alive_.count() > 0 && now >= last_sent_ + keep_alive_) {
        mqtt::encode(mqtt::pingreq{}, fx.send, level_);
        sent(mqtt::packet_type::pingreq, 0, now);
        ping_outstanding_ = true;
        pingresp_deadline_ = now + pingresp_timeout_;
    }
}

void client_machine::on_transport_closed(std::error_code why, clock::time_point) {
    const bool connecting = state_ == state::connecting;
    state_ = state::closed;
    if (connecting) events_.on_connack(why, false);
}

std::optional<clock::time_point> client_machine::next_deadline() const {
    switch (state_) {
        case state::connecting: return connack_deadline_;
        case state::holding:
        case state::connected:
            if (ping_outstanding_) return pingresp_deadline_;
            if (keep_alive_.count() > 0) return last_sent_ + keep_alive_;
            return std::nullopt;
        default: return std::nullopt;
    }
}

void client_machine::sent(mqtt::packet_type type, std::uint16_t id, clock::time_point now) {
    note(true, type, id);
    last_sent_ = now;
}

mqtt::result<std::uint16_t> client_machine::allocate_id() {
    if (in_flight_.size() >= 65535) return make_error_code(client_errc::too_many_in_flight);
    for (;;) {
        const std::uint16_t id = next_id_;
        next_id_ = next_id_ == 65535 ? 1 : next_id_ + 1;
        const bool used = std::any_of(in_flight_.begin(), in_flight_.end(), [id](const pending& p) { return p.id == id; });
        if (!used) return id;
    }
}

std::size_t client_machine::publishes_in_flight() const noexcept {
    return static_cast<std::size_t>(std::count_if(in_flight_.begin(), in_flight_.end(), [](const pending& p) {
        return p.what == waiting_for::puback || p.what == waiting_for::pubrec || p.what == waiting_for::pubcomp;
    }));
}

mqtt::result<std::uint16_t> client_machine::publish(const mqtt::publish& p, clock::time_point now, net::effects& fx) {
    if (!is_connected()) return make_error_code(client_errc::not_connected);
    mqtt::publish out = p;
    out.dup = false;
    out.packet_id = 0;
    if (!out.properties.empty() && level_ == mqtt::protocol_level::v5)
        if (const auto ec = mqtt::check_topic_alias(out, server_alias_max_)) return ec;
    const auto next_id_before = next_id_;
    if (out.qos != mqtt::qos::at_most_once) {
        if (server_receive_max_ < 65535 && publishes_in_flight() >= server_receive_max_)
            return make_error_code(client_errc::too_many_in_flight);
        const auto id = allocate_id();
        if (!id) return id;
        out.packet_id = *id;
    }
    const std::size_t before = fx.send.size();
    if (auto ec = encode_whole(out, fx.send, level_)) return ec;
    if (server_max_packet_ != 0 && fx.send.size() - before > server_max_packet_) {
        // 5.0 3.2.2.3.6: the client MUST NOT send the server a packet over its maximum.
        fx.send.resize(before);
        next_id_ = next_id_before;  // nothing was sent: the id stays free for the next publish
        return make_error_code(client_errc::packet_too_large);
    }
    // One packet always fits an empty queue, whatever its size.
    if (before + fx.backlog > 0 && fx.send.size() + fx.backlog > max_queued_bytes_) {
        fx.send.resize(before);
        return make_error_code(client_errc::queue_full);
    }
    sent(mqtt::packet_type::publish, out.packet_id, now);
    if (out.qos != mqtt::qos::at_most_once)
        in_flight_.push_back({out.packet_id, out.qos == mqtt::qos::at_least_once ? waiting_for::puback : waiting_for::pubrec});
    return out.packet_id;
}

mqtt::result<std::uint16_t> client_machine::subscribe(std::span<const mqtt::subscription> subs, clock::time_point now,
                                                      net::effects& fx) {
    if (!is_connected()) return make_error_code(client_errc::not_connected);
    const auto id = allocate_id();
    if (!id) return id;
    if (auto ec = encode_whole(mqtt::subscribe{.packet_id = *id, .subscriptions = {subs.begin(), subs.end()}}, fx.send, level_))
        return ec;
    sent(mqtt::packet_type::subscribe, *id, now);
    in_flight_.push_back({*id, waiting_for::suback});
    return *id;
}

mqtt::result<std::uint16_t> client_machine::unsubscribe(std::span<const std::string_view> filters, clock::time_point now,
                                                        net::effects& fx) {
    if (!is_connected()) return make_error_code(client_errc::not_connected);
    const auto id = allocate_id();
    if (!id) return id;
    if (auto ec = encode_whole(mqtt::unsubscribe{.packet_id = *id, .filters = {filters.begin(), filters.end()}}, fx.send, level_))
        return ec;
    sent(mqtt::packet_type::unsubscribe, *id, now);
    in_flight_.push_back({*id, waiting_for::unsuback});
    return *id;
}

void client_machine::disconnect(clock::time_point now, net::effects& fx) {
    if (!is_connected()) return;
    mqtt::encode(mqtt::disconnect{}, fx.send, level_);
    sent(mqtt::packet_type::disconnect, 0, now);
    state_ = state::closed;
    fx.close(net::ending::shutdown_after_flush, client_errc::disconnected);
}

void client_machine::acknowledge(std::uint16_t id, waiting_for what, std::error_code result) {
    const auto it = std::find_if(in_flight_.begin(), in_flight_.end(), [&](const pending& p) { return p.id == id && p.what == what; });
    // An acknowledgement for nothing we sent: servers resend after reconnects; ignore it.
    if (it == in_flight_.end()) return;
    in_flight_.erase(it);
    if (in_flight_.empty() && in_flight_.capacity() > 16) in_flight_ = {};
    events_.on_acknowledged(id, result);
}

std::error_code client_machine::handle_frame(const mqtt::frame& f, clock::time_point now, net::effects& fx) {
    using mqtt::packet_type;
    switch (f.type) {
        case packet_type::publish: {
            const auto p = mqtt::decode_publish(f.body, f.flags, level_);
            if (!p) return p.error();
            // We announce no Topic Alias Maximum, so the server may send none (5.0 3.3.2.3.4).
            if (p->properties.contains(mqtt::property_id::topic_alias)) return make_error_code(mqtt::reason_code::topic_alias_invalid);
            note(false, packet_type::publish, p->packet_id);
            if (p->qos == mqtt::qos::exactly_once) {
                // Delivered once, on PUBLISH; a resent PUBLISH before PUBREL is only re-acknowledged.
                const bool seen = std::find(awaiting_pubrel_.begin(), awaiting_pubrel_.end(), p->packet_id) != awaiting_pubrel_.end();
                if (!seen) {
                    events_.on_message(*p);
                    awaiting_pubrel_.push_back(p->packet_id);
                }
                mqtt::encode(mqtt::pubrec{.packet_id = p->packet_id}, fx.send, level_);
                sent(packet_type::pubrec, p->packet_id, now);
                return {};
            }
            events_.on_message(*p);
            if (p->qos == mqtt::qos::at_least_once) {
                mqtt::encode(mqtt::puback{.packet_id = p->packet_id}, fx.send, level_);
                sent(packet_type::puback, p->packet_id, now);
            }
            return {};
        }
        case packet_type::puback: {
            const auto a = mqtt::decode_puback(f.body, f.flags, level_);
            if (!a) return a.error();
            note(false, packet_type::puback, a->packet_id);
            acknowledge(a->packet_id, waiting_for::puback, refusal(a->reason, a->properties));
            return {};
        }
        case packet_type::pubrec: {
            const auto a = mqtt::decode_pubrec(f.body, f.flags, level_);
            if (!a) return a.error();
            note(false, packet_type::pubrec, a->packet_id);
            // A failure ends the QoS 2 flow here: no PUBREL (5.0 4.3.3).
            if (const auto ec = refusal(a->reason, a->properties)) {
                acknowledge(a->packet_id, waiting_for::pubrec, ec);
                return {};
            }
            // PUBREL goes out even for an id we do not know (4.3.3: the server may resend PUBREC).
            mqtt::encode(mqtt::pubrel{.packet_id = a->packet_id}, fx.send, level_);
            sent(packet_type::pubrel, a->packet_id, now);
            for (auto& op : in_flight_)
                if (op.id == a->packet_id && op.what == waiting_for::pubrec) op.what = waiting_for::pubcomp;
            return {};
        }
        case packet_type::pubcomp: {
            const auto a = mqtt::decode_pubcomp(f.body, f.flags, level_);
            if (!a) return a.error();
            note(false, packet_type::pubcomp, a->packet_id);
            acknowledge(a->packet_id, waiting_for::pubcomp, refusal(a->reason, a->properties));
            return {};
        }
        case packet_type::pubrel: {
            const auto a = mqtt::decode_pubrel(f.body, f.flags, level_);
            if (!a) return a.error();
            note(false, packet_type::pubrel, a->packet_id);
            std::erase(awaiting_pubrel_, a->packet_id);
            if (awaiting_pubrel_.empty()) awaiting_pubrel_.shrink_to_fit();
            mqtt::encode(mqtt::pubcomp{.packet_id = a->packet_id}, fx.send, level_);
            sent(packet_type::pubcomp, a->packet_id, now);
            return {};
        }
        case packet_type::suback: {
            const auto a = mqtt::decode_suback(f.body, f.flags, level_);
            if (!a) return a.error();
            note(false, packet_type::suback, a->packet_id);
            if (level_ == mqtt::protocol_level::v5) {
                // The first refused filter's reason code (0x87 Not authorized, 0xA2 ...).
                const auto bad = std::find_if(a->reason_codes.begin(), a->reason_codes.end(), mqtt::is_failure);
                acknowledge(a->packet_id, waiting_for::suback,
                            bad == a->reason_codes.end() ? std::error_code{} : refusal(*bad, a->properties));
                return {};
            }
            const bool refused =
                std::find(a->return_codes.begin(), a->return_codes.end(), mqtt::suback_code::failure) != a->return_codes.end();
            acknowledge(a->packet_id, waiting_for::suback, refused ? make_error_code(client_errc::subscription_refused) : std::error_code{});
            return {};
        }
        case packet_type::unsuback: {
            const auto a = mqtt::decode_unsuback(f.body, f.flags, level_);
            if (!a) return a.error();
            note(false, packet_type::unsuback, a->packet_id);
            const auto bad = std::find_if(a->reason_codes.begin(), a->reason_codes.end(), mqtt::is_failure);
            acknowledge(a->packet_id, waiting_for::unsuback,
                        bad == a->reason_codes.end() ? std::error_code{} : refusal(*bad, a->properties));
            return {};
        }
        case packet_type::pingresp: {
            const auto a = mqtt::decode_pingresp(f.body, f.flags, level_);
            if (!a) return a.error();
            note(false, packet_type::pingresp);
            ping_outstanding_ = false;
            return {};
        }
        case packet_type::disconnect: {
            // MQTT 5 servers say why they close (0x8E Session taken over, 0x8D Keep Alive timeout ...).
            if (level_ != mqtt::protocol_level::v5) return client_errc::unexpected_packet;
            const auto d = mqtt::decode_disconnect(f.body, f.flags, level_);
            if (!d) return d.error();
            note(false, packet_type::disconnect);
            const auto ec = refusal(d->reason, d->properties);
            return ec ? ec : make_error_code(client_errc::connection_lost);
        }
        default: return client_errc::unexpected_packet;  // CONNACK again, AUTH, or a server-bound packet
    }
}

}  // namespace wv::client
