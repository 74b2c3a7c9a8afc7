#pragma once
// The intrinsic functions of provisioning templates (internal to src/provisioning): one
// evaluator over a template's Parameters, Mappings and Conditions. Values are JSON: strings,
// lists of strings, booleans (conditions).
#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace wv::provisioning {

// A failure while evaluating; `what()` already names the place and the function.
struct evaluation_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The function names a template may use (checked at parse time).
bool is_intrinsic(const std::string& name);

class function_evaluator {
public:
    // `values`: parameter and pseudo-parameter values by name; `declared`: parameters the
    // template declares (a Ref to an undeclared name is an error even if given).
    function_evaluator(const nlohmann::json& body, std::map<std::string, std::string> values,
                       std::set<std::string> declared);

    // Resolves every intrinsic in `node`; `where` is its path for messages.
    nlohmann::json resolve(const nlohmann::json& node, const std::string& where);
    // A string value (numbers become their text); anything else is an error naming `where`.
    std::string resolve_string(const nlohmann::json& node, const std::string& where);
    // The named condition of the Conditions section (memoised).
    bool condition(const std::string& name, const std::string& where);

    const std::map<std::string, std::string>& values() const { return values_; }

private:
    nlohmann::json call(const std::string& fn, const nlohmann::json& arg, const std::string& where);
    std::string ref(const std::string& name, const std::string& where);
    nlohmann::json sub(const nlohmann::json& arg, const std::string& where);
    bool truth(const nlohmann::json& node, const std::string& where);

    const nlohmann::json& body_;
    std::map<std::string, std::string> values_;
    std::set<std::string> declared_;
    std::map<std::string, bool> conditions_;
    std::set<std::string> evaluating_;  // conditions being evaluated: a cycle is an error
};

}  // namespace wv::provisioning
