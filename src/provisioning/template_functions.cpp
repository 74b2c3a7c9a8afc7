#include "provisioning/template_functions.hpp"

#include <array>
#include <algorithm>

namespace wv::provisioning {
namespace {

using nlohmann::json;

constexpr std::array<const char*, 11> intrinsic_names{"Ref",       "Fn::Join",   "Fn::Select", "Fn::Split",
                                                      "Fn::FindInMap", "Fn::Sub", "Fn::If",     "Fn::Equals",
                                                      "Fn::Not",   "Fn::And",    "Fn::Or"};

[[noreturn]] void fail_at(const std::string& where, const std::string& fn, const std::string& what) {
    throw evaluation_error(where + ": " + fn + ": " + what);
}

// {"Fn::X": arg} with exactly one key that is a function name (or {"Condition": name}).
bool is_call(const json& node) {
    return node.is_object() && node.size() == 1 && is_intrinsic(node.begin().key());
}

const json& array_arg(const json& arg, std::size_t n, const std::string& fn, const std::string& where) {
    if (!arg.is_array() || arg.size() != n)
        fail_at(where, fn, "expects a list of " + std::to_string(n) + " arguments, got " + arg.dump());
    return arg;
}

}  // namespace

bool is_intrinsic(const std::string& name) {
    return std::any_of(intrinsic_names.begin(), intrinsic_names.end(), [&](const char* n) { return name == n; });
}

function_evaluator::function_evaluator(const json& body, std::map<std::string, std::string> values,
                                       std::set<std::string> declared)
    : body_(body), values_(std::move(values)), declared_(std::move(declared)) {}

json function_evaluator::resolve(const json& node, const std::string& where) {
    if (is_call(node)) return call(node.begin().key(), node.begin().value(), where);
    if (node.is_object()) {
        json out = json::object();
        for (const auto& [k, v] : node.items()) out[k] = resolve(v, where + "." + k);
        return out;
    }
    if (node.is_array()) {
        json out = json::array();
        for (std::size_t i = 0; i < node.size(); ++i) out.push_back(resolve(node[i], where + "[" + std::to_string(i) + "]"));
        return out;
    }
    return node;
}

std::string function_evaluator::resolve_string(const json& node, const std::string& where) {
    const json v = resolve(node, where);
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number() || v.is_boolean()) return v.dump();
    throw evaluation_error(where + ": expected a string, got " + v.dump());
}

std::string function_evaluator::ref(const std::string& name, const std::string& where) {
    const bool pseudo = name.rfind("AWS::", 0) == 0;
    if (!pseudo && !declared_.count(name))
        fail_at(where, "Ref", "'" + name + "' is not declared in Parameters");
    const auto it = values_.find(name);
    if (it != values_.end()) return it->second;
    if (name.rfind("AWS::IoT::Certificate::", 0) == 0)
        fail_at(where, "Ref", "the certificate has no " + name.substr(23) + " field (" + name + ")");
    if (pseudo) fail_at(where, "Ref", "unknown pseudo-parameter '" + name + "'");
    fail_at(where, "Ref", "parameter '" + name + "' has no value: the request does not give it and it has no Default");
}

json function_evaluator::sub(const json& arg, const std::string& where) {
    std::string text;
    std::map<std::string, std::string> vars;
    if (arg.is_string()) {
        text = arg.get<std::string>();
    } else if (arg.is_array() && arg.size() == 2 && arg[0].is_string() && arg[1].is_object()) {
        text = arg[0].get<std::string>();
        for (const auto& [k, v] : arg[1].items()) vars[k] = resolve_string(v, where + ".Fn::Sub." + k);
    } else {
        fail_at(where, "Fn::Sub", "expects a string or [string, {variables}], got " + arg.dump());
    }
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        if (text.compare(i, 3, "${!") == 0) {  // ${!Literal} writes ${Literal}
            out += "${";
            i += 3;
            continue;
        }
        if (text.compare(i, 2, "${") != 0) {
            out += text[i++];
            continue;
        }
        const auto close = text.find('}', i + 2);
        if (close == std::string::npos) fail_at(where, "Fn::Sub", "unclosed '${' in '" + text + "'");
        const std::string name = text.substr(i + 2, close - i - 2);
        const auto v = vars.find(name);
        out += v != vars.end() ? v->second : ref(name, where + ".Fn::Sub");
        i = close + 1;
    }
    return out;
}

bool function_evaluator::truth(const json& node, const std::string& where) {
    if (node.is_object() && node.size() == 1 && node.begin().key() == "Condition") {
        if (!node.begin().value().is_string()) throw evaluation_error(where + ": Condition expects a name");
        return condition(node.begin().value().get<std::string>(), where);
    }
    const json v = resolve(node, where);
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_string() && (v == "true" || v == "false")) return v == "true";
    throw evaluation_error(where + ": expected a condition (true or false), got " + v.dump());
}

bool function_evaluator::condition(const std::string& name, const std::string& where) {
    if (const auto it = conditions_.find(name); it != conditions_.end()) return it->second;
    const auto& conds = body_.contains("Conditions") ? body_["Conditions"] : json::object();
    if (!conds.is_object() || !conds.contains(name))
        throw evaluation_error(where + ": condition '" + name + "' is not defined in Conditions");
    if (!evaluating_.insert(name).second)
        throw evaluation_error(where + ": condition '" + name + "' refers to itself");
    const bool v = truth(conds[name], "Conditions." + name);
    evaluating_.erase(name);
    conditions_[name] = v;
    return v;
}

