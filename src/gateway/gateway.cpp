#include "gateway/gateway.hpp"

#include <stdexcept>

namespace wv::gate {

struct gateway::impl {
    gateway_config config;
    counters stats;
};

gateway::gateway(gateway_config config) : impl_(std::make_unique<impl>()) {
    impl_->config = std::move(config);
}
gateway::~gateway() { stop(); }

void gateway::start() { throw std::runtime_error("wvgate: gateway::start is not implemented yet"); }
void gateway::stop() {}
void gateway::wait() {}
std::vector<bound_listener> gateway::listeners() const { return {}; }
certificate_paths gateway::certificates() const { return {}; }
gateway_stats gateway::stats() const { return impl_->stats.snapshot(); }
std::string gateway::metrics_text() const { return {}; }
const gateway_config& gateway::config() const { return impl_->config; }

}  // namespace wv::gate
