#pragma once
// The registry's objects as JSON: how the SQLite store keeps them and how seed files and
// exports write them (field names are AWS's, so a seed file reads like API output).
// from_json throws nlohmann::json::exception on a missing or mistyped field.
#include <nlohmann/json.hpp>

#include "registry/model.hpp"

namespace wv::registry {

void to_json(nlohmann::json& j, const thing& t);
void from_json(const nlohmann::json& j, thing& t);
void to_json(nlohmann::json& j, const thing_type& t);
void from_json(const nlohmann::json& j, thing_type& t);
void to_json(nlohmann::json& j, const thing_group& g);
void from_json(const nlohmann::json& j, thing_group& g);
void to_json(nlohmann::json& j, const certificate& c);
void from_json(const nlohmann::json& j, certificate& c);
void to_json(nlohmann::json& j, const ca_certificate& c);
void from_json(const nlohmann::json& j, ca_certificate& c);
void to_json(nlohmann::json& j, const policy& p);
void from_json(const nlohmann::json& j, policy& p);
void to_json(nlohmann::json& j, const topic_rule& r);
void from_json(const nlohmann::json& j, topic_rule& r);

}  // namespace wv::registry
