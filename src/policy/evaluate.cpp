#include "policy/evaluate.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace wv::policy {

const char* to_string(decision d) noexcept {
    switch (d) {
    case decision::allow: return "allow";
    case decision::explicit_deny: return "explicit_deny";
    case decision::implicit_deny: return "implicit_deny";
    }
    return "unknown";
}

namespace {

char fold(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = fold(c);
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return fold(x) == fold(y); });
}

// A pattern after variable substitution: each position is a literal character or a wildcard.
// Substituted text and $(*)-style escapes become literals, so they can never act as wildcards.
struct pattern {
    enum kind : unsigned char { lit, star, one };
    std::vector<kind> kinds;
    std::string chars;
    void add(kind k, char c = 0) {
        kinds.push_back(k);
        chars.push_back(c);
    }
    void add_literal(std::string_view s) {
        for (char c : s) add(lit, c);
    }
};

// Every value of a registry-principal variable (thing or certificate), nullopt when absent.
std::optional<std::vector<std::string>> principal_values(std::string_view name, const principal_facts* p) {
    if (!p) return std::nullopt;
    constexpr std::string_view thing = "iot:Connection.Thing.";
    constexpr std::string_view cert = "iot:Certificate.";
    if (name.size() > thing.size() && iequals(name.substr(0, thing.size()), thing)) {
        const auto rest = name.substr(thing.size());
        if (iequals(rest, "IsAttached")) return std::vector<std::string>{p->thing ? "true" : "false"};
        if (!p->thing) return std::nullopt;
        if (iequals(rest, "ThingName")) return std::vector{p->thing->name};
        if (iequals(rest, "ThingTypeName"))
            return p->thing->type_name.empty() ? std::nullopt : std::optional{std::vector{p->thing->type_name}};
        if (rest.starts_with("Attributes[") && rest.ends_with("]")) {
            const auto key = rest.substr(11, rest.size() - 12);
            for (const auto& [k, v] : p->thing->attributes)
                if (k == key) return std::vector{v};
        }
        return std::nullopt;
    }
    if (name.size() > cert.size() && iequals(name.substr(0, cert.size()), cert)) {
        auto rest = name.substr(cert.size());
        const bool list = rest.size() > 5 && iequals(rest.substr(rest.size() - 5), ".List");
        if (list) rest.remove_suffix(5);
        for (const auto& [k, values] : p->certificate) {
            if (!iequals(k, rest) || values.empty()) continue;
            // A single-valued variable with several values is not evaluated (AWS: use .List).
            if (!list && values.size() != 1) return std::nullopt;
            return values;
        }
    }
    return std::nullopt;
}

// The value of a policy variable, or nullopt when it cannot be resolved for this request.
std::optional<std::string> variable_value(std::string_view name, const request_context& ctx) {
    if (iequals(name, "iot:ClientId")) return ctx.client_id.empty() ? std::nullopt : std::optional{ctx.client_id};
    if (iequals(name, "aws:SourceIp")) return ctx.source_ip;
    if (iequals(name, "iot:DomainName")) return ctx.domain_name;
    if (auto v = principal_values(name, ctx.principal); v && v->size() == 1 && !iequals(name.substr(name.size() >= 5 ? name.size() - 5 : 0), ".List"))
        return v->front();
    return std::nullopt;  // unknown variables, and thing/certificate ones without a registry principal
}

// Builds the pattern for `text` in a policy; returns nullopt (and records a note) when a
// variable cannot be resolved, which makes the element match nothing.
bool compile_into(pattern& p, std::string_view text, bool substitute, const request_context& ctx,
                  std::vector<std::string>& notes) {
    p.kinds.clear();
    p.chars.clear();
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (substitute && c == '$' && i + 1 < text.size()) {
            if (text[i + 1] == '(' && i + 3 < text.size() && text[i + 3] == ')' &&
                (text[i + 2] == '*' || text[i + 2] == '?' || text[i + 2] == '$')) {
                p.add(pattern::lit, text[i + 2]);
                i += 3;
                continue;
            }
            if (text[i + 1] == '{') {
                const auto close = text.find('}', i + 2);
                if (close != std::string_view::npos) {
                    const auto name = text.substr(i + 2, close - i - 2);
                    const auto value = variable_value(name, ctx);
                    if (!value) {
                        std::string note = "${" + std::string(name) + "} cannot be resolved";
                        if (!ctx.principal && (lower(name).starts_with("iot:connection.thing.") ||
                                               lower(name).starts_with("iot:certificate.")))
                            note += " (thing and certificate variables need a registry principal, which custom-auth connections lack)";
                        note += ": \"" + std::string(text) + "\" matches nothing";
                        if (std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(note);
                        return false;
                    }
                    p.add_literal(*value);
                    i = close;
                    continue;
                }
            }
        }
        if (c == '*') p.add(pattern::star, '*');
        else if (c == '?') p.add(pattern::one, '?');
        else p.add(pattern::lit, c);
    }
    return true;
}

