#include "policy/policy.hpp"

#include <array>

#include "policy/arn.hpp"

namespace wv::policy {

namespace {

using json = nlohmann::json;

// The base operators we evaluate; the set-operator prefixes and IfExists are handled apart.
constexpr std::array base_operators = {
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
    "StringLike",   "StringNotLike",   "ArnEquals",              "ArnLike",
    "ArnNotEquals", "ArnNotLike",      "IpAddress",              "NotIpAddress",
    "Bool",         "Null",
};

struct failure {
    std::string text;
};

// A string or an array of strings, as Action/Resource. Throws failure.
std::vector<std::string> string_list(const json& j, const std::string& where) {
    std::vector<std::string> out;
    if (j.is_string()) {
        out.push_back(j.get<std::string>());
    } else if (j.is_array()) {
        if (j.empty()) throw failure{where + ": must not be an empty array"};
        for (std::size_t i = 0; i < j.size(); ++i) {
            if (!j[i].is_string())
                throw failure{where + "[" + std::to_string(i) + "]: must be a string, got " + j[i].type_name()};
            out.push_back(j[i].get<std::string>());
        }
    } else {
        throw failure{where + ": must be a string or an array of strings, got " + std::string(j.type_name())};
    }
    return out;
}

std::string value_text(const json& v, const std::string& where) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number()) return v.dump();
    throw failure{where + ": condition values must be strings, numbers or booleans, got " + std::string(v.type_name())};
}

std::vector<condition> parse_conditions(const json& j, const std::string& where) {
    if (!j.is_object()) throw failure{where + ": must be an object of operators"};
    std::vector<condition> out;
    for (const auto& [op, body] : j.items()) {
        const std::string w = where + "." + op;
        if (!is_supported_condition_operator(op)) throw failure{w + ": unsupported condition operator"};
        if (!body.is_object() || body.empty()) throw failure{w + ": must be a non-empty object of condition keys"};
        for (const auto& [key, values] : body.items()) {
            condition c{op, key, {}};
            if (values.is_array()) {
                for (std::size_t i = 0; i < values.size(); ++i)
                    c.values.push_back(value_text(values[i], w + "." + key + "[" + std::to_string(i) + "]"));
            } else {
                c.values.push_back(value_text(values, w + "." + key));
            }
            out.push_back(std::move(c));
        }
    }
    return out;
}

statement parse_statement(const json& j, const std::string& where) {
    if (!j.is_object()) throw failure{where + ": must be an object, got " + std::string(j.type_name())};
    statement s;
    for (const auto& [key, value] : j.items()) {
        if (key != "Sid" && key != "Effect" && key != "Action" && key != "NotAction" && key != "Resource" &&
            key != "NotResource" && key != "Condition")
            throw failure{where + "." + key + ": unknown statement element (Principal is not used in IoT policies)"};
        (void)value;
    }
    if (auto it = j.find("Sid"); it != j.end()) {
        if (!it->is_string()) throw failure{where + ".Sid: must be a string"};
        s.sid = it->get<std::string>();
    }
    const auto eff = j.find("Effect");
    if (eff == j.end()) throw failure{where + ".Effect: missing (\"Allow\" or \"Deny\")"};
    if (!eff->is_string()) throw failure{where + ".Effect: must be \"Allow\" or \"Deny\""};
    const auto& e = eff->get_ref<const std::string&>();
    if (e == "Allow") s.eff = effect::allow;
    else if (e == "Deny") s.eff = effect::deny;
    else throw failure{where + ".Effect: \"" + e + "\" is not \"Allow\" or \"Deny\" (case matters)"};

    const auto act = j.find("Action"), nact = j.find("NotAction");
    if ((act == j.end()) == (nact == j.end()))
        throw failure{where + ": needs exactly one of Action and NotAction"};
    s.not_action = act == j.end();
    s.actions = string_list(s.not_action ? *nact : *act, where + (s.not_action ? ".NotAction" : ".Action"));

    const auto res = j.find("Resource"), nres = j.find("NotResource");
    if ((res == j.end()) == (nres == j.end()))
        throw failure{where + ": needs exactly one of Resource and NotResource"};
    s.not_resource = res == j.end();
    const std::string rw = where + (s.not_resource ? ".NotResource" : ".Resource");
    s.resources = string_list(s.not_resource ? *nres : *res, rw);
    for (std::size_t i = 0; i < s.resources.size(); ++i)
        if (!looks_like_arn(s.resources[i]))
            throw failure{rw + "[" + std::to_string(i) + "]: \"" + s.resources[i] + "\" is not in valid ARN format"};

    if (auto it = j.find("Condition"); it != j.end()) s.conditions = parse_conditions(*it, where + ".Condition");
    return s;
}

}  // namespace

bool is_supported_condition_operator(std::string_view op) {
    if (op.starts_with("ForAnyValue:")) op.remove_prefix(12);
    else if (op.starts_with("ForAllValues:")) op.remove_prefix(13);
    if (op.ends_with("IfExists")) op.remove_suffix(8);
    for (const char* b : base_operators)
        if (op == b) return true;
    return false;
}

parse_result parse_policy_json(const nlohmann::json& doc) {
    parse_result r;
    try {
        if (!doc.is_object()) throw failure{"policy: must be a JSON object, got " + std::string(doc.type_name())};
        policy p;
        for (const auto& [key, value] : doc.items()) {
            if (key != "Version" && key != "Statement" && key != "Id")
                throw failure{key + ": unknown policy element"};
            (void)value;
        }
        if (auto v = doc.find("Version"); v != doc.end()) {
            if (!v->is_string()) throw failure{"Version: must be a string"};
            p.version = v->get<std::string>();
            if (p.version != "2012-10-17" && p.version != "2008-10-17")
                throw failure{"Version: \"" + p.version + "\" is not 2012-10-17"};
        } else {
            p.version = "2008-10-17";  // IAM's default: policy variables are not substituted
        }
        const auto st = doc.find("Statement");
        if (st == doc.end()) throw failure{"Statement: missing"};
        if (st->is_object()) {
            p.statements.push_back(parse_statement(*st, "Statement"));
        } else if (st->is_array()) {
            if (st->empty()) throw failure{"Statement: must not be empty"};
            for (std::size_t i = 0; i < st->size(); ++i)
                p.statements.push_back(parse_statement((*st)[i], "Statement[" + std::to_string(i) + "]"));
        } else {
            throw failure{"Statement: must be an object or an array of objects"};
        }
        r.value = std::move(p);
    } catch (const failure& f) {
        r.error = f.text;
    }
    return r;
}

parse_result parse_policy(std::string_view json_text) {
    const auto doc = nlohmann::json::parse(json_text, nullptr, false);
    if (doc.is_discarded()) return {std::nullopt, "policy: not valid JSON"};
    return parse_policy_json(doc);
}

}  // namespace wv::policy
