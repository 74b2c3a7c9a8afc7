#include "functions/build_backend.hpp"

#include <stdexcept>

#include "registry/things_file.hpp"
#include "sigv4/credentials.hpp"

namespace wv::backends {

built_backend build_backend(backend_spec spec, const local_iot& iot) {
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
                if (iot.reg) {
                    if (!spec.things_file.empty()) registry::seed_things(*iot.reg, registry::load_things(spec.things_file));
                    spec.handler.iot_endpoint_url = iot.url;
                } else if (!spec.things_file.empty()) {
                    out.things = std::make_unique<registry::registry>(
                        registry::registry_options{.acct = {.region = spec.region, .id = spec.account}});
                    registry::seed_things(*out.things, registry::load_things(spec.things_file));
                    out.things_server = std::make_unique<control_plane::control_plane_server>(*out.things);
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
