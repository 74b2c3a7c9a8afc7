#include "parse_args.hpp"

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>

#include "mqtt5_property_table.hpp"
#include "utf8.hpp"

namespace wv::wvpub {
namespace {

parse_outcome fail(std::string text) { return {parse_status::error, std::move(text)}; }

bool has_wildcard(const std::string& topic) { return topic.find_first_of("+#") != std::string::npos; }

// Walks one argument list. Each handler reads its value (if any) and may fail with text.
class argument_walker {
public:
    argument_walker(const std::vector<std::string>& args, pub_options& o) : args_(args), o_(o) {}

    parse_outcome run() {
        for (i_ = 0; i_ < args_.size(); ++i_) {
            auto r = one(args_[i_]);
            if (r.status != parse_status::ok) return r;
        }
        return {};
    }

private:
    bool last() const { return i_ + 1 >= args_.size(); }
    const std::string& next() { return args_[++i_]; }

    // An option with a value: `missing` is the text for a value-less last option.
    parse_outcome value(const std::string& missing, const std::function<parse_outcome(const std::string&)>& set) {
        if (last()) return fail(missing);
        return set(next());
    }
    parse_outcome store(const std::string& missing, std::optional<std::string>& field) {
        return value(missing, [&](const std::string& v) {
            field = v;
            return parse_outcome{};
        });
    }
    parse_outcome set_source(message_source s) {
        if (o_.source != message_source::none) return fail("Error: Only one type of message can be sent at once.\n\n");
        o_.source = s;
        return {};
    }
    parse_outcome flag(bool& field) {
        field = true;
        return {};
    }
    parse_outcome topic(const std::string& t, const char* what) {
        if (!is_valid_utf8(t)) return fail(std::string("Error: Malformed UTF-8 in ") + what + " argument.\n\n");
        if (has_wildcard(t) || t.size() > 65535)
            return fail("Error: Invalid publish topic '" + t + "', does it contain '+' or '#'?\n");
        o_.topic = t;
        return {};
    }

    parse_outcome one(const std::string& a);
    parse_outcome extension(const std::string& a);
    parse_outcome url(std::string url);
    parse_outcome property();