json function_evaluator::call(const std::string& fn, const json& arg, const std::string& where) {
    const std::string at = where;
    if (fn == "Ref") {
        if (!arg.is_string()) fail_at(at, fn, "expects a name, got " + arg.dump());
        return ref(arg.get<std::string>(), at);
    }
    if (fn == "Fn::Join") {
        const auto& a = array_arg(arg, 2, fn, at);
        const std::string delim = resolve_string(a[0], at + ".Fn::Join[0]");
        const json list = resolve(a[1], at + ".Fn::Join[1]");
        if (!list.is_array()) fail_at(at, fn, "the second argument must be a list, got " + list.dump());
        std::string out;
        for (std::size_t i = 0; i < list.size(); ++i) {
            if (i) out += delim;
            if (list[i].is_string()) out += list[i].get<std::string>();
            else if (list[i].is_number()) out += list[i].dump();
            else fail_at(at, fn, "list element " + std::to_string(i) + " is not a string: " + list[i].dump());
        }
        return out;
    }
    if (fn == "Fn::Select") {
        const auto& a = array_arg(arg, 2, fn, at);
        const json idx = resolve(a[0], at + ".Fn::Select[0]");
        long long i = -1;
        if (idx.is_number_integer()) i = idx.get<long long>();
        else if (idx.is_string()) {
            try {
                std::size_t used = 0;
                i = std::stoll(idx.get<std::string>(), &used);
                if (used != idx.get<std::string>().size()) i = -1;
            } catch (const std::exception&) {
                i = -1;
            }
        }
        const json list = resolve(a[1], at + ".Fn::Select[1]");
        if (!list.is_array()) fail_at(at, fn, "the second argument must be a list, got " + list.dump());
        if (i < 0 || static_cast<std::size_t>(i) >= list.size())
            fail_at(at, fn, "index " + idx.dump() + " is out of range for a list of " + std::to_string(list.size()));
        return list[static_cast<std::size_t>(i)];
    }
    if (fn == "Fn::Split") {
        const auto& a = array_arg(arg, 2, fn, at);
        const std::string delim = resolve_string(a[0], at + ".Fn::Split[0]");
        const std::string s = resolve_string(a[1], at + ".Fn::Split[1]");
        if (delim.empty()) fail_at(at, fn, "the delimiter is empty");
        json out = json::array();
        std::size_t start = 0;
        for (auto pos = s.find(delim); pos != std::string::npos; pos = s.find(delim, start)) {
            out.push_back(s.substr(start, pos - start));
            start = pos + delim.size();
        }
        out.push_back(s.substr(start));
        return out;
    }
    if (fn == "Fn::FindInMap") {
        const auto& a = array_arg(arg, 3, fn, at);
        const std::string map = resolve_string(a[0], at + ".Fn::FindInMap[0]");
        const std::string k1 = resolve_string(a[1], at + ".Fn::FindInMap[1]");
        const std::string k2 = resolve_string(a[2], at + ".Fn::FindInMap[2]");
        const auto& maps = body_.contains("Mappings") ? body_["Mappings"] : json::object();
        if (!maps.contains(map)) fail_at(at, fn, "mapping '" + map + "' is not defined in Mappings");
        if (!maps[map].contains(k1)) fail_at(at, fn, "key '" + k1 + "' is not in mapping '" + map + "'");
        if (!maps[map][k1].is_object() || !maps[map][k1].contains(k2))
            fail_at(at, fn, "key '" + k2 + "' is not in mapping '" + map + "' under '" + k1 + "'");
        return maps[map][k1][k2];
    }
    if (fn == "Fn::Sub") return sub(arg, at);
    if (fn == "Fn::If") {
        const auto& a = array_arg(arg, 3, fn, at);
        if (!a[0].is_string()) fail_at(at, fn, "the first argument must be a condition name, got " + a[0].dump());
        return condition(a[0].get<std::string>(), at + ".Fn::If") ? resolve(a[1], at + ".Fn::If[1]")
                                                                  : resolve(a[2], at + ".Fn::If[2]");
    }
    if (fn == "Fn::Equals") {
        const auto& a = array_arg(arg, 2, fn, at);
        const json l = resolve(a[0], at + ".Fn::Equals[0]");
        const json r = resolve(a[1], at + ".Fn::Equals[1]");
        // Parameters are strings; "5" equals 5 as CloudFormation compares them.
        const auto text = [](const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
        return text(l) == text(r);
    }
    if (fn == "Fn::Not") {
        const auto& a = array_arg(arg, 1, fn, at);
        return !truth(a[0], at + ".Fn::Not[0]");
    }
    // Fn::And / Fn::Or: 2 to 10 conditions, as CloudFormation.
    if (!arg.is_array() || arg.size() < 2 || arg.size() > 10)
        fail_at(at, fn, "expects a list of 2 to 10 conditions, got " + arg.dump());
    const bool is_and = fn == "Fn::And";
    for (std::size_t i = 0; i < arg.size(); ++i) {
        const bool v = truth(arg[i], at + "." + fn + "[" + std::to_string(i) + "]");
        if (is_and && !v) return false;
        if (!is_and && v) return true;
    }
    return is_and;
}

}  // namespace wv::provisioning
