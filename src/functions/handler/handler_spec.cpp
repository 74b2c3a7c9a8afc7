#include "functions/handler/handler_spec.hpp"

#include <cctype>
#include <stdexcept>

namespace wv::handler {

const char* to_string(runtime r) noexcept { return r == runtime::python ? "python" : "node"; }

handler_spec parse_handler_spec(std::string_view spec) {
    const auto colon = spec.find(':');
    if (colon == std::string_view::npos)
        throw std::invalid_argument("handler '" + std::string(spec) +
                                    "': expected python:FILE[:FUNCTION] or node:FILE[:FUNCTION]");
    handler_spec out;
    const std::string_view rt = spec.substr(0, colon);
    if (rt == "python" || rt == "python3" || rt == "py") out.rt = runtime::python;
    else if (rt == "node" || rt == "nodejs" || rt == "js") out.rt = runtime::node;
    else throw std::invalid_argument("handler '" + std::string(spec) + "': unknown runtime '" + std::string(rt) +
                                     "' (python or node)");
    std::string_view rest = spec.substr(colon + 1);
    // The function name follows the last ':' only if it looks like an identifier, so a path
    // with a colon in it still works when no function is given.
    const auto last = rest.rfind(':');
    if (last != std::string_view::npos) {
        const std::string_view fn = rest.substr(last + 1);
        bool ident = !fn.empty() && !std::isdigit(static_cast<unsigned char>(fn[0]));
        for (char c : fn) ident = ident && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$');
        if (!ident) throw std::invalid_argument("handler '" + std::string(spec) + "': '" + std::string(fn) +
                                                "' is not a function name");
        out.function = std::string(fn);
        rest = rest.substr(0, last);
    } else {
        out.function = out.rt == runtime::python ? "lambda_handler" : "handler";
    }
    if (rest.empty()) throw std::invalid_argument("handler '" + std::string(spec) + "': no file given");
    out.file = std::string(rest);
    return out;
}

}  // namespace wv::handler
