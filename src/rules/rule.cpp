#include <algorithm>
#include <cmath>
#include <charconv>

#include "rules/sql_ast.hpp"
#include "util/base64.hpp"

namespace wv::rules {

std::unique_ptr<compiled_rule> compile_rule(std::string_view sql, sql_version v, std::size_t& error_column,
                                            std::string& error);

namespace {

// The payload parsed once per evaluation; not JSON (or not UTF-8 JSON) means field
// references are Undefined.
struct context {
    const message& m;
    std::optional<json> doc;
    sql_version version;
};

std::vector<std::string_view> levels(std::string_view t) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        const auto slash = t.find('/', start);
        out.push_back(t.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
        if (slash == std::string_view::npos) return out;
        start = slash + 1;
    }
}

// JSON strings must be UTF-8; decoded bytes that are not cannot be a string value.
bool is_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : 4;
        if (n == 4 || i + n >= s.size()) return false;
        if (n == 1 && c < 0xc2) return false;  // overlong
        for (std::size_t k = 1; k <= n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
        if (n == 2) {
            const auto c1 = static_cast<unsigned char>(s[i + 1]);
            if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0)) return false;  // overlong, surrogate
        } else if (n == 3) {
            const auto c1 = static_cast<unsigned char>(s[i + 1]);
            if ((c == 0xf0 && c1 < 0x90) || c > 0xf4 || (c == 0xf4 && c1 >= 0x90)) return false;
        }
        i += n + 1;
    }
    return true;
}

// AND, OR, NOT and WHERE take a Boolean or the strings "true"/"false" (AWS's operator tables).
std::optional<bool> as_bool(const value& v) {
    if (!v) return std::nullopt;
    return to_sql_bool(*v);
}

value walk_path(const json& root, const std::vector<path_step>& path) {
    const json* cur = &root;
    for (const auto& s : path) {
        if (!s.name.empty()) {
            if (!cur->is_object()) return std::nullopt;
            const auto it = cur->find(s.name);
            if (it == cur->end()) return std::nullopt;
            cur = &*it;
        } else {
            if (!cur->is_array() || s.index >= cur->size()) return std::nullopt;
            cur = &(*cur)[s.index];
        }
    }
    return *cur;
}

