#include "client_setup.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>

#include "mqtt5_property_table.hpp"

namespace wv::wvpub {
namespace {

bool readable(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    std::fclose(f);
    return true;
}

std::optional<setup_error> unsupported(const pub_options& o) {
    auto err = [](const std::string& what) { return setup_error{"Error: " + what + "\n", 1}; };
    if (o.unix_path) return err("--unix is not supported by wvpub: Eclipse Paho MQTT C connects over TCP only. Use -h/-p.");
    if (o.proxy) return err("--proxy is not supported by wvpub: Eclipse Paho MQTT C has HTTP CONNECT proxies, not SOCKS5.");
    if (o.bind_address)
        return err("-A is not supported by wvpub: Eclipse Paho MQTT C cannot bind its socket to a local address.");
    // Paho C++ 1.2 gives OpenSSL a callback context that points into a temporary copy of the
    // options, so its PSK callback would read freed memory on the first handshake.
    if (o.psk) return err("--psk is not supported by wvpub: Eclipse Paho MQTT C++ 1.2's PSK callback is unsafe to use.");
    if (o.tls_engine || (o.keyform && *o.keyform == "engine") || o.tls_engine_kpass_sha1)
        return err("--tls-engine/--keyform engine are not supported by wvpub: Eclipse Paho MQTT C does not load "
                   "OpenSSL engines.");
    return std::nullopt;
}

std::optional<int> ssl_version_of(const std::string& v) {
    // Paho has no 1.3-only setting: its TLS 1.2 setting negotiates 1.2 or better.
    if (v == "tlsv1.3" || v == "tlsv1.2") return MQTT_SSL_VERSION_TLS_1_2;
    if (v == "tlsv1.1") return MQTT_SSL_VERSION_TLS_1_1;
    return std::nullopt;
}

std::string bracket_ipv6(const std::string& host) {
    return host.find(':') != std::string::npos && host.front() != '[' ? "[" + host + "]" : host;
}

}  // namespace

std::string choose_client_id(const pub_options& o) {
    if (o.id) return *o.id;
    if (o.id_prefix) return *o.id_prefix + std::to_string(::getpid());
    if (o.protocol_version == 3) {
        // libmosquitto's MQTT 3.1 fallback: 3.1 forbids an empty id.
        static constexpr char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        std::random_device rd;
        std::string id = "mosq-";
        for (int i = 0; i < 18; ++i) id += alphabet[rd() % (sizeof alphabet - 1)];
        return id;
    }
    return "";
}

mqtt::properties build_properties(const pub_options& o, const std::string& command) {
    mqtt::properties props;
    for (const auto& p : o.properties) {
        if (p.command != command) continue;
        const auto info = find_property(p.name);
        const auto code = static_cast<mqtt::property::code>(info->identifier);
        switch (info->type) {
            case property_type::string:
            case property_type::binary: props.add(mqtt::property(code, p.value)); break;
            case property_type::string_pair: props.add(mqtt::property(code, p.value, p.value2)); break;
            default: props.add(mqtt::property(code, static_cast<std::int32_t>(std::atol(p.value.c_str())))); break;
        }
    }
    return props;
}

void configure_ssl(mqtt::ssl_options& ssl, const pub_options& o) {
    if (o.cafile) ssl.set_trust_store(*o.cafile);
    if (o.capath) ssl.ca_path(*o.capath);
    if (o.certfile) ssl.set_key_store(*o.certfile);
    if (o.keyfile) ssl.set_private_key(*o.keyfile);
    if (o.ciphers) ssl.set_enabled_cipher_suites(*o.ciphers);
    if (o.tls_version) ssl.set_ssl_version(*ssl_version_of(*o.tls_version));
    // mosquitto verifies the chain always; --insecure only skips the host-name check.
    ssl.set_enable_server_cert_auth(!o.psk);
    ssl.set_verify(!o.insecure && !o.psk);
    if (o.tls_alpn) ssl.set_alpn_protos({*o.tls_alpn});
}

std::variant<client_plan, setup_error> plan_client(const pub_options& o,
                                                   const std::optional<std::string>& will_payload) {
    client_plan plan;
    plan.client_id = choose_client_id(o);
    plan.mqtt_version = o.protocol_version == 5   ? MQTTVERSION_5
                        : o.protocol_version == 3 ? MQTTVERSION_3_1
                                                  : MQTTVERSION_3_1_1;

    auto& c = plan.connect;
    c.set_mqtt_version(plan.mqtt_version);
    if (plan.mqtt_version == MQTTVERSION_5) c.set_clean_start(o.clean_session);
    else c.set_clean_session(o.clean_session);
    c.set_keep_alive_interval(o.keepalive_s);
    // libmosquitto gives up on a missing CONNACK after one keep-alive period.
    c.set_connect_timeout(o.keepalive_s);
    c.set_max_inflight(o.max_inflight);
    c.set_automatic_reconnect(false);

    if (o.will_topic || (o.wavelet_will && o.topic)) {
        const std::string topic = o.will_topic.value_or(o.topic.value_or(""));
        const std::string payload = will_payload.value_or(o.will_payload.value_or(""));
        plan.will = client_plan::will_message{topic, payload, o.will_qos, o.will_retain};
        mqtt::will_options will(topic, payload, o.will_qos, o.will_retain);
        if (auto props = build_properties(o, "will"); plan.mqtt_version == MQTTVERSION_5 && !props.empty())
            will.set_properties(std::move(props));
        c.set_will(std::move(will));
    }

    std::optional<std::string> user = o.username;
    if (o.authorizer) user = user.value_or("") + "?x-amz-customauthorizer-name=" + *o.authorizer;
    // libmosquitto refuses a password without a user name under MQTT 3.x.
    if (o.password && !user && o.protocol_version != 5)
        return setup_error{"Error: Problem setting username and/or password.\n", 1};
    if (user) c.set_user_name(*user);
    if (o.password) c.set_password(*o.password);
    plan.user_name = user;
    plan.password = o.password;

    if (auto e = unsupported(o)) return *e;

    if (o.cafile || o.capath) {
        for (const auto* f : {&o.cafile, &o.certfile, &o.keyfile})
            if (*f && !readable(**f)) return setup_error{"Error: Problem setting TLS options: File not found.\n", 1};
        if (o.capath && !std::filesystem::is_directory(*o.capath))
            return setup_error{"Error: Problem setting TLS options: File not found.\n", 1};
    }
    if (o.keyform && *o.keyform != "pem")
        return setup_error{"Error: Problem setting key form, it must be one of 'pem' or 'engine'.\n", 1};
    if (o.tls_version && !ssl_version_of(*o.tls_version))
        return setup_error{"Error: Problem setting TLS options, check the options are valid.\n", 1};

    plan.tls = o.uses_tls();
    if (plan.mqtt_version == MQTTVERSION_5) {
        plan.connect_properties = build_properties(o, "connect");
        plan.publish_properties = build_properties(o, "publish");
        plan.disconnect_properties = build_properties(o, "disconnect");
    }
    plan.server_uri = std::string(plan.tls ? "ssl://" : "tcp://") + bracket_ipv6(o.effective_host()) + ":" +
                      std::to_string(o.effective_port());
    return plan;
}

}  // namespace wv::wvpub
