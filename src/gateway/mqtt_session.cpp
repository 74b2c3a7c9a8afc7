// MQTT session mechanics: framing, keep-alive, packet ids, the QoS 1 window, replay pacing.
#include "gateway/mqtt_session.hpp"

#include <algorithm>

#include "gateway/mqtt5_properties.hpp"
#include "mqtt/mqtt.hpp"

namespace wv::gate {

namespace {
// What a waiting delivery counts against limits.max_outbox_bytes: its bytes plus bookkeeping.
std::size_t waiting_cost(const message& m) {
    return m.payload.size() + m.topic.size() + 64;
}
}  // namespace

mqtt_session::mqtt_session(const limits_config& limits, counters& stats, effects& out)
    : limits_(limits), stats_(stats), out_(out) {}

std::size_t mqtt_session::max_packet_bytes() const noexcept {
    return limits_.max_payload_bytes + 5 + 2 + limits_.max_topic_bytes + 2;
}

void mqtt_session::append_input(std::span<const std::byte> in) {
    bump(stats_.bytes_in, in.size());
    // Nothing buffered (the usual case: whole packets per read): frame straight from the
    // caller's bytes, and keep only what is left over at compact_input(). No copy per packet,
    // and an idle connection holds no input buffer.
    if (in_.empty() && borrowed_.empty()) {
        borrowed_ = in;
        read_at_ = 0;
        return;
    }
    if (!borrowed_.empty()) compact_input();  // a second append before compact_input(): own the first
    in_.insert(in_.end(), in.begin(), in.end());
}

std::span<const std::byte> mqtt_session::input() const noexcept {
    return borrowed_.empty() ? std::span<const std::byte>(in_) : borrowed_;
}

std::variant<mqtt::need_more, mqtt::frame, std::error_code> mqtt_session::next_frame() {
    auto r = mqtt::read_frame(input().subspan(read_at_), {.max_packet_bytes = max_packet_bytes()}, version_);
    if (const auto* f = std::get_if<mqtt::frame>(&r)) read_at_ += f->consumed;
    return r;
}

void mqtt_session::compact_input() {
    if (!borrowed_.empty()) {
        const auto rest = borrowed_.subspan(std::min(read_at_, borrowed_.size()));
        in_.assign(rest.begin(), rest.end());
        borrowed_ = {};
    } else {
        in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(std::min(read_at_, in_.size())));
    }
    read_at_ = 0;
    if (in_.empty() && in_.capacity() > 0) std::vector<std::byte>().swap(in_);  // a partial packet was completed
}

void mqtt_session::clear_input() {
    in_.clear();
    in_.shrink_to_fit();
    borrowed_ = {};
    read_at_ = 0;
}

void mqtt_session::packet_received(time_point now) {
    if (keep_alive_.count() > 0)
        keep_alive_deadline_ = now + std::chrono::duration_cast<time_point::duration>(keep_alive_ * 3 / 2);
}

bool mqtt_session::keep_alive_expired(time_point now) const noexcept {
    return keep_alive_deadline_ && now >= *keep_alive_deadline_;
}

void mqtt_session::send(mqtt::byte_buffer packet) {
    bump(stats_.bytes_out, packet.size());
    out_.push_back(send_bytes{std::move(packet)});
}

bool mqtt_session::publish(const message_ptr& m, std::uint8_t qos, bool retained) {
    // Behind waiting messages too, so that QoS 1 deliveries keep their order.
    if (qos == 1 && (inflight_.size() >= window() || !waiting_qos1_.empty()))
        return wait_for_window(m, retained);
    transmit(m, qos, retained);
    return true;
}

std::size_t mqtt_session::window() const noexcept {
    return std::min<std::size_t>(limits_.max_inflight_qos1, receive_maximum_);
}

