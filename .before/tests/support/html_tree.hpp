#pragma once
// A strict little parser for the HTML and SVG our reports write, so tests can check structure
// instead of searching strings: every element closed in order (void HTML elements such as
// <meta> excepted), attributes quoted, entities well-formed. Throws std::runtime_error naming
// the offset on anything else. Not a general HTML parser: it accepts only what a well-formed
// report is.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wv::test {

struct html_node {
    std::string name;  // lower case; empty for the document root
    std::map<std::string, std::string> attrs;
    std::vector<std::unique_ptr<html_node>> children;
    std::string text;  // the text directly inside, entities decoded

    std::string attr(const std::string& k) const {
        const auto it = attrs.find(k);
        return it == attrs.end() ? std::string() : it->second;
    }
    bool has_class(const std::string& c) const;
    // All text below, concatenated.
    std::string all_text() const;
    // Every element below (depth first) with this name ("" any) and class ("" any).
    std::vector<const html_node*> find(const std::string& name, const std::string& cls = {}) const;
    // The first element below with this id, or nullptr.
    const html_node* by_id(const std::string& id) const;
};

std::unique_ptr<html_node> parse_html(std::string_view doc);

// The numbers of an attribute such as data-bbox='10 20 30 16' or points='1,2 3,4'.
std::vector<double> numbers(const std::string& s);

}  // namespace wv::test
