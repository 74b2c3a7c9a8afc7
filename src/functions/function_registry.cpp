#include "functions/function_registry.hpp"

#include <stdexcept>

namespace wv::functions {

std::optional<lambda_arn> parse_lambda_arn(std::string_view text) {
    // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]; partitions aws, aws-cn, ...
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const auto colon = text.find(':', start);
        parts.push_back(text.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
        if (colon == std::string_view::npos) break;
        start = colon + 1;
    }
    if (parts.size() != 7 && parts.size() != 8) return std::nullopt;
    if (parts[0] != "arn" || !parts[1].starts_with("aws") || parts[2] != "lambda" || parts[5] != "function")
        return std::nullopt;
    if (parts[3].empty() || parts[4].empty() || parts[6].empty()) return std::nullopt;
    if (parts.size() == 8 && parts[7].empty()) return std::nullopt;
    lambda_arn a{std::string(parts[3]), std::string(parts[4]), std::string(parts[6]), {}};
    if (parts.size() == 8) a.qualifier = std::string(parts[7]);
    return a;
}

std::string function_arn(std::string_view region, std::string_view account, std::string_view name) {
    std::string out = "arn:aws:lambda:";
    out.append(region).append(":").append(account).append(":function:").append(name);
    return out;
}

void function::invoke(std::string event_json, auth::authorizer_backend::completion done) const {
    backend->invoke(std::move(event_json), std::chrono::steady_clock::now() + timeout, std::move(done));
}

function_registry::function_registry(backends::local_iot iot) : iot_(std::move(iot)) {}

function_registry::~function_registry() = default;

void function_registry::add(backends::backend_spec spec) {
    std::lock_guard lock(mutex_);
    if (entries_.count(spec.name))
        throw std::invalid_argument("function '" + spec.name + "' is defined twice");
    auto name = spec.name;
    entries_.emplace(std::move(name), entry{std::move(spec)});
}

std::string function_registry::arn_of(const backends::backend_spec& spec) const {
    return function_arn(spec.region, spec.account, spec.name);
}

std::string function_registry::known_locked() const {
    if (entries_.empty()) return "none (add it under `functions:`)";
    std::string out;
    for (const auto& [name, e] : entries_) {
        if (!out.empty()) out += ", ";
        out += name + " (" + arn_of(e.spec) + ")";
    }
    return out;
}

std::string function_registry::known() const {
    std::lock_guard lock(mutex_);
    return known_locked();
}

std::vector<std::string> function_registry::names() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& kv : entries_) out.push_back(kv.first);
    return out;
}

const function_registry::entry* function_registry::lookup_locked(std::string_view name_or_arn) const {
    if (!looks_like_arn(name_or_arn)) {
        const auto it = entries_.find(name_or_arn);
        if (it != entries_.end()) return &it->second;
        throw std::runtime_error("unknown function '" + std::string(name_or_arn) + "'; known: " + known_locked());
    }
    const auto arn = parse_lambda_arn(name_or_arn);
    if (!arn)
        throw std::runtime_error("'" + std::string(name_or_arn) +
                                 "' is not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>)"
                                 "; known: " + known_locked());
    const auto it = entries_.find(arn->name);
    if (it == entries_.end())
        throw std::runtime_error("unknown function ARN '" + std::string(name_or_arn) + "': no function named '" +
                                 arn->name + "'; known: " + known_locked());
    const auto& s = it->second.spec;
    if (s.region != arn->region || s.account != arn->account)
        throw std::runtime_error("function ARN '" + std::string(name_or_arn) + "': function '" + arn->name +
                                 "' is in region " + s.region + ", account " + s.account + " (" + arn_of(s) +
                                 "); set its region/account to the ARN's or use its ARN");
    return &it->second;
}

const function_registry::entry* function_registry::lookup(std::string_view name_or_arn) const {
    std::lock_guard lock(mutex_);
    return lookup_locked(name_or_arn);
}

const backends::backend_spec* function_registry::find(std::string_view name_or_arn) const {
    try {
        return &lookup(name_or_arn)->spec;
    } catch (const std::runtime_error&) {
        return nullptr;
    }
}

const backends::backend_spec& function_registry::spec(std::string_view name_or_arn) const {
    return lookup(name_or_arn)->spec;
}

function function_registry::resolve(std::string_view name_or_arn) {
    std::lock_guard lock(mutex_);
    auto* e = const_cast<entry*>(lookup_locked(name_or_arn));
    if (!e->started) e->started = backends::build_backend(e->spec, iot_);
    return function{e->spec.name, arn_of(e->spec), e->spec.timeout, e->started->backend};
}

}  // namespace wv::functions
