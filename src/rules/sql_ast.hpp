#pragma once
// Internal: the compiled form of a rule. Not part of the public API (rule.hpp).
#include <memory>
#include <string>
#include <vector>

#include "rules/rule.hpp"
#include "rules/sql_functions.hpp"
#include "rules/sql_operators.hpp"

namespace wv::rules {

enum class node_kind {
    literal, path, star,
    call,      // a function of the message (clientid(), topic(n), encode(*, ...), ...): fn
    builtin,   // a function of its arguments only (abs, concat, ...): builtin, args
    cast,      // cast(args[0] AS cast_to)
    case_of,   // CASE args[0] WHEN args[1] THEN args[2] ... [ELSE args.back()] END
    member,    // args[0] followed by path steps
    array_of,  // [args...]
    object_of, // {keys[i]: args[i], ...}
    compare, arith, negate, logic_and, logic_or, logic_not
};
enum class function { clientid, topic, timestamp, principal, encode, traceid, decode, get_user_properties, get_mqtt_property };

struct path_step {
    std::string name;      // member name, or empty for an index step
    std::size_t index = 0; // array index when name is empty
};

struct node {
    node_kind kind = node_kind::literal;
    json literal;                            // literal
    std::vector<path_step> path;             // path, member
    function fn = function::clientid;        // call
    const builtin_function* builtin = nullptr;  // builtin
    cmp_op op = cmp_op::eq;                  // compare
    arith_op aop = arith_op::add;            // arith
    cast_type cast_to = cast_type::string;   // cast
    bool has_else = false;                   // case_of
    std::vector<std::string> keys;           // object_of
    std::vector<std::unique_ptr<node>> args; // call arguments / operands
    std::size_t topic_level = 0;             // topic(n): n (0 = whole topic)
};

struct select_item {
    bool star = false;
    std::unique_ptr<node> expr;
    std::string name;                        // alias or derived name
};

struct compiled_rule {
    std::string sql;
    sql_version version = sql_version::v2015_10_08;
    bool select_value = false;               // SELECT VALUE expr: the output is the value itself
    std::vector<select_item> items;
    std::string from;
    std::unique_ptr<node> where;             // null when absent
    bool reads_payload_json = true;          // false: no path and no SELECT *, skip parsing the payload
};

}  // namespace wv::rules