std::optional<pattern> compile(std::string_view text, bool substitute, const request_context& ctx,
                               std::vector<std::string>& notes) {
    pattern p;
    if (!compile_into(p, text, substitute, ctx, notes)) return std::nullopt;
    return p;
}

// Glob matching straight on a pattern string without variables: no allocation, for actions.
bool match_plain(std::string_view p, std::string_view t, bool ignore_case) {
    std::size_t pi = 0, ti = 0, star_pi = std::string_view::npos, star_ti = 0;
    while (ti < t.size()) {
        if (pi < p.size() && p[pi] == '*') {
            star_pi = pi++;
            star_ti = ti;
        } else if (pi < p.size() && (p[pi] == '?' || (ignore_case ? fold(p[pi]) == fold(t[ti]) : p[pi] == t[ti]))) {
            ++pi;
            ++ti;
        } else if (star_pi != std::string_view::npos) {
            pi = star_pi + 1;
            ti = ++star_ti;
        } else {
            return false;
        }
    }
    while (pi < p.size() && p[pi] == '*') ++pi;
    return pi == p.size();
}

// Glob matching with one backtrack point: O(|p|·|t|) worst case, never exponential.
bool match(const pattern& p, std::string_view t, bool ignore_case) {
    std::size_t pi = 0, ti = 0, star_pi = std::string::npos, star_ti = 0;
    while (ti < t.size()) {
        if (pi < p.kinds.size() && p.kinds[pi] == pattern::star) {
            star_pi = pi++;
            star_ti = ti;
        } else if (pi < p.kinds.size() &&
                   (p.kinds[pi] == pattern::one ||
                    (ignore_case ? fold(p.chars[pi]) == fold(t[ti]) : p.chars[pi] == t[ti]))) {
            ++pi;
            ++ti;
        } else if (star_pi != std::string::npos) {
            pi = star_pi + 1;
            ti = ++star_ti;
        } else {
            return false;
        }
    }
    while (pi < p.kinds.size() && p.kinds[pi] == pattern::star) ++pi;
    return pi == p.kinds.size();
}

struct cidr {
    int family = 0;
    std::array<unsigned char, 16> addr{};
    int bits = 0;
};

