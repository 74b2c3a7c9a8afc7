#pragma once
// RegisterThing's last step: what an evaluated template plans, made real in the registry for
// one certificate: the thing (created, or updated as its OverrideSettings say), its groups,
// the policies (an existing one by name, or one made from an inline document) attached to the
// certificate, the thing attached to the certificate, the certificate's status.
//
// A thing that exists already is updated per property: DO_NOTHING leaves it, MERGE adds
// (attributes, groups), REPLACE overwrites, FAIL refuses the request if it differs. An inline
// policy is named after the SHA-256 of its document, so devices sharing a document share one
// policy. Not transactional: a failure half-way leaves what was done (the certificate stays
// PENDING_ACTIVATION, so the device cannot use it), as the error says.
#include <optional>
#include <string>

#include "provisioning/mqtt_api.hpp"
#include "provisioning/provisioning_template.hpp"
#include "registry/registry.hpp"

namespace wv::provisioning {

std::optional<api_error> apply_plan(registry::registry& reg, const plan& p, const std::string& certificate_id);

// A registry refusal as the MQTT API reports it.
api_error from_registry(const registry::error& e);

}  // namespace wv::provisioning
