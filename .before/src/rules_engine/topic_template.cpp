#include "rules_engine/topic_template.hpp"

#include <stdexcept>

namespace wv::rules_engine {

topic_template::topic_template(std::string_view text, rules::sql_version v) {
    std::string literal;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto open = text.find("${", i);
        if (open == std::string_view::npos) {
            literal.append(text.substr(i));
            break;
        }
        literal.append(text.substr(i, open - i));
        const auto close = text.find('}', open + 2);
        if (close == std::string_view::npos)
            throw std::invalid_argument("template '" + std::string(text) + "': '${' at " + std::to_string(open + 1) +
                                        " is never closed");
        const auto expr = text.substr(open + 2, close - open - 2);
        auto r = rules::parse_rule("SELECT " + std::string(expr) + " AS v FROM '#'", v);
        if (!r.ok())
            throw std::invalid_argument("template '" + std::string(text) + "': ${" + std::string(expr) + "}: " + r.error);
        if (!literal.empty()) parts_.emplace_back(std::move(literal));
        literal.clear();
        parts_.emplace_back(std::move(*r.value));
        i = close + 1;
    }
    if (!literal.empty()) parts_.emplace_back(std::move(literal));
}

std::string topic_template::expand(const rules::message& m) const {
    std::string out;
    for (const auto& p : parts_) {
        if (const auto* s = std::get_if<std::string>(&p)) {
            out += *s;
            continue;
        }
        const auto r = std::get<rules::rule>(p).evaluate(m);
        if (!r || !r->value.contains("v")) continue;
        const auto& v = r->value["v"];
        out += v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, rules::json::error_handler_t::replace);
    }
    return out;
}

bool topic_template::is_literal() const noexcept {
    for (const auto& p : parts_)
        if (!std::holds_alternative<std::string>(p)) return false;
    return true;
}

}  // namespace wv::rules_engine
