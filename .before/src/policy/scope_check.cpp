#include "policy/scope_check.hpp"

#include "policy/evaluate.hpp"

namespace wv::policy {
namespace {

struct arn_fields {
    std::string_view service, region, account;
};

// arn:partition:service:region:account:resource, or nothing when `s` is not shaped so.
std::optional<arn_fields> fields_of(std::string_view s) {
    if (!s.starts_with("arn:")) return std::nullopt;
    std::string_view parts[5];
    std::size_t pos = 0;
    for (auto& p : parts) {
        const auto colon = s.find(':', pos);
        if (colon == std::string_view::npos) return std::nullopt;
        p = s.substr(pos, colon - pos);
        pos = colon + 1;
    }
    return arn_fields{parts[2], parts[3], parts[4]};
}

// A field the policy leaves empty names nothing; otherwise it must be able to match ours.
bool differs(std::string_view theirs, const std::string& ours) {
    return !theirs.empty() && !wildcard_match(theirs, ours);
}

}  // namespace

std::optional<scope_mismatch> find_scope_mismatch(std::span<const policy> policies, const arn_scope& ours) {
    scope_mismatch m;
    m.ours = ours;
    for (const auto& p : policies)
        for (const auto& st : p.statements) {
            if (st.not_resource) continue;
            for (const auto& r : st.resources) {
                const auto f = fields_of(r);
                if (!f || f->service != "iot") continue;
                const bool region = m.region.empty() && differs(f->region, ours.region);
                const bool account = m.account.empty() && differs(f->account, ours.account);
                if (region) m.region = f->region;
                if (account) m.account = f->account;
                if ((region || account) && m.example_arn.empty()) m.example_arn = r;
            }
        }
    if (m.region.empty() && m.account.empty()) return std::nullopt;
    return m;
}

std::string describe(const scope_mismatch& m, const scope_settings& s) {
    std::string theirs, ours, fix, other_side;
    const auto add = [](std::string& to, const std::string& what) { to += (to.empty() ? "" : " and ") + what; };
    if (!m.region.empty()) {
        add(theirs, "region " + m.region);
        add(ours, "region " + m.ours.region);
        add(fix, "`" + s.region_key + " " + m.region + "`");
        add(other_side, m.ours.region);
    }
    if (!m.account.empty()) {
        add(theirs, "account " + m.account);
        add(ours, "account " + m.ours.account);
        add(fix, "`" + s.account_key + " " + m.account + "`");
        add(other_side, "account " + m.ours.account);
    }
    return "the authorizer's policies name " + theirs + " (e.g. " + m.example_arn + ") but " + ours +
           " is used here, so their statements never match and iot:Connect is refused. Fix: set " + fix + " in " +
           s.where + ", or make the authorizer use " + other_side + " (in its code or environment, e.g. region/account_id)";
}

}  // namespace wv::policy
