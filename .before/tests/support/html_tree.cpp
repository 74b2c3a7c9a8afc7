#include "support/html_tree.hpp"

#include <cctype>
#include <cstdlib>
#include <functional>
#include <set>
#include <stdexcept>

namespace wv::test {

namespace {
const std::set<std::string> void_elements = {"meta", "br", "hr", "img", "input", "link", "wbr"};

std::runtime_error error(std::size_t at, const std::string& what) {
    return std::runtime_error("html: at offset " + std::to_string(at) + ": " + what);
}

std::string decode(std::string_view s, std::size_t base) {
    std::string o;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '&') {
            o += s[i];
            continue;
        }
        const auto semi = s.find(';', i);
        if (semi == std::string_view::npos) throw error(base + i, "'&' without ';'");
        const auto ent = s.substr(i + 1, semi - i - 1);
        if (ent == "lt") o += '<';
        else if (ent == "gt") o += '>';
        else if (ent == "amp") o += '&';
        else if (ent == "quot") o += '"';
        else if (ent == "#39" || ent == "apos") o += '\'';
        else throw error(base + i, "unknown entity &" + std::string(ent) + ";");
        i = semi;
    }
    return o;
}
}  // namespace

bool html_node::has_class(const std::string& c) const {
    const auto cls = attr("class");
    std::size_t i = 0;
    while (i < cls.size()) {
        auto j = cls.find(' ', i);
        if (j == std::string::npos) j = cls.size();
        if (cls.compare(i, j - i, c) == 0 && j - i == c.size()) return true;
        i = j + 1;
    }
    return false;
}

std::string html_node::all_text() const {
    std::string o = text;
    for (const auto& c : children) o += c->all_text();
    return o;
}

std::vector<const html_node*> html_node::find(const std::string& n, const std::string& cls) const {
    std::vector<const html_node*> out;
    std::function<void(const html_node&)> walk = [&](const html_node& x) {
        for (const auto& c : x.children) {
            if ((n.empty() || c->name == n) && (cls.empty() || c->has_class(cls))) out.push_back(c.get());
            walk(*c);
        }
    };
    walk(*this);
    return out;
}

const html_node* html_node::by_id(const std::string& id) const {
    for (const auto* x : find(""))
        if (x->attr("id") == id) return x;
    return nullptr;
}

std::unique_ptr<html_node> parse_html(std::string_view d) {
    auto root = std::make_unique<html_node>();
    std::vector<html_node*> stack{root.get()};
    std::size_t i = 0;
    bool raw = false;  // inside <style>: text up to </style>
    while (i < d.size()) {
        if (raw) {
            const auto end = d.find("</style>", i);
            if (end == std::string_view::npos) throw error(i, "<style> not closed");
            stack.back()->text += std::string(d.substr(i, end - i));
            i = end;
            raw = false;
            continue;
        }
        if (d[i] != '<') {
            const auto next = d.find('<', i);
            const auto end = next == std::string_view::npos ? d.size() : next;
            const auto t = d.substr(i, end - i);
            if (t.find('>') != std::string_view::npos) throw error(i, "a bare '>' in text");
            stack.back()->text += decode(t, i);
            i = end;
            continue;
        }
        if (d.substr(i, 4) == "<!--") {
            const auto end = d.find("-->", i);
            if (end == std::string_view::npos) throw error(i, "comment not closed");
            i = end + 3;
            continue;
        }
        if (d.substr(i, 2) == "<!") {
            const auto end = d.find('>', i);
            if (end == std::string_view::npos) throw error(i, "declaration not closed");
            i = end + 1;
            continue;
        }
        if (d.substr(i, 2) == "</") {
            const auto end = d.find('>', i);
            if (end == std::string_view::npos) throw error(i, "end tag not closed");
            std::string name(d.substr(i + 2, end - i - 2));
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (stack.size() < 2 || stack.back()->name != name)
                throw error(i, "</" + name + "> closes <" + (stack.size() < 2 ? std::string("nothing") : stack.back()->name) + ">");
            stack.pop_back();
            i = end + 1;
            continue;
        }
        // A start tag.
        std::size_t j = i + 1;
        while (j < d.size() && (std::isalnum(static_cast<unsigned char>(d[j])) || d[j] == '-' || d[j] == ':')) ++j;
        auto node = std::make_unique<html_node>();
        node->name = std::string(d.substr(i + 1, j - i - 1));
        for (auto& c : node->name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (node->name.empty()) throw error(i, "'<' not starting a tag (escape it as &lt;)");
        bool self_closing = false;
        for (;;) {
            while (j < d.size() && std::isspace(static_cast<unsigned char>(d[j]))) ++j;
            if (j >= d.size()) throw error(i, "tag not closed");
            if (d[j] == '>') {
                ++j;
                break;
            }
            if (d.substr(j, 2) == "/>") {
                self_closing = true;
                j += 2;
                break;
            }
            const auto k0 = j;
            while (j < d.size() && !std::isspace(static_cast<unsigned char>(d[j])) && d[j] != '=' && d[j] != '>' && d[j] != '/') ++j;
            const std::string key(d.substr(k0, j - k0));
            if (key.empty()) throw error(j, "bad attribute in <" + node->name + ">");
            if (j < d.size() && d[j] == '=') {
                ++j;
                if (j >= d.size() || (d[j] != '\'' && d[j] != '"')) throw error(j, "unquoted value of " + key);
                const char q = d[j];
                const auto end = d.find(q, j + 1);
                if (end == std::string_view::npos) throw error(j, "value of " + key + " not closed");
                const auto v = d.substr(j + 1, end - j - 1);
                if (v.find('<') != std::string_view::npos) throw error(j, "'<' in the value of " + key);
                if (node->attrs.count(key)) throw error(k0, "attribute " + key + " twice");
                node->attrs[key] = decode(v, j + 1);
                j = end + 1;
            } else {
                node->attrs[key] = "";
            }
        }
        auto* raw_ptr = node.get();
        stack.back()->children.push_back(std::move(node));
        if (!self_closing && !void_elements.count(raw_ptr->name)) {
            stack.push_back(raw_ptr);
            if (raw_ptr->name == "style") raw = true;
        }
        i = j;
    }
    if (stack.size() != 1) throw error(d.size(), "<" + stack.back()->name + "> never closed");
    return root;
}

std::vector<double> numbers(const std::string& s) {
    std::vector<double> out;
    const char* p = s.c_str();
    while (*p) {
        char* end = nullptr;
        const double v = std::strtod(p, &end);
        if (end == p) {
            ++p;
            continue;
        }
        out.push_back(v);
        p = end;
    }
    return out;
}

}  // namespace wv::test
