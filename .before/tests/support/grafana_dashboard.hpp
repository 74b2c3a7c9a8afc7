#pragma once
// The metric names a Grafana dashboard's queries use, so a test can check that each one is
// served: every match of `pattern` (e.g. "(wvsim|wvgate)_[a-z0-9_]+") in a panel target's expr.
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace wv::test {

inline std::set<std::string> dashboard_metrics(const std::filesystem::path& file, const std::string& pattern) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    const auto j = nlohmann::json::parse(in);
    std::set<std::string> names;
    const std::regex name("\\b" + pattern);
    for (const auto& p : j.at("panels"))
        for (const auto& t : p.at("targets")) {
            const auto e = t.at("expr").get<std::string>();
            for (std::sregex_iterator it(e.begin(), e.end(), name), end; it != end; ++it) names.insert(it->str());
        }
    return names;
}

}  // namespace wv::test