value eval(const node& n, const context& c) {
    switch (n.kind) {
    case node_kind::literal: return n.literal;
    case node_kind::star: return std::nullopt;  // only meaningful inside encode()
    case node_kind::path:
        if (!c.doc) return std::nullopt;
        return walk_path(*c.doc, n.path);
    case node_kind::member: {
        const auto base = eval(*n.args[0], c);
        if (!base) return std::nullopt;
        return walk_path(*base, n.path);
    }
    case node_kind::call:
        switch (n.fn) {
        case function::clientid: return json(c.m.client_id.value_or("n/a"));
        case function::timestamp: return json(c.m.timestamp_ms);
        case function::principal: return c.m.principal ? value(json(*c.m.principal)) : std::nullopt;
        case function::traceid: return c.m.trace_id ? value(json(*c.m.trace_id)) : std::nullopt;
        case function::topic: {
            if (n.topic_level == 0) return json(c.m.topic);
            const auto l = levels(c.m.topic);
            if (n.topic_level > l.size()) return std::nullopt;
            return json(std::string(l[n.topic_level - 1]));
        }
        case function::encode: {
            const auto& arg = *n.args.at(0);
            if (arg.kind == node_kind::star) return json(util::base64_encode(c.m.payload));
            const auto v = eval(arg, c);
            if (!v) return std::nullopt;
            if (v->is_string()) return json(util::base64_encode(v->get_ref<const std::string&>()));
            return json(util::base64_encode(v->dump(-1, ' ', false, json::error_handler_t::replace)));
        }
        case function::get_user_properties: {
            const auto& up = c.m.properties.user_properties;
            json out = json::array();
            if (n.args.empty()) {
                for (const auto& [k, v] : up) out.push_back(json::object({{k, v}}));
            } else {
                const auto key = eval(*n.args[0], c);
                if (!key || !key->is_string()) return std::nullopt;
                for (const auto& [k, v] : up)
                    if (k == key->get_ref<const std::string&>()) out.push_back(v);
            }
            if (out.empty()) return std::nullopt;
            return out;
        }
        case function::get_mqtt_property: {
            const auto name = eval(*n.args.at(0), c);
            if (!name || !name->is_string()) return std::nullopt;
            const auto& p = c.m.properties;
            const auto& s = name->get_ref<const std::string&>();
            if (s == "format_indicator") return json(p.payload_format_indicator == 1u ? "UTF8_DATA" : "UNSPECIFIED_BYTES");
            if (s == "content_type") return p.content_type ? value(json(*p.content_type)) : std::nullopt;
            if (s == "response_topic") return p.response_topic ? value(json(*p.response_topic)) : std::nullopt;
            if (s == "correlation_data")
                return p.correlation_data ? value(json(util::base64_encode(*p.correlation_data))) : std::nullopt;
            return std::nullopt;
        }
        case function::decode: {
            // AWS: an object when the decoded text is JSON, else a string; NULL if undecodable.
            const auto v = eval(*n.args.at(0), c);
            if (!v) return std::nullopt;
            if (!v->is_string()) return json(nullptr);
            const auto bytes = util::base64_decode(v->get_ref<const std::string&>());
            if (!bytes || !is_utf8(*bytes)) return json(nullptr);
            auto parsed = json::parse(*bytes, nullptr, false);
            if (!parsed.is_discarded() && parsed.is_object()) return parsed;
            return json(*bytes);
        }
        }
        return std::nullopt;
    case node_kind::compare: {
        const auto a = eval(*n.args[0], c);
        const auto b = eval(*n.args[1], c);
        if (!a || !b) return std::nullopt;
        return compare_values(n.op, *a, *b);
    }
    case node_kind::arith: {
        const auto a = eval(*n.args[0], c);
        const auto b = eval(*n.args[1], c);
        if (!a || !b) return std::nullopt;
        return arithmetic(n.aop, *a, *b, c.version);
    }
    case node_kind::negate: {
        const auto a = eval(*n.args[0], c);
        if (!a) return std::nullopt;
        return negate_value(*a, c.version);
    }
    case node_kind::builtin: {
        std::vector<value> args;
        args.reserve(n.args.size());
        for (const auto& a : n.args) {
            args.push_back(eval(*a, c));
            if (!args.back() && !n.builtin->sees_undefined) return std::nullopt;
        }
        return n.builtin->eval(args, c.version);
    }
    case node_kind::cast: return cast_value(eval(*n.args[0], c), n.cast_to, c.version);
    case node_kind::array_of: {
        // An Undefined item is null, keeping the others' positions (AWS does not say; ours).
        json out = json::array();
        for (const auto& a : n.args) out.push_back(eval(*a, c).value_or(json(nullptr)));
        return out;
    }
    case node_kind::object_of: {
        // An Undefined member is left out, as in the SELECT result.
        json out = json::object();
        for (std::size_t i = 0; i < n.args.size(); ++i)
            if (auto v = eval(*n.args[i], c)) out[n.keys[i]] = std::move(*v);
        return out;
    }
    case node_kind::case_of: {
        // The first WHEN whose value equals (=) the CASE value; an Undefined CASE value is
        // Undefined (AWS's "Case statements" page).
        const auto v = eval(*n.args[0], c);
        if (!v) return std::nullopt;
        const std::size_t whens_end = n.args.size() - (n.has_else ? 1 : 0);
        for (std::size_t i = 1; i + 1 < whens_end; i += 2) {
            const auto t = eval(*n.args[i], c);
            if (!t) continue;
            const auto eq = compare_values(cmp_op::eq, *v, *t);
            if (eq && eq->is_boolean() && eq->get<bool>()) return eval(*n.args[i + 1], c);
        }
        if (n.has_else) return eval(*n.args.back(), c);
        return std::nullopt;
    }
    case node_kind::logic_and: {
        const auto a = as_bool(eval(*n.args[0], c));
        if (a && !*a) return json(false);
        const auto b = as_bool(eval(*n.args[1], c));
        if (b && !*b) return json(false);
        if (a && b) return json(true);
        return std::nullopt;
    }
    case node_kind::logic_or: {
        const auto a = as_bool(eval(*n.args[0], c));
        if (a && *a) return json(true);
        const auto b = as_bool(eval(*n.args[1], c));
        if (b && *b) return json(true);
        if (a && b) return json(false);
        return std::nullopt;
    }
    case node_kind::logic_not: {
        const auto a = as_bool(eval(*n.args[0], c));
        if (!a) return std::nullopt;
        return json(!*a);
    }
    }
    return std::nullopt;
}

