// PUBLISH out: a message the broker delivers to this connection (or a resumed session's
// stored one, or a retained one after SUBSCRIBE) passes iot:Receive, then goes to the MQTT
// session, which gives it a packet id and a place in the QoS 1 window (mqtt_session.hpp).
#include "gateway/connection_machine.hpp"
#include "policy/arn.hpp"

namespace wv::gate {

bool connection_machine::may_receive(const std::string& topic) {
    // iot:Receive is evaluated per delivery (a refresh can revoke it); cached per topic
    // until the policies change.
    auto ok = decisions_.find(decision_cache::kind::receive, topic);
    if (!ok) {
        ok = allowed("iot:Receive", policy::topic_arn({env_.config->region, env_.config->account}, topic));
        decisions_.put(decision_cache::kind::receive, topic, *ok);
    }
    return *ok;
}

void connection_machine::on_deliver(const message_ptr& m, std::uint8_t qos, bool retained, clock::time_point now) {
    if (state_ != state::connected) return;
    session_.set_clock(now);
    if (!may_receive(m->topic)) return;  // silently not delivered, as AWS does
    session_.publish(m, qos, retained);
}

void connection_machine::send_due_replay(clock::time_point now) {
    for (const auto& m : session_.take_due_replay(now)) on_deliver(m, 1, false, now);
}

}  // namespace wv::gate
