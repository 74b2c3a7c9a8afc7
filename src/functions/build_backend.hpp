#pragma once
// Turns a backend_spec into a running backend. Throws std::runtime_error naming the
// authorizer and the problem (missing file, bad spec, no credentials for SigV4).
//
// A handler function's boto3 `iot` client is pointed at a local AWS IoT control plane
// (src/control_plane): the host's one when `iot` names it (wvgate passes its registry and
// control-plane URL, so there is one registry, and the spec's `things:` file seeds it),
// otherwise, when the spec has a `things:` file, one hosted here over a registry seeded
// from that file (wvauthz).
//
// Destroy order matters: the backend's workers call the control plane, so `backend` is
// declared after `things_server` and `things` and is destroyed first.
#include <memory>
#include <string>

#include "auth/authorizer_backend.hpp"
#include "functions/backend_spec.hpp"
#include "control_plane/control_plane_server.hpp"
#include "registry/registry.hpp"

namespace wv::backends {

// The control plane a host already runs (both set) or none (both empty).
struct local_iot {
    registry::registry* reg = nullptr;
    std::string url{};
};

struct built_backend {
    std::unique_ptr<registry::registry> things{};                            // hosted here: handler + things
    std::unique_ptr<control_plane::control_plane_server> things_server{};    // hosted here: handler + things
    std::shared_ptr<auth::authorizer_backend> backend{};
};

built_backend build_backend(backend_spec spec, const local_iot& iot = {});

}  // namespace wv::backends
