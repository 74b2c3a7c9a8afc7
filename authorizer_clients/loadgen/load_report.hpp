#pragma once
// A load_result as a table for people, JSON for scripts, and a self-contained HTML page.
#include <nlohmann/json.hpp>
#include <string>

#include "authorizer_clients/loadgen/load_run.hpp"

namespace wv::loadgen {

std::string to_table(const load_result& r);
nlohmann::json to_json(const load_result& r);
std::string to_html(const load_result& r);

}  // namespace wv::loadgen
