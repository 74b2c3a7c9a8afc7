#pragma once
// Internal: the compiled form of a rule. Not part of the public API (rule.hpp).
#include <memory>
#include <string>
#include <vector>

#include "rules/rule.hpp"

namespace wv::rules {

enum class node_kind { literal, path, star, call, compare, logic_and, logic_or, logic_not };
enum class cmp_op { eq, ne, lt, le, gt, ge };
enum class function { clientid, topic, timestamp, principal, encode, traceid, decode, get_user_properties, get_mqtt_property };

struct path_step {
    std::string name;      // member name, or empty for an index step
    std::size_t index = 0; // array index when name is empty
};

struct node {
    node_kind kind = node_kind::literal;
    json literal;                            // literal
    std::vector<path_step> path;             // path
    function fn = function::clientid;        // call
    cmp_op op = cmp_op::eq;                  // compare
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
    std::vector<select_item> items;
    std::string from;
    std::unique_ptr<node> where;             // null when absent
    bool reads_payload_json = true;          // false: no path and no SELECT *, skip parsing the payload
};

}  // namespace wv::rules
