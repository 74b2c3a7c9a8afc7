#include "rules_engine/validate_action.hpp"

#include <boost/asio/post.hpp>
#include <cinttypes>
#include <cstdio>

#include "payload/lambda_json.hpp"
#include "rules_engine/logged_output.hpp"
#include "util/base64.hpp"

namespace wv::rules_engine {

namespace asio = boost::asio;
using njson = nlohmann::json;

namespace {

constexpr std::uint64_t max_logged_findings = 1000;

enum extra_kind : std::size_t {
    no_output = mismatch_kind_count,
    unexpected_output,
    accepted_invalid,
};

std::string ms_text(std::uint64_t us) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f ms", static_cast<double>(us) / 1000.0);
    return buf;
}

}  // namespace

const char* validate_kind_name(std::size_t k) noexcept {
    if (k < mismatch_kind_count) return to_string(static_cast<mismatch_kind>(k));
    switch (k) {
        case no_output: return "no_output";
        case unexpected_output: return "unexpected_output";
        case accepted_invalid: return "accepted_invalid";
    }
    return "?";
}

struct validate_action::shared {
    validate_action_config cfg;
    std::string rule;
    std::string description;
    asio::io_context& io;
    log_fn log;
    metrics::registry& reg;

    std::atomic<std::uint64_t> validated{0}, matched{0}, mismatched{0}, errors{0}, timeouts{0}, both_rejected{0};
    std::atomic<std::uint64_t> output_returned{0}, output_logged{0}, output_none{0};
    std::array<std::atomic<std::uint64_t>, validate_kind_count> by_kind{};
    std::atomic<std::uint64_t> logged{0};
    std::atomic<bool> bad_event_logged{false};
    mutable std::mutex m;  // errors_by_reason
    std::map<std::string, std::uint64_t> errors_by_reason;

    metrics::counter* m_matched = nullptr;
    metrics::counter* m_mismatched = nullptr;
    metrics::counter* m_error = nullptr;
    metrics::counter* m_timeout = nullptr;
    std::array<metrics::counter*, validate_kind_count> m_kind{};
    metrics::concurrent_histogram* latency = nullptr;

    shared(validate_action_config c, std::string r, std::string d, asio::io_context& i, log_fn l, metrics::registry& g)
        : cfg(std::move(c)), rule(std::move(r)), description(std::move(d)), io(i), log(std::move(l)), reg(g) {
        const auto outcome = [&](const char* o) {
            return &reg.add_counter("wv_rules_validate_messages_total", "Messages validated, by outcome",
                                    {{"rule", rule}, {"outcome", o}});
        };
        m_matched = outcome("matched");
        m_mismatched = outcome("mismatched");
        m_error = outcome("error");
        m_timeout = outcome("timeout");
        for (std::size_t k = 0; k < validate_kind_count; ++k)
            m_kind[k] = &reg.add_counter("wv_rules_validate_mismatches_total",
                                         "Validated messages with at least one mismatch of this kind",
                                         {{"rule", rule}, {"kind", validate_kind_name(k)}});
        latency = &reg.add_histogram("wv_rules_validate_decoder_latency_seconds",
                                     "User decoder latency, call to reply", {{"rule", rule}});
    }

    // Logs one finding unless the budget is spent (the counters keep counting).
    void finding(const std::string& what, const rules::message& m) {
        const auto n = logged.fetch_add(1, std::memory_order_relaxed);
        if (n > max_logged_findings) return;
        if (n == max_logged_findings) {
            log("rules: validate " + rule + ": " + std::to_string(max_logged_findings) +
                " findings logged; further ones are counted, not logged");
            return;
        }
        log("rules: validate " + rule + ": " + what + " client=" + m.client_id.value_or("n/a") + " topic=" + m.topic +
            " payload_base64=" + util::base64_encode(std::string_view(m.payload)));
    }

