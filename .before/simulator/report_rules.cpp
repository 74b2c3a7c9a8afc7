// The embedded gateway's rules in wvsim's report: JSON, merge, the summary's section and what
// fails the run.
#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "report.hpp"

namespace wv::sim {

using nlohmann::json;

namespace {

std::string counts_text(const std::map<std::string, std::uint64_t>& m) {
    std::string out;
    for (const auto& [k, n] : m) out += (out.empty() ? "" : ", ") + k + " " + std::to_string(n);
    return out;
}

std::string ms(std::uint64_t us) {
    char b[32];
    std::snprintf(b, sizeof b, "%.2f ms", static_cast<double>(us) / 1e3);
    return b;
}

template <class T>
T field(const json& j, const char* k) {
    if (!j.is_object() || !j.contains(k)) throw std::invalid_argument(std::string("report: rules: missing \"") + k + "\"");
    try {
        return j.at(k).get<T>();
    } catch (const json::exception& e) {
        throw std::invalid_argument(std::string("report: rules: \"") + k + "\": " + e.what());
    }
}

}  // namespace

std::vector<std::string> rules_result::failures() const {
    std::vector<std::string> out;
    for (const auto& a : actions) {
        const std::string who = "rule '" + a.rule + "' " + a.action + ": ";
        if (a.validation) {
            const auto& v = *a.validation;
            std::vector<std::string> parts;
            if (v.mismatched)
                parts.push_back(std::to_string(v.mismatched) + " of " + std::to_string(v.validated) + " mismatched (" +
                                counts_text(v.mismatched_by_kind) + ")");
            if (v.errors)
                parts.push_back(std::to_string(v.errors) + " errors" +
                                (v.errors_by_reason.empty() ? "" : " (" + counts_text(v.errors_by_reason) + ")"));
            if (v.timeouts) parts.push_back(std::to_string(v.timeouts) + " timeouts");
            if (!parts.empty()) {
                std::string line = who;
                for (std::size_t i = 0; i < parts.size(); ++i) line += (i ? ", " : "") + parts[i];
                out.push_back(line);
            }
        }
        std::vector<std::string> runs;
        if (a.failed) runs.push_back(std::to_string(a.failed) + " failed");
        if (a.dropped) runs.push_back(std::to_string(a.dropped) + " dropped (rules queue full)");
        if (const auto u = a.unfinished()) runs.push_back(std::to_string(u) + " unfinished when the gateway stopped");
        if (!runs.empty()) {
            std::string line = who;
            for (std::size_t i = 0; i < runs.size(); ++i) line += (i ? ", " : "") + runs[i];
            out.push_back(line + " of " + std::to_string(a.rule_matched) + " runs");
        }
    }
    return out;
}

json rules_to_json(const rules_result& r) {
    json actions = json::array();
    for (const auto& a : r.actions) {
        json j = {{"rule", a.rule},     {"rule_matched", a.rule_matched}, {"kind", a.kind}, {"action", a.action},
                  {"ok", a.ok},         {"failed", a.failed},             {"dropped", a.dropped},
                  {"unfinished", a.unfinished()}};
        if (a.validation) {
            const auto& v = *a.validation;
            j["validation"] = {{"validated", v.validated},
                               {"matched", v.matched},
                               {"both_rejected", v.both_rejected},
                               {"mismatched", v.mismatched},
                               {"errors", v.errors},
                               {"timeouts", v.timeouts},
                               {"mismatched_by_kind", v.mismatched_by_kind},
                               {"errors_by_reason", v.errors_by_reason},
                               {"decoder_replies", v.decoder_replies},
                               {"decoder_p50_us", v.decoder_p50_us},
                               {"decoder_p99_us", v.decoder_p99_us}};
        }
        actions.push_back(std::move(j));
    }
    return {{"ok", r.failures().empty()}, {"actions", std::move(actions)}};
}

rules_result rules_from_json(const json& j) {
    rules_result r;
    for (const auto& a : field<json>(j, "actions")) {
        rules_action_result x;
        x.rule = field<std::string>(a, "rule");
        x.rule_matched = field<std::uint64_t>(a, "rule_matched");
        x.kind = field<std::string>(a, "kind");
        x.action = field<std::string>(a, "action");
        x.ok = field<std::uint64_t>(a, "ok");
        x.failed = field<std::uint64_t>(a, "failed");
        x.dropped = field<std::uint64_t>(a, "dropped");
        if (a.contains("validation")) {
            const auto& v = a["validation"];
            rules_validation y;
            y.validated = field<std::uint64_t>(v, "validated");
            y.matched = field<std::uint64_t>(v, "matched");
            y.both_rejected = field<std::uint64_t>(v, "both_rejected");
            y.mismatched = field<std::uint64_t>(v, "mismatched");
            y.errors = field<std::uint64_t>(v, "errors");
            y.timeouts = field<std::uint64_t>(v, "timeouts");
            y.mismatched_by_kind = field<std::map<std::string, std::uint64_t>>(v, "mismatched_by_kind");
            y.errors_by_reason = field<std::map<std::string, std::uint64_t>>(v, "errors_by_reason");
            y.decoder_replies = field<std::uint64_t>(v, "decoder_replies");
            y.decoder_p50_us = field<std::uint64_t>(v, "decoder_p50_us");
            y.decoder_p99_us = field<std::uint64_t>(v, "decoder_p99_us");
            x.validation = y;
        }
        r.actions.push_back(std::move(x));
    }
    return r;
}

void merge(rules_result& a, const rules_result& b) {
    for (const auto& y : b.actions) {
        rules_action_result* x = nullptr;
        for (auto& c : a.actions)
            if (c.rule == y.rule && c.action == y.action) x = &c;
        if (!x) {
            a.actions.push_back(y);
            continue;
        }
        x->rule_matched += y.rule_matched;
        x->ok += y.ok;
        x->failed += y.failed;
        x->dropped += y.dropped;
        if (!y.validation) continue;
        if (!x->validation) x->validation = rules_validation{};
        auto& v = *x->validation;
        const auto& w = *y.validation;
        v.validated += w.validated;
        v.matched += w.matched;
        v.both_rejected += w.both_rejected;
        v.mismatched += w.mismatched;
        v.errors += w.errors;
        v.timeouts += w.timeouts;
        for (const auto& [k, n] : w.mismatched_by_kind) v.mismatched_by_kind[k] += n;
        for (const auto& [k, n] : w.errors_by_reason) v.errors_by_reason[k] += n;
        v.decoder_replies += w.decoder_replies;
        v.decoder_p50_us = std::max(v.decoder_p50_us, w.decoder_p50_us);
        v.decoder_p99_us = std::max(v.decoder_p99_us, w.decoder_p99_us);
    }
}

std::string rules_text(const rules_result& r) {
    if (r.actions.empty()) return {};
    std::string o = "\nRules (embedded gateway):\n";
    std::string last_rule;
    for (const auto& a : r.actions) {
        if (a.rule != last_rule) o += "  rule " + a.rule + ": matched " + std::to_string(a.rule_matched) + " messages\n";
        last_rule = a.rule;
        o += "    " + a.action + ": ok " + std::to_string(a.ok) + ", failed " + std::to_string(a.failed) + ", dropped " +
             std::to_string(a.dropped);
        if (const auto u = a.unfinished()) o += ", unfinished " + std::to_string(u);
        o += "\n";
        if (!a.validation) continue;
        const auto& v = *a.validation;
        o += "      validated " + std::to_string(v.validated) + ": matched " + std::to_string(v.matched);
        if (v.both_rejected) o += " (" + std::to_string(v.both_rejected) + " rejected by both)";
        o += ", mismatched " + std::to_string(v.mismatched) + ", errors " + std::to_string(v.errors) + ", timeouts " +
             std::to_string(v.timeouts) + "\n";
        if (!v.mismatched_by_kind.empty()) o += "      mismatched by kind: " + counts_text(v.mismatched_by_kind) + "\n";
        if (!v.errors_by_reason.empty()) o += "      errors by reason: " + counts_text(v.errors_by_reason) + "\n";
        o += "      decoder latency: " +
             (v.decoder_replies ? "p50 " + ms(v.decoder_p50_us) + ", p99 " + ms(v.decoder_p99_us) + " (" +
                                      std::to_string(v.decoder_replies) + " replies)"
                                : std::string("no replies")) +
             "\n";
    }
    return o;
}

}  // namespace wv::sim
