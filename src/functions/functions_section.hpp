#pragma once
// The `functions:` section of a YAML file (wvgate's config; wvauthz reads it too): each Lambda
// named once, in backend_spec's shape (config/authorizers/README.md), `backend: lambda` or
// `handler`, inheriting the file's `region` and `account` (the function's ARN's):
//
//   region: eu-central-1
//   account: "123456789012"
//   functions:
//     - name: ayyeka-authorizer        # Lambda's rule: 1-64 letters, digits, - or _
//       backend: handler
//       handler: python:authorizers/ayyeka_simple.py
//       timeout_ms: 3000               # the function's own timeout (Lambda's default)
//
// Errors (std::runtime_error) "<file>:<line>: functions[i].<key>: <problem>": not a list, a
// backend other than lambda/handler (static and registry belong on an authorizer), a name
// Lambda would refuse or one given twice, and every error of parse_backend_spec.
#include <filesystem>
#include <string>
#include <vector>

#include "functions/backend_spec.hpp"

namespace YAML {
class Node;
}

namespace wv::functions {

// `list` is the `functions:` node; `base` resolves relative paths; `file` names it in errors.
std::vector<backends::backend_spec> parse_functions_section(const YAML::Node& list, const std::string& region,
                                                            const std::string& account,
                                                            const std::filesystem::path& base, const std::string& file);

// A file's `functions:` section with its `region` and `account` (defaults us-east-1,
// 123456789012); empty when the file has none. Other keys are ignored.
std::vector<backends::backend_spec> load_functions_section(const std::filesystem::path& file);

}  // namespace wv::functions