    // Each outcome returns what the engine's completion gets: empty for matched, else one word
    // (the details are in the finding logged here).
    std::string error(const std::string& reason, const std::string& detail, const rules::message& m) {
        ++errors;
        m_error->add();
        {
            std::lock_guard lock(this->m);
            ++errors_by_reason[reason];
        }
        reg.add_counter("wv_rules_validate_errors_total", "Decoder errors, by reason", {{"rule", rule}, {"reason", reason}})
            .add();
        finding("decoder error (" + reason + (detail.empty() ? "" : ": " + detail) + ")", m);
        return "decoder error";
    }

    std::string match() {
        ++matched;
        m_matched->add();
        return {};
    }

    std::string timeout(const rules::message& m) {
        ++timeouts;
        m_timeout->add();
        finding("decoder timeout after " + std::to_string(cfg.timeout.count()) + " ms", m);
        return "timeout";
    }

    std::string mismatch(const std::array<bool, validate_kind_count>& kinds, const std::string& details,
                         const rules::message& m) {
        ++mismatched;
        m_mismatched->add();
        std::string names;
        for (std::size_t k = 0; k < validate_kind_count; ++k) {
            if (!kinds[k]) continue;
            ++by_kind[k];
            m_kind[k]->add();
            names += (names.empty() ? "" : ",") + std::string(validate_kind_name(k));
        }
        finding("mismatch [" + names + "] " + details, m);
        return "mismatch";
    }

    // The decoder's output: what it returned, else (output_from_log) what it logged. `from`
    // says which, for the finding; `none_detail` why there is none.
    njson output_of(const auth::backend_reply& reply, const action_input& in, std::string& from,
                    std::string& none_detail) {
        njson actual = njson::parse(reply.body);  // throws: the caller reports invalid_json
        using lo = validate_action_config::log_output;
        if (!actual.is_null() || cfg.output_from_log == lo::off) {
            ++(actual.is_null() ? output_none : output_returned);
            none_detail = "the decoder returned nothing (None/undefined)";
            return actual;
        }
        std::optional<logged_output> found;
        if (cfg.output_from_log == lo::marker) {
            found = logged_json_after_marker(reply.log_lines, cfg.output_marker);  // throws: not JSON
            none_detail = "the decoder returned nothing and logged no line with marker '" + cfg.output_marker + "'";
        } else {
            found = last_logged_json_object(reply.log_lines, in.output.raw ? njson() : njson(in.output.value));
            none_detail = "the decoder returned nothing and logged no JSON object";
        }
        if (!found || found->value.is_null()) {
            ++output_none;
            if (auto hint = no_logged_json_hint(reply.log_lines); !hint.empty()) none_detail += "; " + hint;
            return nullptr;
        }
        ++output_logged;
        from = " [output from its log, line " + std::to_string(found->line + 1) + " of " +
               std::to_string(reply.log_lines.size()) + "]";
        return std::move(found->value);
    }

