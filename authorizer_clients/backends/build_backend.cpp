#include "authorizer_clients/backends/build_backend.hpp"

#include <stdexcept>

#include "authorizer_clients/registry_server/things_registry.hpp"
#include "authorizer_clients/sigv4/credentials.hpp"

namespace wv::backends {

built_backend build_backend(backend_spec spec) {
    built_backend out;
    const std::string who = "authorizer " + spec.name + ": ";
    try {
        switch (spec.kind) {
            case backend_kind::static_credentials:
                out.backend = std::make_shared<auth::static_backend>(std::move(spec.credentials));
                break;
            case backend_kind::registry:
                out.backend = std::make_shared<auth::registry_backend>(auth::load_registry_csv(spec.registry_file),
                                                                       spec.registry);
                break;
            case backend_kind::lambda:
                if (!spec.profile.empty()) spec.lambda.credentials = sigv4::load_credentials({.profile = spec.profile});
                out.backend = lambda_http::make_lambda_backend(std::move(spec.lambda));
                break;
            case backend_kind::handler:
                if (!spec.things_file.empty()) {
                    auto things = std::make_shared<const registry::things_registry>(registry::load_things(spec.things_file));
                    out.things_server = std::make_unique<registry::registry_server>(
                        things, registry::server_options{.api = {.region = spec.region, .account_id = spec.account}});
                    spec.handler.iot_endpoint_url = out.things_server->url();
                }
                out.backend = handler::make_handler_backend(std::move(spec.handler));
                break;
        }
    } catch (const std::exception& e) {
        throw std::runtime_error(who + e.what());
    }
    return out;
}

}  // namespace wv::backends
