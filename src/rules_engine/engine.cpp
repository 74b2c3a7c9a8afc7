#include "rules_engine/engine.hpp"

#include <boost/asio/post.hpp>
#include <cstdio>
#include <stdexcept>

#include "functions/build_backend.hpp"
#include "rules_engine/file_action.hpp"
#include "rules_engine/http_action.hpp"
#include "rules_engine/lambda_action.hpp"

namespace wv::rules_engine {

namespace asio = boost::asio;

// One action of one rule, with its counters.
struct engine::slot {
    std::string rule;
    std::string kind;
    std::unique_ptr<action> act;
    backends::built_backend function;  // keeps a things registry alive for handler functions
    validate_action* validator = nullptr;
    metrics::counter* ok = nullptr;
    metrics::counter* failed = nullptr;
    metrics::counter* dropped = nullptr;
    std::atomic<std::uint64_t> failures_logged{0};
};

struct engine::compiled {
    std::string name;
    rules::rule rule;
    metrics::counter* matched = nullptr;
    std::vector<std::unique_ptr<slot>> actions;
};

namespace {

constexpr std::uint64_t max_logged_failures = 100;  // per action; all are counted

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// An action's inline function, its own; a handler's boto3 `iot` reaches the host's control plane.
backends::built_backend start_function(const backends::backend_spec& spec, const functions::function_registry* fns) {
    auto b = backends::build_backend(spec, fns ? fns->iot() : backends::local_iot{});
    if (!b.backend) throw std::runtime_error("function backend '" + spec.name + "' could not be built");
    return b;
}

// A function of the `functions:` section, started (once, shared) by the registry.
functions::function resolve_function(functions::function_registry* fns, const function_ref& ref) {
    if (!fns)
        throw std::runtime_error(ref.origin + ": names function '" + ref.name_or_arn +
                                 "', but no `functions:` section is configured (define it there, or give the "
                                 "function inline: python:FILE or a backend map)");
    try {
        return fns->resolve(ref.name_or_arn);
    } catch (const std::exception& e) {
        throw std::runtime_error(ref.origin + ": " + e.what());
    }
}

std::string describe_named(const functions::function& f, const backends::backend_spec& spec) {
    return f.name + " (" + describe_function(spec) + ")";
}

}  // namespace

engine::engine(engine_config cfg, engine_hooks hooks)
    : own_metrics_(hooks.metrics ? nullptr : std::make_unique<metrics::registry>()),
      metrics_(hooks.metrics ? hooks.metrics : own_metrics_.get()),
      hooks_(std::move(hooks)),
      max_queue_(cfg.max_queue ? cfg.max_queue : 1),
      work_(asio::make_work_guard(io_)) {
    const log_fn log_line = [this](const std::string& l) { log(l); };
    for (auto& rc : cfg.rules) {
        const std::string where = (rc.origin.empty() ? "rule" : rc.origin + ": rule") + " '" + rc.name + "'";
        if (!rc.enabled) continue;
        if (!rc.compiled) {
            try {
                rc.compiled = compile_or_throw(rc.sql, rc.version, where + ": sql");
            } catch (const std::invalid_argument& e) {
                throw std::runtime_error(e.what());
            }
        }
        auto r = std::make_unique<compiled>(compiled{rc.name, *rc.compiled, nullptr, {}});
        r->matched = &metrics_->add_counter("wv_rules_matched_total", "Messages that matched a rule (FROM and WHERE)",
                                            {{"rule", rc.name}});
        for (std::size_t i = 0; i < rc.actions.size(); ++i) {
            auto& ac = rc.actions[i];
            auto s = std::make_unique<slot>();
            s->rule = rc.name;
            s->kind = action_kind(ac);
            const std::string at = where + " actions[" + std::to_string(i) + "] (" + s->kind + ")";
            try {
                if (auto* l = std::get_if<lambda_action_config>(&ac); l && !l->ref.empty()) {
                    const auto f = resolve_function(hooks_.functions, l->ref);
                    const auto timeout = l->ref.timeout_from_function ? f.timeout : l->timeout;
                    s->act = std::make_unique<lambda_action>(
                        timeout, describe_named(f, hooks_.functions->spec(f.name)), f.backend);
                } else if (l) {
                    s->function = start_function(l->function, hooks_.functions);
                    s->act = std::make_unique<lambda_action>(l->timeout, describe_function(l->function), s->function.backend);
                } else if (auto* p = std::get_if<republish_action_config>(&ac)) {
                    s->act = std::make_unique<republish_action>(*p, rc.version, hooks_.republish);
                } else if (auto* f = std::get_if<file_action_config>(&ac)) {
                    s->act = std::make_unique<file_action>(*f);
                } else if (auto* h = std::get_if<http_action_config>(&ac)) {
                    s->act = std::make_unique<http_action>(*h, io_);
                } else if (auto* v = std::get_if<validate_action_config>(&ac)) {
                    std::shared_ptr<auth::authorizer_backend> decoder;
                    std::string description;
                    if (!v->decoder_ref.empty()) {
                        const auto f = resolve_function(hooks_.functions, v->decoder_ref);
                        if (v->decoder_ref.timeout_from_function) v->timeout = f.timeout;
                        description = describe_named(f, hooks_.functions->spec(f.name));
                        decoder = f.backend;
                    } else {
                        s->function = start_function(v->decoder, hooks_.functions);
                        description = describe_function(v->decoder);
                        decoder = s->function.backend;
                    }
                    auto va = std::make_unique<validate_action>(*v, rc.name, std::move(description), std::move(decoder),
                                                                io_, log_line, *metrics_);
                    s->validator = va.get();
                    s->act = std::move(va);
                }
            } catch (const std::exception& e) {
                throw std::runtime_error(at + ": " + e.what());
            }
            const auto counter = [&](const char* outcome) {
                return &metrics_->add_counter("wv_rules_actions_total", "Rule action runs, by outcome",
                                              {{"rule", rc.name}, {"action", s->kind + std::to_string(i)}, {"outcome", outcome}});
            };
            s->ok = counter("ok");
            s->failed = counter("failed");
            s->dropped = counter("dropped");
            r->actions.push_back(std::move(s));
        }
        rules_.push_back(std::move(r));
    }
    const auto n = cfg.threads ? cfg.threads : 1;
    for (std::size_t i = 0; i < n; ++i) threads_.emplace_back([this] { io_.run(); });
}

engine::~engine() {
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
    // Actions (and the function backends inside them) go before io_: backends fail their
    // pending calls, whose completions may still post to io_ (never run, destroyed with it)
    // or call finish() while their action is half destroyed, hence stopping_.
    stopping_ = true;
    rules_.clear();
}

void engine::log(const std::string& line) const {
    if (hooks_.log) return hooks_.log(line);
    std::fprintf(stderr, "%s\n", line.c_str());
}

std::size_t engine::on_message(const inbound_message& in) noexcept {
    try {
        std::shared_ptr<rules::message> msg;
        std::size_t matched = 0;
        for (auto& r : rules_) {
            if (!rules::rule_topic_matches(r->rule.topic_filter(), in.topic)) continue;
            if (!msg) {
                msg = std::make_shared<rules::message>();
                msg->topic = std::string(in.topic);
                msg->payload = std::string(in.payload);
                if (!in.client_id.empty()) msg->client_id = std::string(in.client_id);
                if (!in.principal.empty()) msg->principal = std::string(in.principal);
                msg->timestamp_ms = in.timestamp_ms ? in.timestamp_ms : now_ms();
                if (in.properties) msg->properties = *in.properties;
                msg->republish_hops = in.republish_hops;
            }
            auto out = r->rule.evaluate(*msg);
            if (!out) continue;
            ++matched;
            r->matched->add();
            const auto input = std::make_shared<const action_input>(action_input{r->name, std::move(*out), msg});
            for (auto& s : r->actions) enqueue(*s, input);
        }
        return matched;
    } catch (const std::exception& e) {
        // Only allocation failure gets here; the message is lost for the rules, not the broker.
        log(std::string("rules: message on '") + std::string(in.topic) + "' skipped: " + e.what());
        return 0;
    }
}

void engine::enqueue(slot& s, const input_ptr& in) {
    if (in_flight_.fetch_add(1, std::memory_order_acq_rel) >= max_queue_) {
        in_flight_.fetch_sub(1, std::memory_order_acq_rel);
        s.dropped->add();
        drops_since_log_.fetch_add(1, std::memory_order_relaxed);
        // At most one line a second: a full queue under a flood must not become a log flood.
        const auto now = now_ms();
        auto last = last_drop_log_ms_.load(std::memory_order_relaxed);
        if (now - last >= 1000 && last_drop_log_ms_.compare_exchange_strong(last, now)) {
            const auto n = drops_since_log_.exchange(0);
            log("rules: action queue full (" + std::to_string(max_queue_) + " jobs): dropped " + std::to_string(n) +
                " job(s), latest " + s.rule + "." + s.kind);
        }
        return;
    }
    asio::post(io_, [this, &s, in] {
        try {
            s.act->run(in, [this, &s](std::string error) { finish(s, error); });
        } catch (const std::exception& e) {
            finish(s, std::string("internal error: ") + e.what());
        }
    });
}

void engine::finish(slot& s, const std::string& error) {
    if (stopping_.load(std::memory_order_acquire)) return;
    if (error.empty()) {
        s.ok->add();
    } else {
        s.failed->add();
        const auto n = s.act->logs_its_failures() ? max_logged_failures + 1
                                                  : s.failures_logged.fetch_add(1, std::memory_order_relaxed);
        if (n < max_logged_failures)
            log("rules: " + s.rule + " " + s.act->describe() + " failed: " + error);
        else if (n == max_logged_failures)
            log("rules: " + s.rule + " " + s.act->describe() + ": further failures are counted, not logged");
    }
    if (in_flight_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard lock(drain_m_);
        drain_cv_.notify_all();
    }
}

bool engine::drain(std::chrono::milliseconds timeout) {
    std::unique_lock lock(drain_m_);
    return drain_cv_.wait_for(lock, timeout, [this] { return in_flight_.load(std::memory_order_acquire) == 0; });
}

engine_stats engine::stats() const {
    engine_stats st;
    for (const auto& r : rules_) {
        st.matched += r->matched->value();
        for (const auto& s : r->actions) {
            st.ok += s->ok->value();
            st.failed += s->failed->value();
            st.dropped += s->dropped->value();
        }
    }
    st.in_flight = in_flight_.load();
    return st;
}

std::optional<validate_counts> engine::validation(std::string_view rule) const {
    for (const auto& r : rules_)
        if (r->name == rule)
            for (const auto& s : r->actions)
                if (s->validator) return s->validator->counts();
    return std::nullopt;
}

std::vector<rule_report> engine::report() const {
    std::vector<rule_report> out;
    for (const auto& r : rules_) {
        rule_report rr{r->name, r->matched->value(), {}};
        for (const auto& s : r->actions) {
            action_report a{s->kind, s->act->describe(), s->ok->value(), s->failed->value(), s->dropped->value(), {}};
            if (s->validator) a.validation = s->validator->counts();
            rr.actions.push_back(std::move(a));
        }
        out.push_back(std::move(rr));
    }
    return out;
}

std::string engine::summary() const {
    std::string out = "rules summary:\n";
    if (rules_.empty()) return out + "  no rules enabled\n";
    for (const auto& r : rules_) {
        out += "  rule " + r->name + ": matched " + std::to_string(r->matched->value()) + " message(s)\n";
        for (const auto& s : r->actions) {
            out += "    " + s->act->describe() + ": ok " + std::to_string(s->ok->value()) + ", failed " +
                   std::to_string(s->failed->value()) + ", dropped " + std::to_string(s->dropped->value()) + "\n";
            if (auto extra = s->act->summary(); !extra.empty()) {
                // Indent the action's own report under it.
                std::size_t start = 0;
                while (start < extra.size()) {
                    const auto nl = extra.find('\n', start);
                    out += "      " + extra.substr(start, nl == std::string::npos ? std::string::npos : nl - start + 1);
                    if (nl == std::string::npos) out += "\n";
                    start = nl == std::string::npos ? extra.size() : nl + 1;
                }
            }
        }
    }
    return out;
}

}  // namespace wv::rules_engine
