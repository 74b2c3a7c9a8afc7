// wvsim: a fleet of simulated Ayyeka Wavelet dataloggers. See `wvsim --help`.
#include <fstream>
#include <iostream>

#include "options.hpp"
#include "report.hpp"
#include "run_metrics.hpp"
#include "simulation.hpp"
#include "verdict.hpp"

namespace {

int merge_reports(const wv::sim::parse_outcome& p) {
    using namespace wv::sim;
    std::optional<run_report> all;
    for (const auto& f : p.merge_inputs) {
        std::ifstream in(f);
        try {
            auto r = report_from_json(nlohmann::json::parse(in));
            if (!all) all = std::move(r);
            else merge(*all, r);
        } catch (const std::exception& e) {
            std::cerr << "wvsim merge: " << f.string() << ": " << e.what() << "\n";
            return 2;
        }
    }
    // The shards' --expect, checked again on the whole fleet, and merge's own.
    std::vector<std::string> expect;
    for (const auto& t : all->thresholds) expect.push_back(t.expression);
    expect.insert(expect.end(), p.merge_expect.begin(), p.merge_expect.end());
    try {
        check_thresholds(*all, expect);
    } catch (const std::exception& e) {
        std::cerr << "wvsim merge: " << e.what() << "\n";
        return 2;
    }
    std::cout << summary_text(*all);
    if (!p.merge_json.empty()) std::ofstream(p.merge_json) << to_json_text(*all);
    if (!p.merge_html.empty()) std::ofstream(p.merge_html) << html_page(*all);
    return wv::sim::judge(*all).exit_code;
}

}  // namespace

int main(int argc, char** argv) {
    const auto p = wv::sim::parse_options(argc, argv);
    try {
        switch (p.kind) {
        case wv::sim::parse_outcome::exit: return p.exit_code;
        case wv::sim::parse_outcome::merge: return merge_reports(p);
        case wv::sim::parse_outcome::run: return wv::sim::run_simulation(p.options);
        }
    } catch (const std::exception& e) {
        std::cerr << "wvsim: " << e.what() << "\n";
        return 1;
    }
    return 1;
}
