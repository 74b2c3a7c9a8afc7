#pragma once
// A load_result as a table for people, JSON for scripts, and a self-contained HTML page.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "authorizer_clients/loadgen/load_run.hpp"
#include "thresholds/thresholds.hpp"

namespace wv::loadgen {

// What the run was, beside its numbers: for the header of the HTML page and the JSON.
struct bench_context {
    std::string command_line;  // shell-quoted
    std::string started_at;    // ISO 8601 UTC
    std::string version;       // wvauthz's
    std::vector<thresholds::result> thresholds;  // --expect, checked
    std::string scope_note;    // the policies name another region or account (wvauthz words it), or ""
    int exit_code = 0;
};

std::string to_table(const load_result& r);
nlohmann::json to_json(const load_result& r, const bench_context& c = {});
std::string to_html(const load_result& r, const bench_context& c = {});

}  // namespace wv::loadgen
