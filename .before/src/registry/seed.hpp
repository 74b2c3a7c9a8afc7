#pragma once
// Seed files: a registry's contents in YAML (or JSON), for reproducible tests and demos, and
// the export that writes the same format back (`wvgate registry-export`).
//
//   thingTypes:   [{thingTypeName: wavelet, thingTypeDescription: "..."}]
//   thingGroups:  [{thingGroupName: plant-a, things: [dev1]}]
//   things:       [{thingName: dev1, thingTypeName: wavelet, attributes: {model: w1}}]
//   policies:     [{policyName: dev, policyDocument: {Version: "2012-10-17", Statement: [...]}}]
//                 # policyDocument: a map, or the JSON text; attach with `targets:` (ARNs)
//   caCertificates: [{certificatePem: "-----BEGIN...", status: ACTIVE, autoRegistrationStatus: ENABLE}]
//   certificates: [{certificatePem: "-----BEGIN..."  # or certificateFile: dev1.crt (relative to the seed)
//                   status: ACTIVE, policies: [dev], things: [dev1]}]
//   topicRules:   [{ruleName: r, topicRulePayload: {sql: "SELECT * FROM 'a'", actions: []}}]
//
// Seeding adds what is missing and leaves what the registry already has (a restart with the
// same seed changes nothing); an exported file seeds an empty registry to the same state.
// Errors: std::runtime_error "<file>: <where>: <problem>" (bad YAML, a certificate that does
// not parse, a policy AWS would reject, an attachment to something missing).
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace wv::registry {

class registry;

// Reads a seed file (YAML or JSON) into the JSON document registry::import() takes;
// certificateFile entries are read and replaced by certificatePem.
nlohmann::json load_seed_file(const std::filesystem::path& file);
// Seeds `reg` from a file; throws naming the file and the entry on the first problem.
void seed_registry(registry& reg, const std::filesystem::path& file);
// The registry's whole state as a seed file (YAML).
std::string export_seed_yaml(const registry& reg);

}  // namespace wv::registry