bool reads_fields(const node& n) {
    if (n.kind == node_kind::path) return true;
    return std::any_of(n.args.begin(), n.args.end(), [](const auto& a) { return reads_fields(*a); });
}

}  // namespace

bool rule_topic_matches(std::string_view filter, std::string_view topic) {
    const auto f = levels(filter);
    const auto t = levels(topic);
    if (!topic.empty() && topic.front() == '$' && !f.empty() && (f[0] == "#" || f[0] == "+")) return false;
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (f[i] == "#") return t.size() > i;  // one or more trailing levels, not the parent
        if (i >= t.size()) return false;
        if (f[i] != "+" && f[i] != t[i]) return false;
    }
    return f.size() == t.size();
}

rule_parse_result parse_rule(std::string_view sql, sql_version version) {
    rule_parse_result r;
    auto c = compile_rule(sql, version, r.error_column, r.error);
    if (c) {
        // The Wavelet rule only encodes the raw bytes: parsing every binary payload as JSON
        // just to fail would be most of its cost.
        c->reads_payload_json = (c->where && reads_fields(*c->where)) ||
                                std::any_of(c->items.begin(), c->items.end(),
                                            [](const select_item& i) { return i.star || reads_fields(*i.expr); });
    }
    if (c) r.value = rule{std::shared_ptr<const compiled_rule>(std::move(c))};
    return r;
}

const std::string& rule::sql() const { return c_->sql; }
sql_version rule::version() const { return c_->version; }
const std::string& rule::topic_filter() const { return c_->from; }

std::optional<rule_output> rule::evaluate(const message& m) const {
    if (!rule_topic_matches(c_->from, m.topic)) return std::nullopt;
    context ctx{m, std::nullopt, c_->version};
    if (c_->reads_payload_json) {
        auto doc = json::parse(m.payload, nullptr, false);
        if (!doc.is_discarded()) ctx.doc = std::move(doc);
    }
    if (c_->where) {
        const auto w = as_bool(eval(*c_->where, ctx));
        if (!w || !*w) return std::nullopt;
    }
    rule_output out;
    if (c_->select_value) {
        // AWS: Undefined "is converted to an empty string when serialized by itself".
        auto v = eval(*c_->items.front().expr, ctx);
        if (v) out.value = std::move(*v);
        else out.raw = std::string();
        return out;
    }
    for (const auto& item : c_->items) {
        if (item.star) {
            if (ctx.doc && ctx.doc->is_object()) {
                for (const auto& [k, v] : ctx.doc->items()) out.value[k] = v;
            } else {
                // Binary (or non-object) payloads pass through unchanged, as AWS does.
                out.raw = m.payload;
                out.value = json::object();
                return out;
            }
            continue;
        }
        auto v = eval(*item.expr, ctx);
        if (v) out.value[item.name] = std::move(*v);
    }
    return out;
}

std::optional<std::uint32_t> payload_format_indicator_named(std::string_view aws_name) noexcept {
    if (aws_name == "UNSPECIFIED_BYTES") return 0u;
    if (aws_name == "UTF8_DATA") return 1u;
    return std::nullopt;
}

}  // namespace wv::rules