    std::string compare(const payload::result<payload::lambda_outcome>& ref, const auth::backend_reply& reply,
                        const action_input& in) {
        const auto& m = *in.message;
        njson actual;
        std::string from, none_detail;
        try {
            actual = output_of(reply, in, from, none_detail);
        } catch (const njson::exception& e) {
            return error("invalid_json", std::string("the decoder's reply is not JSON: ") + e.what(), m);
        } catch (const std::invalid_argument& e) {
            return error("invalid_json", e.what(), m);
        }
        std::array<bool, validate_kind_count> kinds{};
        if (!ref) {
            if (actual.is_null()) {
                ++both_rejected;
                return match();
            }
            kinds[accepted_invalid] = true;
            return mismatch(kinds, "the reference rejects this payload (" + ref.error().message() +
                                       ") but the decoder returned a result" + from, m);
        }
        const auto& expected = ref.value().output;
        if (!expected) {
            if (actual.is_null()) return match();
            kinds[unexpected_output] = true;
            return mismatch(kinds, "the reference ignores this topic but the decoder returned a result" + from, m);
        }
        if (actual.is_null()) {
            kinds[no_output] = true;
            return mismatch(kinds, none_detail, m);
        }
        compare_result r;
        const compare_options opt{.float_tolerance = cfg.float_tolerance, .max_reported = cfg.max_logged_mismatches};
        std::string hint;
        if (!actual.is_object()) {
            compare_json(*expected, actual, opt, r);
            if (actual.is_string()) hint = " (the decoder returned a JSON string: return the object itself)";
        } else {
            for (const auto& ptr_text : cfg.compare) {
                const njson::json_pointer ptr(ptr_text);
                const bool has_e = expected->contains(ptr), has_a = actual.contains(ptr);
                if (has_e && has_a) compare_json(expected->at(ptr), actual.at(ptr), opt, r, ptr_text);
                else if (has_e) {
                    ++r.total;
                    ++r.by_kind[static_cast<std::size_t>(mismatch_kind::missing_field)];
                    r.mismatches.push_back({mismatch_kind::missing_field, ptr_text, expected->at(ptr).dump(), ""});
                } else if (has_a) {
                    ++r.total;
                    ++r.by_kind[static_cast<std::size_t>(mismatch_kind::extra_field)];
                    r.mismatches.push_back({mismatch_kind::extra_field, ptr_text, "", actual.at(ptr).dump()});
                }
            }
        }
        if (r.equal()) return match();
        for (std::size_t k = 0; k < mismatch_kind_count; ++k) kinds[k] = r.by_kind[k] > 0;
        std::string details = std::to_string(r.total) + " difference" + (r.total == 1 ? "" : "s") + hint + from + ":";
        for (std::size_t i = 0; i < r.mismatches.size() && i < cfg.max_logged_mismatches; ++i) {
            const auto& x = r.mismatches[i];
            details += " " + x.path + " " + to_string(x.kind);
            if (!x.expected.empty() || !x.actual.empty())
                details += " (expected " + (x.expected.empty() ? "nothing" : x.expected) + ", got " +
                           (x.actual.empty() ? "nothing" : x.actual) + ")";
            details += ";";
        }
        return mismatch(kinds, details, m);
    }
};

validate_action::validate_action(validate_action_config cfg, std::string rule, std::string description,
                                 std::shared_ptr<auth::authorizer_backend> decoder, asio::io_context& io, log_fn log,
                                 metrics::registry& reg)
    : s_(std::make_shared<shared>(std::move(cfg), std::move(rule), std::move(description), io, std::move(log), reg)),
      decoder_(std::move(decoder)) {
    for (const auto& p : s_->cfg.compare) (void)njson::json_pointer(p);  // throws json::parse_error on a bad pointer
}

validate_action::~validate_action() { decoder_.reset(); }

void validate_action::run(input_ptr in, completion done) {
    // Not a decoder event at all: the rule is wrong, so say it once, not per message.
    const auto unusable = [&](const std::string& why) {
        if (!s_->bad_event_logged.exchange(true))
            s_->log("rules: validate " + s_->rule + ": " + why + " (every such message is counted as failed)");
        done(why);
    };
    if (in->output.raw)
        return unusable("validate needs a JSON event; this SELECT * passes a binary payload through "
                        "(use encode(*, 'base64') AS data)");
    const njson event(in->output.value);
    auto ref = payload::lambda_result_for_event(event);
    if (!ref && ref.error().code == payload::payload_errc::invalid_input && !event.contains("data"))
        return unusable("the rule's SELECT does not give the decoder event (client_id, topic, data): " +
                        ref.error().message());
    const auto start = std::chrono::steady_clock::now();
    decoder_->invoke(
        event.dump(-1, ' ', false, njson::error_handler_t::replace), start + s_->cfg.timeout,
        [s = s_, in, ref = std::move(ref), start, done = std::move(done)](auth::backend_reply reply) mutable {
            const auto took = std::chrono::steady_clock::now() - start;
            // Compare on the engine's threads: the backend's I/O thread serves every call.
            asio::post(s->io, [s, in = std::move(in), ref = std::move(ref), reply = std::move(reply), took,
                               done = std::move(done)]() mutable {
                ++s->validated;
                const auto& m = *in->message;
                std::string outcome;
                if (reply.error == auth::backend_errc::timeout) {
                    outcome = s->timeout(m);
                } else if (reply.error != auth::backend_errc::none) {
                    // A decoder that raises on a payload the reference rejects too is right.
                    if (!ref && reply.error == auth::backend_errc::function_error) {
                        ++s->both_rejected;
                        outcome = s->match();
                    } else {
                        std::string detail = reply.detail;
                        if (!reply.log_lines.empty()) detail += " | log: " + reply.log_lines.back();
                        outcome = s->error(auth::to_string(reply.error), detail, m);
                    }
                } else {
                    s->latency->record(std::chrono::duration_cast<std::chrono::nanoseconds>(took));
                    try {
                        outcome = s->compare(ref, reply, *in);
                    } catch (const std::exception& e) {
                        outcome = s->error("compare_failed", e.what(), m);
                    }
                }
                // ok = matched; failed = mismatched + errors + timeouts (+ events it cannot use),
                // so the engine's line and this action's own counts add up the same way.
                done(std::move(outcome));
            });
        });
}

