#pragma once
// The things an offline AWS IoT registry holds: names, types, attributes. Loaded once from a
// file, then read-only (safe to share between threads).
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
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wv::registry {

struct thing {
    std::string name{};
    std::string type{};  // empty: no thing type
    std::map<std::string, std::string> attributes{};
    std::int64_t version = 1;
};

struct list_query {
    std::optional<std::string> attribute_name{};
    std::optional<std::string> attribute_value{};
    bool prefix_value = false;  // usePrefixAttributeValue
    std::optional<std::string> thing_type{};
    std::size_t offset = 0;     // decoded from nextToken
    std::size_t max_results = 50;
};

struct list_page {
    std::vector<const thing*> things;
    std::optional<std::size_t> next_offset;  // more results from here
};

class things_registry {
public:
    things_registry() = default;
    explicit things_registry(std::vector<thing> things);  // throws std::invalid_argument on duplicates

    // Things in name order that match every filter given.
    list_page list(const list_query& q) const;
    const thing* find(std::string_view name) const;
    std::size_t size() const { return things_.size(); }

private:
    std::vector<thing> things_;  // sorted by name
};

std::vector<thing> parse_things_csv(std::string_view text, const std::string& origin);
std::vector<thing> parse_things_yaml(const std::string& text, const std::string& origin);
// By extension: .yaml/.yml as YAML, anything else as CSV.
std::vector<thing> load_things(const std::filesystem::path& file);

}  // namespace wv::registry
