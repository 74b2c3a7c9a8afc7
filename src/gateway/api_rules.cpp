#include "gateway/api_rules.hpp"

#include "registry/registry.hpp"

namespace wv::gate {

api_rules::api_rules(registry::registry& reg, rules_engine::engine_hooks hooks, rules_engine::function_resolver resolve,
                     std::function<void(const std::string&)> log)
    : reg_(reg), hooks_(std::move(hooks)), resolve_(std::move(resolve)), log_(std::move(log)) {
    rebuild();  // rules from the state file or the seed
    subscription_ = reg_.on_topic_rules_change([this] { rebuild(); });
}

api_rules::~api_rules() {
    subscription_.reset();
    std::shared_ptr<rules_engine::engine> gone;
    {
        std::lock_guard lock(mu_);
        gone = std::move(engine_);
    }
}

void api_rules::rebuild() {
    std::lock_guard one(rebuild_mu_);
    rules_engine::engine_config cfg;
    for (const auto& r : reg_.topic_rules()) {
        if (r.disabled()) continue;
        auto c = rules_engine::from_topic_rule_payload(r.name, r.payload, resolve_);
        if (auto* e = std::get_if<std::string>(&c)) {
            if (log_) log_(*e + ": not run");
            continue;
        }
        auto& ok = std::get<rules_engine::converted_rule>(c);
        for (const auto& s : ok.skipped)
            if (log_) log_("topic rule " + r.name + ": action " + s + ": left out");
        if (!ok.rule.actions.empty()) cfg.rules.push_back(std::move(ok.rule));
    }
    std::shared_ptr<rules_engine::engine> next;
    if (!cfg.rules.empty()) {
        try {
            next = std::make_shared<rules_engine::engine>(std::move(cfg), hooks_);
        } catch (const std::exception& e) {
            // An action that cannot start (a function backend, say): keep what ran before.
            if (log_) log_(std::string("topic rules from the control plane: ") + e.what() + ": the previous rules stay");
            return;
        }
    }
    std::shared_ptr<rules_engine::engine> old;
    {
        std::lock_guard lock(mu_);
        old = std::exchange(engine_, next);
        any_ = next != nullptr;
    }
    if (old) old->drain(std::chrono::seconds(2));  // the last holder destroys it
}

void api_rules::on_message(const rules_engine::inbound_message& m) noexcept {
    if (!any_.load(std::memory_order_relaxed)) return;
    std::shared_ptr<rules_engine::engine> e;
    {
        std::lock_guard lock(mu_);
        e = engine_;
    }
    if (e) e->on_message(m);
}

bool api_rules::drain(std::chrono::milliseconds timeout) {
    std::shared_ptr<rules_engine::engine> e;
    {
        std::lock_guard lock(mu_);
        e = engine_;
    }
    return !e || e->drain(timeout);
}

std::vector<rules_engine::rule_report> api_rules::report() const {
    std::lock_guard lock(mu_);
    return engine_ ? engine_->report() : std::vector<rules_engine::rule_report>{};
}

std::size_t api_rules::rule_count() const {
    std::lock_guard lock(mu_);
    return engine_ ? engine_->rule_count() : 0;
}

}  // namespace wv::gate
