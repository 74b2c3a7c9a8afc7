#include "provisioning/mqtt_api.hpp"

namespace wv::provisioning {
namespace {

std::optional<payload_format> format_of(std::string_view s) {
    if (s == "json") return payload_format::json;
    if (s == "cbor") return payload_format::cbor;
    return std::nullopt;
}

bool consume(std::string_view& s, std::string_view prefix) {
    if (s.substr(0, prefix.size()) != prefix) return false;
    s.remove_prefix(prefix.size());
    return true;
}

}  // namespace

std::optional<request_topic> parse_request_topic(std::string_view topic) {
    std::string_view rest = topic;
    if (consume(rest, "$aws/certificates/create/")) {
        if (const auto f = format_of(rest)) return request_topic{operation::create_keys_and_certificate, *f, {}};
        return std::nullopt;
    }
    if (consume(rest, "$aws/certificates/create-from-csr/")) {
        if (const auto f = format_of(rest)) return request_topic{operation::create_certificate_from_csr, *f, {}};
        return std::nullopt;
    }
    if (consume(rest, "$aws/provisioning-templates/")) {
        const auto slash = rest.find('/');
        if (slash == 0 || slash == std::string_view::npos) return std::nullopt;
        const auto name = rest.substr(0, slash);
        rest.remove_prefix(slash);
        if (!consume(rest, "/provision/")) return std::nullopt;
        if (const auto f = format_of(rest)) return request_topic{operation::register_thing, *f, std::string(name)};
    }
    return std::nullopt;
}

std::variant<nlohmann::json, api_error> decode_payload(std::string_view payload, payload_format f) {
    if (payload.empty()) return nlohmann::json::object();
    nlohmann::json j;
    if (f == payload_format::json) {
        j = nlohmann::json::parse(payload, nullptr, false);
        if (j.is_discarded()) return api_error{400, "InvalidPayload", "The payload is not valid JSON."};
    } else {
        j = nlohmann::json::from_cbor(payload.begin(), payload.end(), true, false);
        if (j.is_discarded()) return api_error{400, "InvalidPayload", "The payload is not valid CBOR."};
    }
    if (!j.is_object()) return api_error{400, "InvalidPayload", "The payload must be an object (a map)."};
    return j;
}

std::string encode_payload(const nlohmann::json& body, payload_format f) {
    if (f == payload_format::json) return body.dump();
    const auto bytes = nlohmann::json::to_cbor(body);
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

nlohmann::json error_body(const api_error& e) {
    return {{"statusCode", e.status_code}, {"errorCode", e.error_code}, {"errorMessage", e.message}};
}

std::variant<std::map<std::string, std::string>, api_error> string_map(const nlohmann::json& body, const char* key) {
    std::map<std::string, std::string> out;
    const auto it = body.find(key);
    if (it == body.end() || it->is_null()) return out;
    if (!it->is_object()) return api_error{400, "InvalidPayload", std::string(key) + " must be a map of strings."};
    for (const auto& [k, v] : it->items()) {
        if (!v.is_string()) return api_error{400, "InvalidPayload", std::string(key) + "." + k + " must be a string."};
        out[k] = v.get<std::string>();
    }
    return out;
}

}  // namespace wv::provisioning
