#pragma once
// The gateway's metrics in the one registry its /metrics page renders (metrics::registry):
//   wvgate_*           the gateway's tallies (gateway_stats.hpp counters, read when scraped),
//                      the authorizer latency summary, per-authorizer service figures
//   wv_rules_*         the topic rules engine's, registered by the engine itself when it is
//                      given the same registry (rules_engine::engine_hooks::metrics)
// One registry, one renderer: gateway::metrics_text() is registry::render().
//
//   metrics::registry reg;
//   register_gateway_metrics(reg, stats, {"auth"}, [&](const std::string& n) { return find_service(n); });
//   rules_engine::engine rules(cfg, {.republish = ..., .metrics = &reg});
//   std::string page = reg.render();
//
// Threading: rendering reads relaxed atomics and calls `service` under the registry's mutex;
// `service` must not call back into the registry. Everything passed must outlive `reg`'s
// render() calls (a service that is gone answers nullptr and reads as 0).
#include <functional>
#include <string>
#include <vector>

#include "auth/authorizer_service.hpp"
#include "gateway/gateway_stats.hpp"
#include "metrics/registry.hpp"

namespace wv::gate {

using authorizer_service_lookup = std::function<const auth::authorizer_service*(const std::string& name)>;

void register_gateway_metrics(metrics::registry& reg, const counters& stats,
                              const std::vector<std::string>& authorizer_names, authorizer_service_lookup service);

}  // namespace wv::gate
