#pragma once
// AWS substitution templates for action settings: "decoded/${clientid()}/${topic(3)}".
// Each ${expr} is any expression of the rule's SQL dialect, compiled once (as
// `SELECT expr AS v FROM '#'`) and evaluated on the incoming message: functions (topic(),
// topic(n), clientid(), principal(), timestamp()) and fields of a JSON payload. Strings
// substitute as they are, other JSON values as their JSON text, Undefined as "".
// Limit: '#' does not match topics starting with '$', so on those only literal text remains.
//
// Throws std::invalid_argument at construction for an unclosed ${ or an expression that does
// not compile (with its column). expand() is const and thread-safe.
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rules/rule.hpp"

namespace wv::rules_engine {

class topic_template {
public:
    topic_template(std::string_view text, rules::sql_version v);
    std::string expand(const rules::message& m) const;
    bool is_literal() const noexcept;

private:
    std::vector<std::variant<std::string, rules::rule>> parts_;
};

}  // namespace wv::rules_engine
