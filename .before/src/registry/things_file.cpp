#include "registry/things_file.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "registry/registry.hpp"
#include "util/csv.hpp"

namespace wv::registry {
std::vector<thing> parse_things_csv(std::string_view text, const std::string& origin) {
    std::vector<thing> out;
    std::set<std::string> seen;
    std::vector<std::string> header;
    int line_no = 0;
    int name_col = -1, type_col = -1;
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos || line[line.find_first_not_of(" \t")] == '#')
            continue;
        const std::string where = origin + ":" + std::to_string(line_no) + ": ";
        auto record = util::split_csv_record(line);
        if (!record) throw std::runtime_error(where + "unterminated double quote");
        auto cells = std::move(*record);
        if (header.empty()) {
            header = cells;
            for (std::size_t i = 0; i < header.size(); ++i) {
                if (header[i] == "thingName") name_col = static_cast<int>(i);
                if (header[i] == "thingTypeName") type_col = static_cast<int>(i);
            }
            if (name_col < 0)
                throw std::runtime_error(
                    where + "the header must name a thingName column (e.g. thingName,UUID,SECRET_KEY)");
            continue;
        }
        if (cells.size() > header.size())
            throw std::runtime_error(where + std::to_string(cells.size()) + " cells but the header has " +
                                     std::to_string(header.size()));
        thing t;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            if (static_cast<int>(i) == name_col)
                t.name = cells[i];
            else if (static_cast<int>(i) == type_col)
                t.type = cells[i];
            else if (!cells[i].empty())
                t.attributes[header[i]] = cells[i];
        }
        if (t.name.empty()) throw std::runtime_error(where + "empty thingName");
        if (!seen.insert(t.name).second)
            throw std::runtime_error(where + "duplicate thingName '" + t.name + "'");
        out.push_back(std::move(t));
    }
    return out;
}

std::vector<thing> parse_things_yaml(const std::string& text, const std::string& origin) {
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw std::runtime_error(origin + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    const YAML::Node list = root.IsMap() ? root["things"] : root;
    if (!list || !list.IsSequence())
        throw std::runtime_error(origin + ":1: expected a list of things under `things:`");
    std::vector<thing> out;
    std::set<std::string> seen;
    for (const auto& n : list) {
        const std::string where = origin + ":" + std::to_string(n.Mark().line + 1) + ": ";
        if (!n.IsMap()) throw std::runtime_error(where + "each thing must be a map with thingName");
        thing t;
        if (!n["thingName"] || !n["thingName"].IsScalar() || n["thingName"].Scalar().empty())
            throw std::runtime_error(where + "missing thingName");
        t.name = n["thingName"].Scalar();
        if (!seen.insert(t.name).second)
            throw std::runtime_error(where + "duplicate thingName '" + t.name + "'");
        if (n["thingTypeName"]) t.type = n["thingTypeName"].Scalar();
        if (n["version"]) t.version = n["version"].as<std::int64_t>(1);
        if (const auto a = n["attributes"]) {
            if (!a.IsMap()) throw std::runtime_error(where + "attributes must be a map of name: value");
            for (const auto& kv : a) t.attributes[kv.first.Scalar()] = kv.second.Scalar();
        }
        out.push_back(std::move(t));
    }
    return out;
}

std::vector<thing> load_things(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error(file.string() + ": cannot open the things file");
    std::stringstream ss;
    ss << in.rdbuf();
    const auto ext = file.extension().string();
    return ext == ".yaml" || ext == ".yml" ? parse_things_yaml(ss.str(), file.string())
                                           : parse_things_csv(ss.str(), file.string());
}

void seed_things(registry& reg, const std::vector<thing>& things) {
    for (const auto& t : things) {
        if (!t.type.empty()) {
            auto tt = reg.create_thing_type(t.type, "", {});
            if (!tt && tt.err().code != errc::already_exists)
                throw std::runtime_error("thing type " + t.type + ": " + tt.err().message);
        }
        if (reg.describe_thing(t.name)) continue;
        auto r = reg.create_thing(t.name, t.type, t.attributes);
        if (!r) throw std::runtime_error("thing " + t.name + ": " + r.err().message);
    }
}

}  // namespace wv::registry