    const std::vector<std::string>& args_;
    pub_options& o_;
    std::size_t i_ = 0;
};

parse_outcome argument_walker::url(std::string url) {
    auto starts = [&](const std::string& scheme) {
        if (url.size() < scheme.size()) return false;
        for (std::size_t k = 0; k < scheme.size(); ++k)
            if (std::tolower(static_cast<unsigned char>(url[k])) != scheme[k]) return false;
        return true;
    };
    if (starts("mqtt://")) {
        url.erase(0, 7);
        o_.port = 1883;
    } else if (starts("mqtts://")) {
        url.erase(0, 8);
        o_.port = 8883;
        o_.tls_use_os_certs = true;
    } else {
        return fail("Error: unsupported URL scheme.\n\n");
    }
    const auto slash = url.find('/');
    if (slash == std::string::npos) return fail("Error: Invalid URL for -L argument specified - topic missing.\n");
    if (auto r = topic(url.substr(slash + 1), "-L topic"); r.status != parse_status::ok) return r;
    url.resize(slash);
    if (const auto at = url.find('@'); at != std::string::npos) {
        auto cred = url.substr(0, at);
        if (const auto colon = cred.find(':'); colon != std::string::npos) {
            o_.password = cred.substr(colon + 1);
            cred.resize(colon);
        }
        o_.username = cred;
        url.erase(0, at + 1);
    }
    if (const auto colon = url.find(':'); colon != std::string::npos) {
        o_.port = c_atoi(url.substr(colon + 1));
        url.resize(colon);
    }
    o_.host = url;
    return {};
}

parse_outcome argument_walker::property() {
    static const std::string not_enough = "Error: --property argument given but not enough arguments specified.\n\n";
    if (last()) return fail(not_enough);
    const std::string command = args_[i_ + 1];
    if (!is_property_command(command)) return fail("Error: Invalid command given in --property argument.\n\n");
    if (i_ + 2 >= args_.size()) return fail(not_enough);
    const std::string name = args_[i_ + 2];
    const auto info = find_property(name);
    if (!info) return fail("Error: Invalid property name given in --property argument.\n\n");
    if (!property_allowed(*info, command))
        return fail("Error: " + name + " property not allowed for " + command + " in --property argument.\n\n");
    property_option p{command, name, {}, {}};
    if (info->type == property_type::string_pair) {
        if (i_ + 4 >= args_.size()) return fail(not_enough);
        p.value = args_[i_ + 3];
        p.value2 = args_[i_ + 4];
        i_ += 4;
    } else {
        if (i_ + 3 >= args_.size()) return fail(not_enough);
        p.value = args_[i_ + 3];
        i_ += 3;
    }
    // mosquitto_pub keeps properties only for the packets a client sends; the rest fail (and
    // for CONNACK/SUBACK/UNSUBACK it fails without a message, as 2.0.11 does).
    const bool stored = command == "connect" || command == "publish" || command == "subscribe" ||
                        command == "unsubscribe" || command == "disconnect" || command == "will";
    if (!stored || (command == "publish" && name == "subscription-identifier")) {
        if (command == "connack" || command == "suback" || command == "unsuback") return fail("");
        return fail("Error: " + name + " property not supported for " + command + " in --property argument.\n\n");
    }
    if (info->type != property_type::binary && info->type != property_type::string &&
        info->type != property_type::string_pair) {
        const long v = std::atol(p.value.c_str());
        if (v < 0 || v > property_max(info->type))
            return fail("Error: Property value (" + std::to_string(v) + ") out of range for property " + name + ".\n\n");
    }
    o_.properties.push_back(std::move(p));
    o_.protocol_version = 5;  // mosquitto_pub switches to v5 whenever -D is used
    return {};
}

parse_outcome argument_walker::one(const std::string& a) {
    auto is = [&](const char* s, const char* l = nullptr) { return a == s || (l && a == l); };
    if (is("-A")) return store("Error: -A argument given but no address specified.\n\n", o_.bind_address);
    if (is("--cafile")) return store("Error: --cafile argument given but no file specified.\n\n", o_.cafile);
    if (is("--capath")) return store("Error: --capath argument given but no directory specified.\n\n", o_.capath);
    if (is("--cert")) return store("Error: --cert argument given but no file specified.\n\n", o_.certfile);
    if (is("--ciphers")) return store("Error: --ciphers argument given but no ciphers specified.\n\n", o_.ciphers);
    if (is("-c", "--disable-clean-session")) {
        o_.clean_session = false;
        return {};
    }
    if (is("-d", "--debug")) return flag(o_.debug);
    if (is("-D", "--property")) return property();
    if (is("-f", "--file")) {
        if (o_.source != message_source::none) return set_source(message_source::file);
        return value("Error: -f argument given but no file specified.\n\n", [&](const std::string& v) {
            o_.source = message_source::file;
            o_.file_input = v;
            return parse_outcome{};
        });
    }
    if (is("--help")) return {parse_status::help, {}};
    if (is("-h", "--host")) return store("Error: -h argument given but no host specified.\n\n", o_.host);
    if (is("--insecure")) return flag(o_.insecure);
    if (is("-i", "--id")) {
        if (o_.id_prefix) return fail("Error: -i and -I argument cannot be used together.\n\n");
        return store("Error: -i argument given but no id specified.\n\n", o_.id);
    }
    if (is("-I", "--id-prefix")) {
        if (o_.id) return fail("Error: -i and -I argument cannot be used together.\n\n");
        return store("Error: -I argument given but no id prefix specified.\n\n", o_.id_prefix);
    }
    if (is("-k", "--keepalive"))
        return value("Error: -k argument given but no keepalive specified.\n\n", [&](const std::string& v) {
            o_.keepalive_s = c_atoi(v);
            if (o_.keepalive_s < 5 || o_.keepalive_s > 65535)
                return fail("Error: Invalid keepalive given, it must be between 5 and 65535 inclusive.\n\n");
            return parse_outcome{};
        });
    if (is("--key")) return store("Error: --key argument given but no file specified.\n\n", o_.keyfile);
    if (is("--keyform")) return store("Error: --keyform argument given but no keyform specified.\n\n", o_.keyform);
    if (is("-L", "--url"))
        return value("Error: -L argument given but no URL specified.\n\n", [&](const std::string& v) { return url(v); });
    if (is("-l", "--stdin-line")) return set_source(message_source::stdin_line);
    if (is("-m", "--message")) {
        if (o_.source != message_source::none) return set_source(message_source::command_line);
        return value("Error: -m argument given but no message specified.\n\n", [&](const std::string& v) {
            if (v.size() > 268435455u) return fail("Error: Message length must be less than 268435455 bytes.\n\n");
            o_.message = v;
            o_.source = message_source::command_line;
            return parse_outcome{};
        });
    }
    if (is("-M"))
        return value("Error: -M argument given but max_inflight not specified.\n\n", [&](const std::string& v) {
            const int n = c_atoi(v);
            if (n < 1) return fail("Error: Maximum inflight messages must be greater than 0.\n\n");
            o_.max_inflight = n;
            return parse_outcome{};
        });
    if (is("--nodelay")) return flag(o_.tcp_nodelay);
    if (is("-n", "--null-message")) return set_source(message_source::null_message);
    if (is("-p", "--port"))
        return value("Error: -p argument given but no port specified.\n\n", [&](const std::string& v) {
            o_.port = c_atoi(v);
            if (o_.port < 0 || o_.port > 65535) return fail("Error: Invalid port given: " + std::to_string(o_.port) + "\n");
            return parse_outcome{};
        });
    if (is("-P", "--pw")) return store("Error: -P argument given but no password specified.\n\n", o_.password);
    if (is("--proxy")) return store("Error: --proxy argument given but no proxy url specified.\n\n", o_.proxy);
    if (is("--psk")) return store("Error: --psk argument given but no key specified.\n\n", o_.psk);
    if (is("--psk-identity"))
        return store("Error: --psk-identity argument given but no identity specified.\n\n", o_.psk_identity);
    if (is("-q", "--qos"))
        return value("Error: -q argument given but no QoS specified.\n\n", [&](const std::string& v) {
            o_.qos = c_atoi(v);
            if (o_.qos < 0 || o_.qos > 2) return fail("Error: Invalid QoS given: " + std::to_string(o_.qos) + "\n");
            return parse_outcome{};
        });
    if (is("--quiet")) return flag(o_.quiet);
    if (is("-r", "--retain")) return flag(o_.retain);
    if (is("--repeat"))
        return value("Error: --repeat argument given but no count specified.\n\n", [&](const std::string& v) {
            o_.repeat_count = c_atoi(v);
            if (o_.repeat_count < 1) return fail("Error: --repeat argument must be >0.\n\n");
            return parse_outcome{};
        });
    if (is("--repeat-delay"))
        return value("Error: --repeat-delay argument given but no time specified.\n\n", [&](const std::string& v) {
            // mosquitto converts through a float in microseconds; keep that rounding.
            const float f = static_cast<float>(c_atof(v));
            if (f < 0.0f) return fail("Error: --repeat-delay argument must be >=0.0.\n\n");
            o_.repeat_delay = std::chrono::microseconds(static_cast<std::int64_t>(f * 1.0e6f));
            return parse_outcome{};
        });
    if (is("-s", "--stdin-file")) return set_source(message_source::stdin_file);
    if (is("-t", "--topic"))
        return value("Error: -t argument given but no topic specified.\n\n",
                     [&](const std::string& v) { return topic(v, "-t"); });
    if (is("--tls-alpn")) return store("Error: --tls-alpn argument given but no protocol specified.\n\n", o_.tls_alpn);
    if (is("--tls-engine"))
        return store("Error: --tls-engine argument given but no engine_id specified.\n\n", o_.tls_engine);
    if (is("--tls-engine-kpass-sha1"))
        return store("Error: --tls-engine-kpass-sha1 argument given but no kpass sha1 specified.\n\n",
                     o_.tls_engine_kpass_sha1);
    if (is("--tls-use-os-certs")) return flag(o_.tls_use_os_certs);
    if (is("--tls-version"))
        return store("Error: --tls-version argument given but no version specified.\n\n", o_.tls_version);
    if (is("-u", "--username")) return store("Error: -u argument given but no username specified.\n\n", o_.username);
    if (is("--unix"))
        return value("Error: --unix argument given but no socket path specified.\n\n", [&](const std::string& v) {
            o_.unix_path = v;
            o_.port = 0;
            return parse_outcome{};
        });
    if (is("-V", "--protocol-version"))
        return value("Error: --protocol-version argument given but no version specified.\n\n", [&](const std::string& v) {
            if (v == "mqttv31" || v == "31") o_.protocol_version = 3;
            else if (v == "mqttv311" || v == "311") o_.protocol_version = 4;
            else if (v == "mqttv5" || v == "5") o_.protocol_version = 5;
            else return fail("Error: Invalid protocol version argument given.\n\n");
            return parse_outcome{};
        });
    if (is("--version")) return {parse_status::version, {}};
    if (is("--will-payload"))
        return store("Error: --will-payload argument given but no will payload specified.\n\n", o_.will_payload);
    if (is("--will-qos"))
        return value("Error: --will-qos argument given but no will QoS specified.\n\n", [&](const std::string& v) {
            o_.will_qos = c_atoi(v);
            if (o_.will_qos < 0 || o_.will_qos > 2)
                return fail("Error: Invalid will QoS " + std::to_string(o_.will_qos) + ".\n\n");
            return parse_outcome{};
        });
    if (is("--will-retain")) return flag(o_.will_retain);
    if (is("--will-topic"))
        return value("Error: --will-topic argument given but no will topic specified.\n\n", [&](const std::string& v) {
            if (!is_valid_utf8(v)) return fail("Error: Malformed UTF-8 in --will-topic argument.\n\n");
            if (has_wildcard(v)) return fail("Error: Invalid will topic '" + v + "', does it contain '+' or '#'?\n");
            o_.will_topic = v;
            return parse_outcome{};
        });
    if (is("-x"))
        return value("Error: -x argument given but no session expiry interval specified.\n\n", [&](const std::string& v) {
            if (v == "\xe2\x88\x9e") {  // "∞"
                o_.session_expiry_interval = UINT32_MAX;
                return parse_outcome{};
            }
            char* end = nullptr;
            const long n = std::strtol(v.c_str(), &end, 0);
            if (end == v.c_str() || *end != '\0') return fail("Error: session-expiry-interval not a number.\n\n");
            if (n > static_cast<long>(UINT32_MAX) || n < -1) return fail("Error: session-expiry-interval out of range.\n\n");
            o_.session_expiry_interval = n == -1 ? static_cast<std::int64_t>(UINT32_MAX) : n;
            return parse_outcome{};
        });
    return extension(a);
}

// wvpub's own options: names mosquitto_pub 2.0.11 rejects as unknown, so adding them changes
// no command line it accepts.
parse_outcome argument_walker::extension(const std::string& a) {
    if (a == "--wavelet") {
        if (auto r = set_source(message_source::wavelet); r.status != parse_status::ok) return r;
        // The profile is optional: take the next word unless it is another option.
        if (!last() && !args_[i_ + 1].empty() && args_[i_ + 1][0] != '-') o_.wavelet_profile = next();
        return {};
    }
    if (a == "--akid") return store("Error: --akid argument given but no AKID specified.\n\n", o_.akid);
    if (a == "--authorizer")
        return store("Error: --authorizer argument given but no authorizer name specified.\n\n", o_.authorizer);
    if (a == "--wavelet-will") return flag(o_.wavelet_will);
    if (a == "--timing") return flag(o_.timing);
    return fail("Error: Unknown option '" + a + "'.\n");
}

}  // namespace

int c_atoi(const std::string& s) { return std::atoi(s.c_str()); }
double c_atof(const std::string& s) { return std::atof(s.c_str()); }

parse_outcome apply_arguments(const std::vector<std::string>& args, pub_options& opts) {
    return argument_walker(args, opts).run();
}

parse_outcome check_options(pub_options& o) {
    if (o.will_payload && !o.will_topic) return fail("Error: Will payload given, but no will topic given.\n");
    if (o.will_retain && !o.will_topic && !o.wavelet_will) return fail("Error: Will retain given, but no will topic given.\n");
    if (static_cast<bool>(o.certfile) != static_cast<bool>(o.keyfile))
        return fail("Error: Both certfile and keyfile must be provided if one of them is set.\n");
    if (o.keyform && !o.keyfile) return fail("Error: If keyform is set, keyfile must be also specified.\n");
    if (o.tls_engine_kpass_sha1 && (!o.keyform || !o.tls_engine))
        return fail("Error: when using tls-engine-kpass-sha1, both tls-engine and keyform must also be provided.\n");
    if ((o.cafile || o.capath) && o.psk) return fail("Error: Only one of --psk or --cafile/--capath may be used at once.\n");
    if (o.psk && !o.psk_identity) return fail("Error: --psk-identity required if --psk used.\n");

    // --akid fills what the user left out; it never overrides -i, -I or -t.
    if (o.akid) {
        if (!o.id && !o.id_prefix) o.id = *o.akid;
        if (!o.topic) o.topic = "wv/" + *o.akid + "/1/samp/p1";
    }

    if (o.protocol_version == 5) {
        if (!o.clean_session && o.session_expiry_interval == -1) o.session_expiry_interval = UINT32_MAX;
        if (o.session_expiry_interval > 0) {
            if (o.session_expiry_interval == UINT32_MAX && (o.id_prefix || !o.id))
                return fail("Error: You must provide a client id if you are using an infinite session expiry interval.\n");
            o.properties.push_back({"connect", "session-expiry-interval", std::to_string(o.session_expiry_interval), {}});
        }
    } else if (!o.clean_session && (o.id_prefix || !o.id)) {
        return fail("Error: You must provide a client id if you are using the -c option.\n");
    }

    // mosquitto_property_check_all(): duplicates and values MQTT 5 forbids, per packet.
    static const std::map<std::string, std::string> packet_names{
        {"connect", "CONNECT"}, {"publish", "PUBLISH"}, {"subscribe", "SUBSCRIBE"},
        {"unsubscribe", "UNSUBSCRIBE"}, {"disconnect", "DISCONNECT"}, {"will", "Will"}};
    for (const auto& [cmd, upper] : packet_names) {
        std::map<std::string, int> seen;
        for (const auto& p : o.properties) {
            if (p.command != cmd) continue;
            const auto info = find_property(p.name);
            const long v = std::atol(p.value.c_str());
            const bool zero_forbidden = p.name == "receive-maximum" || p.name == "topic-alias" ||
                                        p.name == "maximum-packet-size" || p.name == "subscription-identifier";
            if ((info->type == property_type::byte && v > 1) || (zero_forbidden && v == 0))
                return fail("Error in " + upper +
                            " properties: A network protocol error occurred when communicating with the broker.\n");
            if (p.name != "user-property" && p.name != "subscription-identifier" && ++seen[p.name] > 1)
                return fail("Error in " + upper + " properties: Duplicate property in property list\n");
        }
    }
    return {};
}

}  // namespace wv::wvpub
