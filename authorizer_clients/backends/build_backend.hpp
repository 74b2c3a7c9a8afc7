#pragma once
// Turns a backend_spec into a running backend (and, for a handler with `things:`, the local
// things registry it talks to). Throws std::runtime_error naming the authorizer and the
// problem (missing file, bad spec, no credentials for SigV4).
//
// Destroy order matters: the backend's workers call the registry, so `backend` is declared
// after `things_server` and is destroyed first.
#include <memory>

#include "auth/authorizer_backend.hpp"
#include "authorizer_clients/backends/backend_spec.hpp"
#include "authorizer_clients/registry_server/registry_server.hpp"

namespace wv::backends {

struct built_backend {
    std::unique_ptr<registry::registry_server> things_server{};  // only with handler + things
    std::shared_ptr<auth::authorizer_backend> backend{};
};

built_backend build_backend(backend_spec spec);

}  // namespace wv::backends
