#include <algorithm>
#include <cmath>
#include <charconv>

#include "rules/sql_ast.hpp"
#include "util/base64.hpp"

namespace wv::rules {

std::unique_ptr<compiled_rule> compile_rule(std::string_view sql, sql_version v, std::size_t& error_column,
                                            std::string& error);

namespace {

using value = std::optional<json>;  // nullopt is AWS's Undefined (distinct from JSON null)

// The payload parsed once per evaluation; not JSON (or not UTF-8 JSON) means field
// references are Undefined.
struct context {
    const message& m;
    std::optional<json> doc;
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

std::optional<double> as_number(const json& j) {
    if (j.is_number()) return j.get<double>();
    if (j.is_string()) {
        const auto& s = j.get_ref<const std::string&>();
        double d = 0;
        const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
        if (ec == std::errc{} && p == s.data() + s.size() && !s.empty() && std::isfinite(d)) return d;
    }
    return std::nullopt;
}

value compare(cmp_op op, const json& a, const json& b) {
    int order = 0;  // <0, 0, >0
    if (a.is_number() && b.is_number()) {
        // Integers compare exactly; mixing with doubles goes through double.
        if (a.is_number_integer() && b.is_number_integer()) {
            const auto x = a.get<std::int64_t>(), y = b.get<std::int64_t>();
            order = x < y ? -1 : x > y ? 1 : 0;
        } else {
            const auto x = a.get<double>(), y = b.get<double>();
            order = x < y ? -1 : x > y ? 1 : 0;
        }
    } else if (a.is_string() && b.is_string()) {
        const auto c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
        order = c < 0 ? -1 : c > 0 ? 1 : 0;
    } else if ((a.is_number() && b.is_string()) || (a.is_string() && b.is_number())) {
        const auto x = as_number(a), y = as_number(b);
        if (!x || !y) {
            // A string that is not a number cannot be ordered against one; it is simply unequal.
            if (op == cmp_op::eq) return json(false);
            if (op == cmp_op::ne) return json(true);
            return std::nullopt;
        }
        order = *x < *y ? -1 : *x > *y ? 1 : 0;
    } else if (a.is_boolean() && b.is_boolean()) {
        if (op != cmp_op::eq && op != cmp_op::ne) return std::nullopt;
        order = a == b ? 0 : 1;
    } else if (a.is_null() && b.is_null()) {
        if (op != cmp_op::eq && op != cmp_op::ne) return std::nullopt;
        order = 0;
    } else if ((a.is_object() && b.is_object()) || (a.is_array() && b.is_array())) {
        if (op != cmp_op::eq && op != cmp_op::ne) return std::nullopt;
        order = a == b ? 0 : 1;
    } else {
        // Different types that do not convert: = is false and <> true, ordering is Undefined.
        if (op == cmp_op::eq) return json(false);
        if (op == cmp_op::ne) return json(true);
        return std::nullopt;
    }
    switch (op) {
    case cmp_op::eq: return json(order == 0);
    case cmp_op::ne: return json(order != 0);
    case cmp_op::lt: return json(order < 0);
    case cmp_op::le: return json(order <= 0);
    case cmp_op::gt: return json(order > 0);
    case cmp_op::ge: return json(order >= 0);
    }
    return std::nullopt;
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

std::optional<bool> as_bool(const value& v) {
    if (!v || !v->is_boolean()) return std::nullopt;
    return v->get<bool>();
}

value eval(const node& n, const context& c) {
    switch (n.kind) {
    case node_kind::literal: return n.literal;
    case node_kind::star: return std::nullopt;  // only meaningful inside encode()
    case node_kind::path: {
        if (!c.doc) return std::nullopt;
        const json* cur = &*c.doc;
        for (const auto& s : n.path) {
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
        return compare(n.op, *a, *b);
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
    context ctx{m, std::nullopt};
    if (c_->reads_payload_json) {
        auto doc = json::parse(m.payload, nullptr, false);
        if (!doc.is_discarded()) ctx.doc = std::move(doc);
    }
    if (c_->where) {
        const auto w = as_bool(eval(*c_->where, ctx));
        if (!w || !*w) return std::nullopt;
    }
    rule_output out;
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