void mqtt_session::transmit(const message_ptr& m, std::uint8_t qos, bool retained) {
    // MQTT 5 Message Expiry: an expired message is not delivered (5.0 3.3.2.3.3).
    if (expired(*m, now_)) return;
    const bool v5 = version_ == mqtt::protocol_level::v5;
    const auto alias = v5 ? aliases_.choose(m->topic) : outbound_topic_aliases::choice{};
    mqtt::byte_buffer props;
    if (v5 && (m->expires_at || !m->properties.empty() || alias.alias != 0))
        props = outbound_properties(*m, now_, alias.alias);
    std::uint16_t id = 0;
    if (qos == 1) {
        do {
            id = next_packet_id_++;
            if (next_packet_id_ == 0) next_packet_id_ = 1;
        } while (id == 0 || inflight_.contains(id));
        inflight_.emplace(id, m);
    }
    mqtt::byte_buffer out;
    mqtt::encode(mqtt::publish{.topic = alias.send_topic ? std::string_view(m->topic) : std::string_view{},
                               .payload = mqtt::as_bytes(m->payload),
                               .qos = static_cast<mqtt::qos>(qos),
                               .retain = retained,
                               .packet_id = id,
                               .properties = mqtt::properties{props}},
                 out, version_);
    if (peer_max_packet_ != 0 && out.size() > peer_max_packet_) {
        // Larger than the client said it takes: discarded as if delivered (5.0 3.1.2.11.4).
        if (qos == 1) inflight_.erase(id);
        bump(stats_.messages_dropped);
        return;
    }
    aliases_.confirm(m->topic, alias);
    bump(stats_.messages_out);
    send(std::move(out));
}

bool mqtt_session::wait_for_window(const message_ptr& m, bool retained) {
    const auto cost = waiting_cost(*m);
    if (waiting_bytes_ + cost > limits_.max_outbox_bytes) {
        bump(stats_.messages_dropped);
        return false;
    }
    waiting_bytes_ += cost;
    waiting_qos1_.emplace_back(m, retained);
    return true;
}

void mqtt_session::acknowledge(std::uint16_t packet_id) {
    if (!inflight_.erase(packet_id)) return;
    while (!waiting_qos1_.empty() && inflight_.size() < window()) {
        auto [m, retained] = std::move(waiting_qos1_.front());
        waiting_qos1_.pop_front();
        waiting_bytes_ -= waiting_cost(*m);
        transmit(m, 1, retained);
    }
}

void mqtt_session::start_replay(std::vector<message_ptr> stored, time_point now) {
    replay_ = std::make_unique<replay_state>(replay_state{std::move(stored), 0, now});
}

std::vector<message_ptr> mqtt_session::take_due_replay(time_point now) {
    std::vector<message_ptr> due;
    if (!replay_ || now < replay_->at) return due;
    // AWS replays a resumed session's stored QoS 1 messages at 10 msg/s: one now, the next
    // after 1/rate (rate 0: all at once).
    const double rate = limits_.session_replay_per_s;
    auto& r = *replay_;
    do {
        if (r.next < r.stored.size()) due.push_back(r.stored[r.next++]);
    } while (rate <= 0 && r.next < r.stored.size());
    if (r.next < r.stored.size())
        r.at = now + std::chrono::duration_cast<time_point::duration>(std::chrono::duration<double>(1.0 / rate));
    else
        replay_.reset();
    return due;
}

bool mqtt_session::has_undelivered() const noexcept {
    return !inflight_.empty() || !waiting_qos1_.empty() || (replay_ && replay_->next < replay_->stored.size());
}

std::vector<message_ptr> mqtt_session::unacked() const {
    // Packet ids are handed out in increasing order (wrapping, skipping 0): distance behind
    // next_packet_id_ orders them oldest first.
    std::vector<std::pair<std::uint16_t, message_ptr>> by_age;
    for (const auto& [id, m] : inflight_) by_age.emplace_back(static_cast<std::uint16_t>(id - next_packet_id_), m);
    std::sort(by_age.begin(), by_age.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<message_ptr> out;
    for (auto& [age, m] : by_age) out.push_back(std::move(m));
    for (const auto& [m, retained] : waiting_qos1_) out.push_back(m);
    if (replay_)
        out.insert(out.end(), replay_->stored.begin() + static_cast<std::ptrdiff_t>(replay_->next), replay_->stored.end());
    return out;
}

void mqtt_session::clear() {
    inflight_.clear();
    waiting_qos1_.clear();
    waiting_bytes_ = 0;
    replay_.reset();
    keep_alive_deadline_.reset();
    clear_input();
}

std::optional<mqtt_session::time_point> mqtt_session::next_deadline() const {
    if (!replay_) return keep_alive_deadline_;
    return keep_alive_deadline_ ? std::min(*keep_alive_deadline_, replay_->at) : replay_->at;
}

}  // namespace wv::gate
