#include "functions/functions_section.hpp"

#include <yaml-cpp/yaml.h>

#include <stdexcept>

#include "functions/function_registry.hpp"

namespace wv::functions {
namespace {

std::runtime_error section_error(const std::string& file, const YAML::Node& n, const std::string& path,
                                 const std::string& what) {
    const int line = n.IsDefined() && n.Mark().line >= 0 ? n.Mark().line + 1 : 1;
    return std::runtime_error(file + ":" + std::to_string(line) + ": " + path + ": " + what);
}

}  // namespace

std::vector<backends::backend_spec> parse_functions_section(const YAML::Node& list, const std::string& region,
                                                            const std::string& account,
                                                            const std::filesystem::path& base, const std::string& file) {
    if (!list.IsSequence())
        throw section_error(file, list, "functions", "expected a list of {name, backend: lambda | handler, ...}");
    std::vector<backends::backend_spec> out;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string path = "functions[" + std::to_string(i) + "]";
        YAML::Node entry = list[i];
        if (!entry.IsMap()) throw section_error(file, entry, path, "expected a mapping with name and backend");
        // Nodes are handles into the document: keys added here keep the others' lines.
        if (!entry["region"]) entry["region"] = region;
        if (!entry["account"]) entry["account"] = account;
        auto spec = backends::parse_backend_spec(entry, base, file, path + ".");
        if (spec.kind != backends::backend_kind::lambda && spec.kind != backends::backend_kind::handler)
            throw section_error(file, entry["backend"], path + ".backend",
                                std::string("a function is lambda or handler, not ") + backends::to_string(spec.kind) +
                                    " (static and registry are built into authorizers: put backend: " +
                                    backends::to_string(spec.kind) + " on the authorizer itself)");
        if (!is_function_name(spec.name))
            throw section_error(file, entry["name"], path + ".name",
                                "'" + spec.name + "' is not a Lambda function name (1 to 64 letters, digits, - or _)");
        for (const auto& f : out)
            if (f.name == spec.name)
                throw section_error(file, entry["name"], path + ".name", "'" + spec.name + "' is defined twice");
        out.push_back(std::move(spec));
    }
    return out;
}

std::vector<backends::backend_spec> load_functions_section(const std::filesystem::path& file) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(file.string());
    } catch (const YAML::BadFile&) {
        throw std::runtime_error(file.string() + ": cannot open");
    } catch (const YAML::Exception& e) {
        throw std::runtime_error(file.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    if (!root.IsMap() || !root["functions"]) return {};
    const auto text = [&](const char* key, const char* fallback) {
        return root[key] && root[key].IsScalar() ? root[key].Scalar() : std::string(fallback);
    };
    return parse_functions_section(root["functions"], text("region", "us-east-1"), text("account", "123456789012"),
                                   file.parent_path(), file.string());
}

}  // namespace wv::functions
