#include "machine_harness.hpp"

#include <stdexcept>

namespace wv::test {

std::string allow_wv_policy() {
    return R"({"Version":"2012-10-17","Statement":[)"
           R"({"Effect":"Allow","Action":"iot:Connect","Resource":"arn:aws:iot:*:*:client/*"},)"
           R"({"Effect":"Allow","Action":["iot:Publish","iot:Receive","iot:RetainPublish"],"Resource":"arn:aws:iot:*:*:topic/wv/*"},)"
           R"({"Effect":"Allow","Action":"iot:Subscribe","Resource":"arn:aws:iot:*:*:topicfilter/wv/*"}]})";
}

mqtt::packet sent_packet::decoded() const {
    const auto r = mqtt::read_frame(bytes);
    const auto& f = std::get<mqtt::frame>(r);
    return mqtt::decode_any(f).value();
}

auth::authorization_result result_for(const std::string& body) {
    auth::authorization_result r;
    r.verdict = auth::validate_response(body);
    r.outcome = r.verdict.allowed ? auth::authorization_outcome::allowed
                : r.verdict.valid ? auth::authorization_outcome::denied
                                  : auth::authorization_outcome::invalid_response;
    r.reason = r.verdict.reason;
    return r;
}

harness::harness() {
    config.threads = 1;
    gate::authorizer_config a;
    a.name = "auth";
    config.authorizers = {a};
    config.default_authorizer = "auth";
    log = std::make_unique<gate::event_log>(gate::log_level::debug, "123456789012",
                                            [this](std::string_view l) { log_lines.emplace_back(l); });
    brk = std::make_unique<gate::broker>();
    auth::endpoint_authorizers ep;
    auth::authorizer_config ac;
    ac.name = "auth";
    ac.signing_disabled = true;
    ep.authorizers = {ac};
    ep.default_authorizer = "auth";
    authorizers = std::make_unique<auth::custom_authorizers>(ep);
}

gate::machine_env harness::env() {
    return gate::machine_env{.config = &config,
                             .authorizers = authorizers.get(),
                             .stats = &stats,
                             .min_log_level = gate::log_level::debug,  // as `log`
                             .has_rules = false};
}

gate::gateway_services harness::services() {
    return gate::gateway_services{.brk = brk.get(), .log = log.get(), .throttle = throttle};
}

std::string harness::log_text() const {
    std::string s;
    for (const auto& l : log_lines) s += l + "\n";
    return s;
}

std::string harness::good_reply(const std::string& principal) const {
    nlohmann::json j = {{"isAuthenticated", true},
                        {"principalId", principal},
                        {"policyDocuments", {allow_wv_policy()}},
                        {"disconnectAfterInSeconds", 3600},
                        {"refreshAfterInSeconds", 600}};
    return j.dump();
}

std::shared_ptr<peer> harness::make_peer(const std::string& name) {
    shared = services();
    auto p = std::make_shared<peer>(*this, name);
    gate::peer_info info;
    info.server_name = "localhost";
    info.alpn = "mqtt";
    p->machine = std::make_unique<gate::connection_machine>(env(), info, "conn-" + name, now);
    p->auth_body = good_reply();
    return p;
}

peer::peer(harness& h, std::string) : h_(h), applier_(&h.shared) {}

bool peer::deliver(gate::message_ptr m, std::uint8_t qos, bool retained) {
    pending_.push_back([this, m, qos, retained] { machine->on_deliver(m, qos, retained, h_.now); });
    return true;
}

void peer::kick(gate::disconnect_reason why) {
    pending_.push_back([this, why] { machine->on_kick(why, h_.now); });
}

void peer::pump() {
    while (!pending_.empty()) {
        auto f = std::move(pending_.front());
        pending_.pop_front();
        f();
        process();
    }
}

void peer::process() {
    // As connection.cpp does: the gateway's effects to the applier, the transport's here.
    const std::shared_ptr<gate::subscriber> self = shared_from_this();
    while (machine->has_effects()) {
        for (auto& a : machine->take_effects()) {
        if (applier_.apply(a, *machine, self, h_.now)) continue;
        if (auto* s = std::get_if<gate::send_bytes>(&a)) {
            // Split into packets so tests can look at each (framed as 5 frames: 3.1.1 packets too).
            std::span<const std::byte> rest(s->bytes);
            while (!rest.empty()) {
                const auto r = mqtt::read_frame(rest, {}, mqtt::protocol_level::v5);
                const auto& f = std::get<mqtt::frame>(r);
                sent_.push_back({f.type, std::vector<std::byte>(rest.begin(), rest.begin() + f.consumed)});
                rest = rest.subspan(f.consumed);
            }
        } else if (auto* c = std::get_if<gate::call_authorizer>(&a)) {
            auth_events.push_back(c->event_json);
            if (auth_body.empty()) {
                pending_auth_ = c->event_json;
            } else {
                machine->on_authorizer_result(result_for(auth_body), h_.now);  // its effects: the next round
            }
        } else if (auto* c = std::get_if<gate::close_connection>(&a)) {
            closed = *c;
            applier_.connection_closed();
        }
        }
    }
}

void peer::answer_auth(const std::string& body) { answer_auth(result_for(body)); }

void peer::answer_auth(const auth::authorization_result& r) {
    machine->on_authorizer_result(r, h_.now);
    process();
}

void peer::transport_closed() {
    machine->on_transport_closed(h_.now);
    process();
}

void peer::send(const mqtt::byte_buffer& b) {
    machine->on_bytes(b, h_.now);
    process();
}

void peer::tick() {
    machine->on_tick(h_.now);
    process();
}

void peer::connect(std::string client_id, std::uint16_t keep_alive_s, bool clean, std::optional<mqtt::last_will> will,
                   std::string user, std::string password) {
    mqtt::connect c;
    c.client_id = client_id;
    c.keep_alive_s = keep_alive_s;
    c.clean_session = clean;
    c.will = will;
    c.user_name = user;
    c.password = mqtt::as_bytes(password);
    send(mqtt::encode_to_bytes(c));
}

void peer::publish(std::string topic, std::string payload, mqtt::qos q, bool retain, std::uint16_t id) {
    mqtt::publish p;
    p.topic = topic;
    p.payload = mqtt::as_bytes(payload);
    p.qos = q;
    p.retain = retain;
    p.packet_id = q == mqtt::qos::at_most_once ? 0 : id;
    send(mqtt::encode_to_bytes(p));
}

void peer::subscribe(std::string filter, mqtt::qos q, std::uint16_t id) {
    mqtt::subscribe s;
    s.packet_id = id;
    s.subscriptions = {{filter, q}};
    send(mqtt::encode_to_bytes(s));
}

std::vector<sent_packet> peer::take_sent() {
    std::vector<sent_packet> out;
    out.swap(sent_);
    return out;
}

bool peer::has_connack() {
    for (const auto& p : sent_)
        if (p.type == mqtt::packet_type::connack) return true;
    return false;
}

}  // namespace wv::test