std::optional<cidr> parse_ip(std::string_view s, bool allow_prefix) {
    std::string text(s);
    int bits = -1;
    if (const auto slash = text.find('/'); slash != std::string::npos) {
        if (!allow_prefix) return std::nullopt;
        const auto b = text.substr(slash + 1);
        if (b.empty() || b.size() > 3 || !std::all_of(b.begin(), b.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return std::nullopt;
        bits = std::stoi(b);
        text.resize(slash);
    }
    cidr c;
    if (inet_pton(AF_INET, text.c_str(), c.addr.data()) == 1) {
        c.family = AF_INET;
        c.bits = bits < 0 ? 32 : bits;
        if (c.bits > 32) return std::nullopt;
    } else if (inet_pton(AF_INET6, text.c_str(), c.addr.data()) == 1) {
        c.family = AF_INET6;
        c.bits = bits < 0 ? 128 : bits;
        if (c.bits > 128) return std::nullopt;
    } else {
        return std::nullopt;
    }
    return c;
}

bool in_cidr(std::string_view ip, std::string_view range) {
    const auto a = parse_ip(ip, false);
    const auto r = parse_ip(range, true);
    if (!a || !r || a->family != r->family) return false;
    for (int bit = 0; bit < r->bits; ++bit) {
        const int byte = bit / 8, mask = 0x80 >> (bit % 8);
        if ((a->addr[byte] & mask) != (r->addr[byte] & mask)) return false;
    }
    return true;
}

struct op_parts {
    enum class set { none, any, all } quantifier = set::none;
    bool if_exists = false;
    bool negated = false;
    std::string base;  // without Not: "StringEquals", "StringLike", "ArnLike", "IpAddress", "Bool", "Null", ...
};

op_parts split_operator(std::string_view op) {
    op_parts p;
    if (op.starts_with("ForAnyValue:")) {
        p.quantifier = op_parts::set::any;
        op.remove_prefix(12);
    } else if (op.starts_with("ForAllValues:")) {
        p.quantifier = op_parts::set::all;
        op.remove_prefix(13);
    }
    if (op.ends_with("IfExists")) {
        p.if_exists = true;
        op.remove_suffix(8);
    }
    std::string b(op);
    if (b == "StringNotEquals") b = "StringEquals", p.negated = true;
    else if (b == "StringNotEqualsIgnoreCase") b = "StringEqualsIgnoreCase", p.negated = true;
    else if (b == "StringNotLike") b = "StringLike", p.negated = true;
    else if (b == "ArnNotEquals") b = "ArnEquals", p.negated = true;
    else if (b == "ArnNotLike") b = "ArnLike", p.negated = true;
    else if (b == "NotIpAddress") b = "IpAddress", p.negated = true;
    p.base = std::move(b);
    return p;
}

// The request's values for a condition key; nullopt when the key is absent.
std::optional<std::vector<std::string>> key_values(std::string_view key, const request_context& ctx) {
    if (iequals(key, "iot:ConnectAttributes")) return ctx.connect_attributes;
    if (iequals(key, "iot:LastWillTopic")) {
        if (!ctx.last_will_topic) return std::nullopt;
        return std::vector{*ctx.last_will_topic};
    }
    if (iequals(key, "iot:ClientId")) return ctx.client_id.empty() ? std::nullopt : std::optional{std::vector{ctx.client_id}};
    if (iequals(key, "aws:SourceIp")) return ctx.source_ip ? std::optional{std::vector{*ctx.source_ip}} : std::nullopt;
    if (iequals(key, "iot:DomainName")) return ctx.domain_name ? std::optional{std::vector{*ctx.domain_name}} : std::nullopt;
    return principal_values(key, ctx.principal);
}

// Does one request value satisfy the (positive) base operator against any condition value?
bool value_matches(const op_parts& op, std::string_view v, const std::vector<std::optional<pattern>>& patterns) {
    for (std::size_t i = 0; i < patterns.size(); ++i) {
        if (!patterns[i]) continue;  // unresolved variable: matches nothing
        const auto& p = *patterns[i];
        // chars holds the substituted text with `*` and `?` as written: literal for the Equals operators.
        const std::string& literal = p.chars;
        if (op.base == "StringEquals") {
            if (literal == v) return true;
        } else if (op.base == "StringEqualsIgnoreCase") {
            if (iequals(literal, v)) return true;
        } else if (op.base == "StringLike" || op.base == "ArnLike" || op.base == "ArnEquals") {
            if (match(p, v, false)) return true;
        } else if (op.base == "IpAddress") {
            if (in_cidr(v, literal)) return true;
        } else if (op.base == "Bool") {
            if (iequals(literal, v)) return true;
        }
    }
    return false;
}

bool condition_holds(const condition& c, bool substitute, const request_context& ctx, std::vector<std::string>& notes) {
    const auto op = split_operator(c.op);
    const auto values = key_values(c.key, ctx);
    if (op.base == "Null") {
        // {"Null": {"key": "true"}} holds when the key is absent.
        const bool want_absent = !c.values.empty() && iequals(c.values.front(), "true");
        return want_absent == !values.has_value();
    }
    if (!values) {
        if (op.if_exists) return true;
        // IAM: ForAllValues over an absent (empty) set is vacuously true.
        return op.quantifier == op_parts::set::all;
    }
    std::vector<std::optional<pattern>> patterns;
    for (const auto& v : c.values) patterns.push_back(compile(v, substitute, ctx, notes));
    auto one = [&](const std::string& v) { return value_matches(op, v, patterns) != op.negated; };
    switch (op.quantifier) {
    case op_parts::set::all: return std::all_of(values->begin(), values->end(), one);
    case op_parts::set::any: return std::any_of(values->begin(), values->end(), one);
    case op_parts::set::none:
        if (values->empty()) return op.negated;
        // A multi-valued key without a set operator behaves like ForAnyValue.
        return std::any_of(values->begin(), values->end(), one);
    }
    return false;
}

bool covers_action(const statement& s, std::string_view action) {
    const bool listed = std::any_of(s.actions.begin(), s.actions.end(),
                                    [&](const std::string& a) { return match_plain(a, action, true); });
    return listed != s.not_action;
}

bool covers_resource(const statement& s, bool substitute, const request& r, std::vector<std::string>& notes) {
    const bool listed = std::any_of(s.resources.begin(), s.resources.end(), [&](const std::string& res) {
        if (!substitute || res.find('$') == std::string::npos) return match_plain(res, r.resource, false);
        thread_local pattern scratch;  // reused: no allocation per request once warm
        return compile_into(scratch, res, substitute, r.context, notes) && match(scratch, r.resource, false);
    });
    return listed != s.not_resource;
}

}  // namespace

bool wildcard_match(std::string_view p, std::string_view text, bool ignore_case) {
    return match_plain(p, text, ignore_case);
}

evaluation evaluate(std::span<const policy> policies, const request& r) {
    evaluation e;
    std::optional<statement_ref> allow, deny;
    for (std::size_t pi = 0; pi < policies.size(); ++pi) {
        const auto& pol = policies[pi];
        for (std::size_t si = 0; si < pol.statements.size(); ++si) {
            const auto& s = pol.statements[si];
            if (!covers_action(s, r.action)) continue;
            if (!covers_resource(s, pol.substitutes_variables(), r, e.notes)) continue;
            const bool conds = std::all_of(s.conditions.begin(), s.conditions.end(), [&](const condition& c) {
                return condition_holds(c, pol.substitutes_variables(), r.context, e.notes);
            });
            if (!conds) continue;
            if (s.eff == effect::deny && !deny) deny = statement_ref{pi, si};
            if (s.eff == effect::allow && !allow) allow = statement_ref{pi, si};
        }
    }
    auto where = [&](const statement_ref& ref) {
        std::string w = "policy " + std::to_string(ref.policy_index) + " statement " + std::to_string(ref.statement_index);
        const auto& sid = policies[ref.policy_index].statements[ref.statement_index].sid;
        if (!sid.empty()) w += " (" + sid + ")";
        return w;
    };
    if (deny) {
        e.result = decision::explicit_deny;
        e.matched = deny;
        e.reason = r.action + " on " + r.resource + " explicitly denied by " + where(*deny);
    } else if (allow) {
        e.result = decision::allow;
        e.matched = allow;
        e.reason = r.action + " on " + r.resource + " allowed by " + where(*allow);
    } else {
        e.result = decision::implicit_deny;
        e.reason = r.action + " on " + r.resource + " is not allowed by any statement (implicit deny)";
        if (!e.notes.empty()) e.reason += "; note: " + e.notes.front();
    }
    return e;
}

namespace {

bool mentions_principal_variable(std::string_view text) {
    static constexpr std::string_view prefixes[] = {"iot:connection.thing.", "iot:certificate."};
    for (const auto p : prefixes)
        for (std::size_t at = 0; at + p.size() <= text.size(); ++at)
            if (iequals(text.substr(at, p.size()), p)) return true;
    return false;
}

}  // namespace

bool uses_principal_variables(std::span<const policy> policies) {
    for (const auto& pol : policies)
        for (const auto& st : pol.statements) {
            for (const auto& a : st.actions)
                if (mentions_principal_variable(a)) return true;
            for (const auto& r : st.resources)
                if (mentions_principal_variable(r)) return true;
            for (const auto& c : st.conditions) {
                if (mentions_principal_variable(c.key)) return true;
                for (const auto& v : c.values)
                    if (mentions_principal_variable(v)) return true;
            }
        }
    return false;
}

}  // namespace wv::policy