std::string validate_action::describe() const { return "validate " + s_->description; }

validate_counts validate_action::counts() const {
    validate_counts c;
    c.validated = s_->validated;
    c.matched = s_->matched;
    c.mismatched = s_->mismatched;
    c.errors = s_->errors;
    c.timeouts = s_->timeouts;
    c.both_rejected = s_->both_rejected;
    c.output_returned = s_->output_returned;
    c.output_logged = s_->output_logged;
    c.output_none = s_->output_none;
    for (std::size_t k = 0; k < validate_kind_count; ++k) c.by_kind[k] = s_->by_kind[k];
    {
        std::lock_guard lock(s_->m);
        c.errors_by_reason = s_->errors_by_reason;
    }
    const auto h = s_->latency->snapshot();
    c.latency_count = h.count();
    c.latency_p50_us = h.percentile_us(0.5);
    c.latency_p99_us = h.percentile_us(0.99);
    return c;
}

std::string validate_action::summary() const {
    const auto c = counts();
    std::string out = "messages validated " + std::to_string(c.validated) + ": matched " + std::to_string(c.matched);
    if (c.both_rejected) out += " (" + std::to_string(c.both_rejected) + " rejected by both)";
    out += ", mismatched " + std::to_string(c.mismatched) + ", errors " + std::to_string(c.errors) + ", timeouts " +
           std::to_string(c.timeouts) + "\n";
    if (c.mismatched) {
        out += "mismatched by kind:";
        for (std::size_t k = 0; k < validate_kind_count; ++k)
            if (c.by_kind[k]) out += " " + std::string(validate_kind_name(k)) + " " + std::to_string(c.by_kind[k]);
        out += "\n";
    }
    // Where the compared outputs came from: returned, or read from the call's log.
    if (const auto replies = c.output_returned + c.output_logged + c.output_none; replies) {
        using lo = validate_action_config::log_output;
        out += "decoder output: returned " + std::to_string(c.output_returned);
        if (s_->cfg.output_from_log == lo::off)
            out += ", none " + std::to_string(c.output_none) + " (output_from_log: off)";
        else
            out += ", from its log " + std::to_string(c.output_logged) + " (" +
                   (s_->cfg.output_from_log == lo::marker ? "the JSON after marker '" + s_->cfg.output_marker + "'"
                                                          : std::string("the last JSON object each call logged")) +
                   "), none " + std::to_string(c.output_none);
        out += "\n";
    }
    if (c.errors) {
        out += "errors by reason:";
        for (const auto& [reason, n] : c.errors_by_reason) out += " " + reason + " " + std::to_string(n);
        out += "\n";
    }
    // Call to reply, so it includes waiting for a free worker when messages arrive in bursts.
    out += "decoder latency: ";
    out += c.latency_count ? "p50 " + ms_text(c.latency_p50_us) + ", p99 " + ms_text(c.latency_p99_us) + " (" +
                                 std::to_string(c.latency_count) + " replies)"
                           : std::string("no replies");
    out += "\n";
    return out;
}

}  // namespace wv::rules_engine
