#pragma once
// "python:path/lambda_function.py[:handler]" and "node:path/index.js[:handler]": how users
// name a handler file on the command line and in config.
#include <filesystem>
#include <string>
#include <string_view>

namespace wv::handler {

enum class runtime { python, node };

struct handler_spec {
    runtime rt = runtime::python;
    std::filesystem::path file;
    std::string function;  // default: lambda_handler (python), handler (node), as Lambda's console does
};

// Throws std::invalid_argument naming the problem: unknown runtime, empty path, bad handler name.
// Does not touch the file system.
handler_spec parse_handler_spec(std::string_view spec);

const char* to_string(runtime r) noexcept;

}  // namespace wv::handler
