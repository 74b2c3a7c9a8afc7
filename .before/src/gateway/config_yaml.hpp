#pragma once
// wvgate's YAML configuration (config/wvgate.yaml is the commented example) parsed into
// gateway_config. Unknown keys are errors (a typo must not silently fall back to a default).
// Policy documents may be given inline (a JSON string or a YAML mapping) or as a file path,
// relative to the configuration file's directory.
//
// Errors: throws config_error whose what() is "<file>:<line>: <key path>: <problem>".
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "gateway/gateway_config.hpp"

namespace wv::gate {

class config_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

gateway_config load_gateway_config(const std::filesystem::path& file);
// `name` is used in messages; relative policy paths resolve against `base_dir`.
gateway_config parse_gateway_config(std::string_view yaml_text, const std::string& name,
                                    const std::filesystem::path& base_dir);

listener_kind parse_listener_kind(std::string_view s);  // throws std::invalid_argument
log_level parse_log_level(std::string_view s);          // throws std::invalid_argument

}  // namespace wv::gate
