#include "payload/report_profile.hpp"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <yaml-cpp/yaml.h>

namespace wv::payload {
namespace {

// Errors read "<source>:<line>: <field>: <what>", the line being 1-based as editors show it.
[[noreturn]] void fail(std::string_view source, const YAML::Node& at, const std::string& field, const std::string& what) {
    std::string m(source);
    if (at.Mark().line >= 0) m += ":" + std::to_string(at.Mark().line + 1);
    m += ": " + field + ": " + what;
    throw std::runtime_error(m);
}

template <class T>
T scalar(std::string_view source, const YAML::Node& n, const std::string& field, const char* expected) {
    if (!n.IsScalar()) fail(source, n, field, std::string("expected ") + expected);
    try {
        return n.as<T>();
    } catch (const YAML::Exception&) {
        fail(source, n, field, "'" + n.Scalar() + "' is not " + expected);
    }
}

value_kind parse_kind(std::string_view source, const YAML::Node& n, const std::string& field) {
    const auto s = scalar<std::string>(source, n, field, "a value kind");
    static const std::pair<const char*, value_kind> kinds[] = {
        {"uint64", value_kind::uint64}, {"sint64", value_kind::sint64}, {"float", value_kind::float32},
        {"double", value_kind::float64}, {"bool", value_kind::boolean}, {"gps", value_kind::gps},
        {"jpg", value_kind::jpg}};
    for (const auto& [name, k] : kinds)
        if (s == name) return k;
    fail(source, n, field, "unknown value '" + s + "'; expected one of uint64, sint64, float, double, bool, gps, jpg");
}

channel_profile parse_channel(std::string_view source, const YAML::Node& n, const std::string& path, std::uint32_t& repeat) {
    if (!n.IsMap()) fail(source, n, path, "expected a mapping like {type: TEMP, number: 1}");
    static const std::set<std::string> known = {"type", "number", "mode", "samples", "kind", "min",
                                                "max", "interval_ms", "jpg_bytes", "repeat"};
    for (const auto& kv : n) {
        const auto key = kv.first.as<std::string>();
        if (!known.contains(key))
            fail(source, kv.first, path + "." + key,
                 "unknown key; expected type, number, mode, samples, kind, min, max, interval_ms, jpg_bytes, repeat");
    }
    channel_profile c;
    if (n["type"]) {
        const auto s = scalar<std::string>(source, n["type"], path + ".type", "a channel type");
        const auto t = parse_channel_type(s);
        if (!t) fail(source, n["type"], path + ".type", "unknown channel type '" + s + "' (e.g. TEMP, GPS, BLOB, or 0..15)");
        c.type = *t;
    }
    if (n["number"]) c.number = scalar<std::uint32_t>(source, n["number"], path + ".number", "a uint32");
    if (n["mode"]) {
        const auto s = scalar<std::string>(source, n["mode"], path + ".mode", "periodic or sparse");
        if (s == "periodic") c.mode = sampling::periodic;
        else if (s == "sparse") c.mode = sampling::sparse;
        else fail(source, n["mode"], path + ".mode", "unknown value '" + s + "'; expected periodic or sparse");
    }
    if (n["samples"]) c.samples = scalar<std::uint32_t>(source, n["samples"], path + ".samples", "a count");
    if (n["kind"]) c.kind = parse_kind(source, n["kind"], path + ".kind");
    if (n["min"]) c.min = scalar<double>(source, n["min"], path + ".min", "a number");
    if (n["max"]) c.max = scalar<double>(source, n["max"], path + ".max", "a number");
    if (n["interval_ms"]) c.interval_ms = scalar<std::uint64_t>(source, n["interval_ms"], path + ".interval_ms", "a uint64");
    if (n["jpg_bytes"]) c.jpg_bytes = scalar<std::uint32_t>(source, n["jpg_bytes"], path + ".jpg_bytes", "a byte count");
    repeat = n["repeat"] ? scalar<std::uint32_t>(source, n["repeat"], path + ".repeat", "a count") : 1;
    if (repeat == 0 || repeat > 10000) fail(source, n["repeat"], path + ".repeat", "must be 1..10000");
    try {
        validate(report_profile{.channels = {c}});
    } catch (const std::invalid_argument& e) {
        fail(source, n, path, e.what());
    }
    return c;
}

}  // namespace

report_profile default_profile() {
    report_profile p;
    for (std::uint32_t i = 1; i <= 3; ++i) p.channels.push_back({.type = channel_type::temp, .number = i});
    return p;
}

report_profile parse_profile(std::string_view text, std::string_view source) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        throw std::runtime_error(std::string(source) + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    if (!root.IsMap()) fail(source, root, "(top level)", "expected a mapping with a `channels` list");
    for (const auto& kv : root) {
        const auto key = kv.first.as<std::string>();
        if (key != "name" && key != "seed" && key != "channels")
            fail(source, kv.first, key, "unknown key; expected name, seed, channels");
    }
    report_profile p;
    p.channels.clear();
    if (root["name"]) p.name = scalar<std::string>(source, root["name"], "name", "a string");
    if (root["seed"]) p.seed = scalar<std::uint64_t>(source, root["seed"], "seed", "a uint64");
    const auto chans = root["channels"];
    if (!chans || !chans.IsSequence()) fail(source, chans ? chans : root, "channels", "expected a list of channels");
    for (std::size_t i = 0; i < chans.size(); ++i) {
        std::uint32_t repeat = 1;
        auto c = parse_channel(source, chans[i], "channels[" + std::to_string(i) + "]", repeat);
        for (std::uint32_t r = 0; r < repeat; ++r, ++c.number) p.channels.push_back(c);
    }
    if (p.channels.size() > 100000) fail(source, chans, "channels", "more than 100000 channels");
    return p;
}

report_profile load_profile(const std::filesystem::path& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error(path.string() + ": cannot open");
    std::ostringstream ss;
    ss << f.rdbuf();
    return parse_profile(ss.str(), path.string());
}

void validate(const report_profile& p) {
    for (const auto& c : p.channels) {
        const bool numeric = c.kind == value_kind::uint64 || c.kind == value_kind::sint64 ||
                             c.kind == value_kind::float32 || c.kind == value_kind::float64;
        if (numeric && !(c.min <= c.max)) throw std::invalid_argument("min must be <= max");
        if (numeric && (!std::isfinite(c.min) || !std::isfinite(c.max))) throw std::invalid_argument("min and max must be finite");
        if (c.kind == value_kind::uint64 && (c.min < 0 || c.max > 18446744073709551615.0))
            throw std::invalid_argument("uint64 range must lie in 0..2^64-1");
        if (c.kind == value_kind::sint64 && (c.min < -9223372036854775808.0 || c.max > 9223372036854775807.0))
            throw std::invalid_argument("sint64 range must lie in -2^63..2^63-1");
        if (c.kind == value_kind::float32 && (std::fabs(c.min) > 3.4e38 || std::fabs(c.max) > 3.4e38))
            throw std::invalid_argument("float range must lie within +-3.4e38");
        if (c.kind == value_kind::jpg && c.jpg_bytes == 0) throw std::invalid_argument("kind jpg needs jpg_bytes > 0");
        if (c.jpg_bytes > 64u * 1024 * 1024) throw std::invalid_argument("jpg_bytes above 64 MiB");
        if (c.samples > 1000000) throw std::invalid_argument("samples above 1000000");
    }
}

std::string_view to_string(value_kind k) noexcept {
    switch (k) {
    case value_kind::uint64: return "uint64";
    case value_kind::sint64: return "sint64";
    case value_kind::float32: return "float";
    case value_kind::float64: return "double";
    case value_kind::boolean: return "bool";
    case value_kind::gps: return "gps";
    case value_kind::jpg: return "jpg";
    }
    return "?";
}

std::string_view to_string(sampling m) noexcept { return m == sampling::periodic ? "periodic" : "sparse"; }

}  // namespace wv::payload
