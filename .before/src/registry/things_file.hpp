#pragma once
// A things file: names, types and attributes of things, read into the registry at start
// (an authorizer's `things:` file, the registry backend's CSV). Seeds like registry/seed.hpp
// but in the flat formats authorizers already use.
//
// CSV: a header row, then one thing per row. `thingName` is required, `thingTypeName` is
// optional, every other column is an attribute; an empty cell means the thing lacks it.
//
//   thingName,thingTypeName,UUID,SECRET_KEY
//   wavelet-0001,wavelet,2453AC035CBCBC9A,s3cret
//
// YAML:
//
//   things:
//     - thingName: wavelet-0001
//       thingTypeName: wavelet        # optional
//       attributes: {UUID: 2453AC035CBCBC9A, SECRET_KEY: s3cret}
//
// Errors: the parsers throw std::runtime_error "<file>:<line>: <problem>" for a missing or
// duplicate thingName, a row with more cells than the header, or bad YAML.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "registry/model.hpp"

namespace wv::registry {

class registry;

std::vector<thing> parse_things_csv(std::string_view text, const std::string& origin);
std::vector<thing> parse_things_yaml(const std::string& text, const std::string& origin);
// By extension: .yaml/.yml as YAML, anything else as CSV.
std::vector<thing> load_things(const std::filesystem::path& file);
// Creates each thing (and its thing type, when it names one) unless the registry has it.
// Throws std::runtime_error naming the thing when the registry refuses one.
void seed_things(registry& reg, const std::vector<thing>& things);

}  // namespace wv::registry
