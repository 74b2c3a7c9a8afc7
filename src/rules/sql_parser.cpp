// The IoT SQL recursive-descent parser (over sql_lexer.hpp). Every failure carries the byte
// offset of the token that caused it; rule_parse_result turns it into a 1-based column.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "rules/sql_ast.hpp"
#include "rules/sql_lexer.hpp"

namespace wv::rules {

std::optional<sql_version> parse_sql_version(std::string_view s) {
    if (s == "2015-10-08") return sql_version::v2015_10_08;
    if (s == "2016-03-23") return sql_version::v2016_03_23;
    if (s == "beta") return sql_version::beta;
    return std::nullopt;
}

const char* to_string(sql_version v) noexcept {
    switch (v) {
    case sql_version::v2015_10_08: return "2015-10-08";
    case sql_version::v2016_03_23: return "2016-03-23";
    case sql_version::beta: return "beta";
    }
    return "unknown";
}

namespace {

bool is_keyword(std::string_view u) {
    return u == "SELECT" || u == "FROM" || u == "WHERE" || u == "AS" || u == "AND" || u == "OR" || u == "NOT" ||
           u == "CASE" || u == "WHEN" || u == "THEN" || u == "ELSE" || u == "END";
}

bool is_comparison(const token& t) {
    return t.kind == tok::op && (t.text == "=" || t.text == "<>" || t.text == "!=" || t.text == "<" ||
                                 t.text == "<=" || t.text == ">" || t.text == ">=");
}

// Nesting limit: keeps a hostile `((((...` from exhausting the stack.
constexpr int max_depth = 200;

class parser {
public:
    parser(std::vector<token> toks, sql_version v) : t_(std::move(toks)), version_(v) {}

    std::unique_ptr<compiled_rule> parse_statement() {
        auto r = std::make_unique<compiled_rule>();
        r->version = version_;
        expect_keyword("SELECT");
        if (at_select_value()) {
            // SELECT VALUE expr: the output is the value itself, not an object around it.
            ++p_;
            r->select_value = true;
            if (peek().kind == tok::star) fail(peek(), "SELECT VALUE takes an expression, not '*' (SELECT * already gives the payload)");
            select_item it;
            it.expr = parse_expr(0);
            r->items.push_back(std::move(it));
            if (peek_keyword("AS")) fail(peek(), "SELECT VALUE gives the value itself: it has no name to set with AS");
            if (peek().kind == tok::comma) fail(peek(), "SELECT VALUE takes exactly one expression");
        } else {
            do {
                r->items.push_back(parse_item(r->items.size()));
            } while (accept(tok::comma));
        }
        expect_keyword("FROM");
        const auto& f = peek();
        if (f.kind != tok::string) fail(f, "expected the topic filter in single quotes after FROM, found " + describe_token(f));
        check_filter(f);
        r->from = f.text;
        ++p_;
        if (accept_keyword("WHERE")) r->where = parse_expr(0);
        if (peek().kind != tok::end) fail(peek(), "expected WHERE or the end of the statement, found " + describe_token(peek()));
        return r;
    }

private:
    const token& peek() const { return t_[p_]; }
    const token& peek_next() const { return t_[std::min(p_ + 1, t_.size() - 1)]; }

    // VALUE is not reserved (a payload may have a field called "value"): it starts SELECT
    // VALUE only when an expression follows it.
    bool at_select_value() const {
        if (!peek_keyword("VALUE")) return false;
        const auto& n = peek_next();
        switch (n.kind) {
        case tok::ident: return ascii_upper(n.text) != "FROM" && ascii_upper(n.text) != "AS";
        case tok::string:
        case tok::number:
        case tok::lparen: return true;
        default: return false;  // `SELECT value - 1` is the field "value" minus 1
        }
    }
    [[noreturn]] void fail(const token& t, std::string m) { throw parse_failure{t.pos, std::move(m)}; }
    bool accept(tok k) {
        if (peek().kind != k) return false;
        ++p_;
        return true;
    }
    void expect(tok k, const char* what) {
        if (!accept(k)) fail(peek(), std::string("expected ") + what + ", found " + describe_token(peek()));
    }
    bool peek_keyword(std::string_view kw) const { return peek().kind == tok::ident && ascii_upper(peek().text) == kw; }
    bool accept_keyword(std::string_view kw) {
        if (!peek_keyword(kw)) return false;
        ++p_;
        return true;
    }
    void expect_keyword(std::string_view kw) {
        if (!accept_keyword(kw)) fail(peek(), "expected " + std::string(kw) + ", found " + describe_token(peek()));
    }

    void check_filter(const token& f) {
        const auto& s = f.text;
        if (s.empty()) fail(f, "the FROM topic filter is empty");
        for (std::size_t i = 0; i < s.size(); ++i) {
            const bool level_start = i == 0 || s[i - 1] == '/';
            const bool level_end = i + 1 == s.size() || s[i + 1] == '/';
            if (s[i] == '+' && !(level_start && level_end))
                throw parse_failure{f.pos + 1 + i, "'+' must occupy a whole topic level"};
            if (s[i] == '#' && !(level_start && i + 1 == s.size()))
                throw parse_failure{f.pos + 1 + i, "'#' must be the last level of the topic filter"};
        }
    }

    select_item parse_item(std::size_t index) {
        select_item it;
        if (accept(tok::star)) {
            it.star = true;
            return it;
        }
        it.expr = parse_expr(0);
        if (accept_keyword("AS")) {
            const auto& n = peek();
            if (n.kind != tok::ident || is_keyword(ascii_upper(n.text))) fail(n, "expected a name after AS, found " + describe_token(n));
            it.name = n.text;
            ++p_;
        } else if ((it.expr->kind == node_kind::path || it.expr->kind == node_kind::member) && !it.expr->path.empty()) {
            for (const auto& s : it.expr->path)
                if (!s.name.empty()) it.name = s.name;
        } else if (it.expr->kind == node_kind::call) {
            static const char* const names[] = {"clientid", "topic",  "timestamp",           "principal",
                                                "encode",   "traceid", "decode", "get_user_properties",
                                                "get_mqtt_property"};
            it.name = names[static_cast<int>(it.expr->fn)];
        } else if (it.expr->kind == node_kind::builtin) {
            it.name = it.expr->builtin->name;
        } else {
            it.name = "_" + std::to_string(index + 1);
        }
        return it;
    }

    std::unique_ptr<node> parse_expr(int depth) { return parse_or(depth + 1); }

    std::unique_ptr<node> binary(node_kind k, std::unique_ptr<node> a, std::unique_ptr<node> b) {
        auto n = std::make_unique<node>();
        n->kind = k;
        n->args.push_back(std::move(a));
        n->args.push_back(std::move(b));
        return n;
    }

    // A chain `a + b + c ...` builds a left-deep tree that evaluation walks recursively:
    // bound its length as nesting is bounded.
    void count_link(int& links) {
        if (++links > max_depth) fail(peek(), "expression nested too deeply");
    }

    std::unique_ptr<node> parse_or(int depth) {
        auto left = parse_and(depth);
        for (int links = 0; accept_keyword("OR");) {
            count_link(links);
            left = binary(node_kind::logic_or, std::move(left), parse_and(depth));
        }
        return left;
    }
    std::unique_ptr<node> parse_and(int depth) {
        auto left = parse_not(depth);
        for (int links = 0; accept_keyword("AND");) {
            count_link(links);
            left = binary(node_kind::logic_and, std::move(left), parse_not(depth));
        }
        return left;
    }
    std::unique_ptr<node> parse_not(int depth) {
        if (depth > max_depth) fail(peek(), "expression nested too deeply");
        if (accept_keyword("NOT")) {
            auto n = std::make_unique<node>();
            n->kind = node_kind::logic_not;
            n->args.push_back(parse_not(depth + 1));
            return n;
        }
        return parse_cmp(depth);
    }
    // Precedence (AWS does not document it; standard SQL's): unary minus, then * / %, then
    // + -, then comparisons, NOT, AND, OR; binary operators associate to the left.
    std::unique_ptr<node> parse_cmp(int depth) {
        auto left = parse_additive(depth);
        if (is_comparison(peek())) {
            const auto o = peek().text;
            ++p_;
            auto n = binary(node_kind::compare, std::move(left), parse_additive(depth));
            n->op = o == "=" ? cmp_op::eq : (o == "<>" || o == "!=") ? cmp_op::ne : o == "<" ? cmp_op::lt
                  : o == "<=" ? cmp_op::le : o == ">" ? cmp_op::gt : cmp_op::ge;
            if (is_comparison(peek())) fail(peek(), "comparisons do not chain; use AND");
            return n;
        }
        return left;
    }
    std::unique_ptr<node> arith(arith_op op, std::unique_ptr<node> a, std::unique_ptr<node> b) {
        auto n = binary(node_kind::arith, std::move(a), std::move(b));
        n->aop = op;
        return n;
    }
    std::unique_ptr<node> parse_additive(int depth) {
        auto left = parse_multiplicative(depth);
        for (int links = 0; peek().kind == tok::op && (peek().text == "+" || peek().text == "-");) {
            count_link(links);
            const auto op = peek().text == "+" ? arith_op::add : arith_op::sub;
            ++p_;
            left = arith(op, std::move(left), parse_multiplicative(depth));
        }
        return left;
    }
    std::unique_ptr<node> parse_multiplicative(int depth) {
        auto left = parse_unary(depth);
        for (int links = 0;;) {
            arith_op op;
            if (peek().kind == tok::star) op = arith_op::mul;
            else if (peek().kind == tok::op && peek().text == "/") op = arith_op::div;
            else if (peek().kind == tok::op && peek().text == "%") op = arith_op::mod;
            else break;
            count_link(links);
            ++p_;
            left = arith(op, std::move(left), parse_unary(depth));
        }
        return left;
    }
    std::unique_ptr<node> parse_unary(int depth) {
        if (depth > max_depth) fail(peek(), "expression nested too deeply");
        if (!(peek().kind == tok::op && peek().text == "-")) {
            auto p = parse_primary(depth);
            if (peek().kind != tok::dot && peek().kind != tok::lbracket) return p;  // (a).b: a path, parenthesised
            auto m = std::make_unique<node>();
            m->kind = node_kind::member;
            m->args.push_back(std::move(p));
            parse_path_steps(*m);
            return m;
        }
        ++p_;
        auto operand = parse_unary(depth + 1);
        // -5 and -2.5 are literals, as they were before '-' became an operator.
        if (operand->kind == node_kind::literal && operand->literal.is_number_integer() &&
            operand->literal.get<std::int64_t>() != std::numeric_limits<std::int64_t>::min()) {
            operand->literal = -operand->literal.get<std::int64_t>();
            return operand;
        }
        if (operand->kind == node_kind::literal && operand->literal.is_number_float()) {
            operand->literal = -operand->literal.get<double>();
            return operand;
        }
        auto n = std::make_unique<node>();
        n->kind = node_kind::negate;
        n->args.push_back(std::move(operand));
        return n;
    }

    std::unique_ptr<node> parse_primary(int depth) {
        if (depth > max_depth) fail(peek(), "expression nested too deeply");
        const token t = peek();
        auto n = std::make_unique<node>();
        switch (t.kind) {
        case tok::lparen: {
            ++p_;
            auto inner = parse_expr(depth + 1);
            expect(tok::rparen, "')'");
            return inner;
        }
        case tok::string:
            ++p_;
            n->literal = t.text;
            return n;
        case tok::number: {
            ++p_;
            std::int64_t i = 0;
            const auto [ptr, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), i);
            if (ec == std::errc{} && ptr == t.text.data() + t.text.size()) {
                n->literal = i;
            } else {
                double d = 0;
                const auto [p2, ec2] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), d);
                if (ec2 != std::errc{} || p2 != t.text.data() + t.text.size() || !std::isfinite(d))
                    fail(t, "number " + t.text + " is out of range");
                n->literal = d;
            }
            return n;
        }
        case tok::lbracket:
        case tok::lbrace: return parse_json_literal(depth);
        case tok::ident: break;
        case tok::star: fail(t, "'*' is only allowed as a SELECT item or as encode(*, 'base64')");
        default: fail(t, "expected a value, found " + describe_token(t));
        }
        const auto u = ascii_upper(t.text);
        if (u == "TRUE" || u == "FALSE") {
            ++p_;
            n->literal = u == "TRUE";
            return n;
        }
        if (u == "NULL") {
            ++p_;
            n->literal = nullptr;
            return n;
        }
        if (u == "CASE") return parse_case(depth);
        if (is_keyword(u)) fail(t, "expected a value, found keyword " + u);
        ++p_;
        if (peek().kind == tok::lparen) return parse_call(t, u, depth);
        n->kind = node_kind::path;
        n->path.push_back({t.text, 0});
        parse_path_steps(*n);
        return n;
    }

    // `.name` and `[index]` steps after a field, or after any value (AWS's decode example:
    // decode(encoded_temp, 'base64').temperature).
    void parse_path_steps(node& n) {
        while (true) {
            if (accept(tok::dot)) {
                const auto& m = peek();
                if (m.kind != tok::ident || is_keyword(ascii_upper(m.text)))
                    fail(m, "expected a field name after '.', found " + describe_token(m));
                n.path.push_back({m.text, 0});
                ++p_;
            } else if (accept(tok::lbracket)) {
                const auto& ix = peek();
                std::size_t v = 0;
                const auto [ptr, ec] = std::from_chars(ix.text.data(), ix.text.data() + ix.text.size(), v);
                if (ix.kind != tok::number || ec != std::errc{} || ptr != ix.text.data() + ix.text.size())
                    fail(ix, "expected an array index, found " + describe_token(ix));
                ++p_;
                expect(tok::rbracket, "']'");
                n.path.push_back({"", v});
            } else {
                break;
            }
        }
    }

    // [expr, ...] and {'key': expr, ...}: AWS's JSON literals ("Literals" page), SQL V2 only.
    std::unique_ptr<node> parse_json_literal(int depth) {
        const token open = peek();
        if (!version_at_least(version_, sql_version::v2016_03_23))
            fail(open, "JSON literals ([...], {...}) need SQL version 2016-03-23 (awsIotSqlVersion); this rule uses " +
                           std::string(to_string(version_)));
        ++p_;
        const bool is_array = open.kind == tok::lbracket;
        const auto close = is_array ? tok::rbracket : tok::rbrace;
        auto n = std::make_unique<node>();
        n->kind = is_array ? node_kind::array_of : node_kind::object_of;
        if (accept(close)) return n;
        do {
            if (!is_array) {
                const auto& k = peek();
                if (k.kind != tok::string) fail(k, "expected a key in quotes, found " + describe_token(k));
                n->keys.push_back(k.text);
                ++p_;
                expect(tok::colon, "':'");
            }
            n->args.push_back(parse_expr(depth + 1));
        } while (accept(tok::comma));
        expect(close, is_array ? "',' or ']'" : "',' or '}'");
        return n;
    }

    // CASE v WHEN t THEN r ... [ELSE e] END (AWS's "Case statements" page: the simple form only).
    std::unique_ptr<node> parse_case(int depth) {
        ++p_;
        if (peek_keyword("WHEN"))
            fail(peek(), "AWS's CASE compares one value: CASE <value> WHEN <value> THEN ...; for conditions write "
                         "CASE true WHEN <condition> THEN ... END");
        auto n = std::make_unique<node>();
        n->kind = node_kind::case_of;
        n->args.push_back(parse_expr(depth + 1));
        if (!peek_keyword("WHEN")) fail(peek(), "expected WHEN (CASE needs at least one), found " + describe_token(peek()));
        while (accept_keyword("WHEN")) {
            n->args.push_back(parse_expr(depth + 1));
            expect_keyword("THEN");
            n->args.push_back(parse_expr(depth + 1));
        }
        if (accept_keyword("ELSE")) {
            n->has_else = true;
            n->args.push_back(parse_expr(depth + 1));
        }
        expect_keyword("END");
        return n;
    }

    // cast(expr AS type): the type keywords AWS lists for this SQL version.
    std::unique_ptr<node> parse_cast(int depth) {
        auto n = std::make_unique<node>();
        n->kind = node_kind::cast;
        n->args.push_back(parse_expr(depth + 1));
        expect_keyword("AS");
        const auto& t = peek();
        const auto u = t.kind == tok::ident ? ascii_upper(t.text) : std::string();
        const bool v2 = version_at_least(version_, sql_version::v2016_03_23);
        if (u == "STRING" || u == "NVARCHAR" || u == "TEXT" || u == "NTEXT" || u == "VARCHAR") n->cast_to = cast_type::string;
        else if (u == "INT" || u == "INTEGER") n->cast_to = cast_type::integer;
        else if (u == "DOUBLE") n->cast_to = cast_type::decimal;
        else if (u == "DECIMAL" || u == "BOOL" || u == "BOOLEAN") {
            if (!v2)
                fail(t, "cast(... AS " + t.text + ") needs SQL version 2016-03-23; 2015-10-08 casts only to String, "
                        "Int or Double");
            n->cast_to = u == "DECIMAL" ? cast_type::decimal : cast_type::boolean;
        } else {
            fail(t, "expected a cast type (String, Int, Double" + std::string(v2 ? ", Decimal, Bool" : "") +
                        "), found " + describe_token(t));
        }
        ++p_;
        expect(tok::rparen, "')'");
        return n;
    }

    std::unique_ptr<node> parse_builtin(const token& name, const builtin_function& f, int depth) {
        if (!version_at_least(version_, f.since))
            fail(name, std::string(f.name) + "() needs SQL version " + to_string(f.since) + " (awsIotSqlVersion); this rule uses " +
                           to_string(version_));
        auto n = std::make_unique<node>();
        n->kind = node_kind::builtin;
        n->builtin = &f;
        if (!accept(tok::rparen)) {
            do {
                n->args.push_back(parse_expr(depth + 1));
            } while (accept(tok::comma));
            expect(tok::rparen, "',' or ')'");
        }
        const auto count = n->args.size();
        if (count < f.min_args || (f.max_args != any_args && count > f.max_args)) {
            const auto want = f.min_args == f.max_args ? std::to_string(f.min_args)
                            : f.max_args == any_args   ? std::to_string(f.min_args) + " or more"
                                                       : std::to_string(f.min_args) + " to " + std::to_string(f.max_args);
            fail(name, std::string(f.name) + "() takes " + want + " argument" + (want == "1" ? "" : "s") + ", found " +
                           std::to_string(count));
        }
        return n;
    }

    std::unique_ptr<node> parse_call(const token& name, const std::string& u, int depth) {
        auto n = std::make_unique<node>();
        n->kind = node_kind::call;
        expect(tok::lparen, "'('");
        auto no_args = [&] { expect(tok::rparen, "')' (this function takes no arguments)"); };
        if (u == "CLIENTID") n->fn = function::clientid, no_args();
        else if (u == "TIMESTAMP") n->fn = function::timestamp, no_args();
        else if (u == "PRINCIPAL") n->fn = function::principal, no_args();
        else if (u == "TRACEID") n->fn = function::traceid, no_args();
        else if (u == "TOPIC") {
            n->fn = function::topic;
            if (!accept(tok::rparen)) {
                const auto& a = peek();
                std::size_t level = 0;
                const auto [ptr, ec] = std::from_chars(a.text.data(), a.text.data() + a.text.size(), level);
                if (a.kind != tok::number || ec != std::errc{} || ptr != a.text.data() + a.text.size() || level == 0)
                    fail(a, "topic(n) takes a level number from 1, found " + describe_token(a));
                n->topic_level = level;
                ++p_;
                expect(tok::rparen, "')'");
            }
        } else if (u == "ENCODE") {
            n->fn = function::encode;
            if (version_ == sql_version::v2015_10_08)
                fail(name, "encode() needs SQL version 2016-03-23 (awsIotSqlVersion); this rule uses 2015-10-08, "
                           "AWS's default when the version is omitted");
            if (accept(tok::star)) {
                auto s = std::make_unique<node>();
                s->kind = node_kind::star;
                n->args.push_back(std::move(s));
            } else {
                n->args.push_back(parse_expr(depth + 1));
            }
            expect(tok::comma, "',' and the encoding");
            const auto& enc = peek();
            if (enc.kind != tok::string) fail(enc, "expected the encoding as a string ('base64'), found " + describe_token(enc));
            if (enc.text != "base64") fail(enc, "encoding '" + enc.text + "' is not supported; AWS supports only 'base64'");
            ++p_;
            expect(tok::rparen, "')'");
        } else if (u == "DECODE") {
            n->fn = function::decode;
            n->args.push_back(parse_expr(depth + 1));
            expect(tok::comma, "',' and the encoding");
            const auto& enc = peek();
            if (enc.kind != tok::string) fail(enc, "expected the encoding as a string ('base64'), found " + describe_token(enc));
            if (enc.text != "base64") fail(enc, "encoding '" + enc.text + "' is not supported; AWS supports only 'base64'");
            ++p_;
            expect(tok::rparen, "')'");
        } else if (u == "GET_USER_PROPERTIES") {
            n->fn = function::get_user_properties;
            if (!accept(tok::rparen)) {
                n->args.push_back(parse_expr(depth + 1));
                expect(tok::rparen, "')' (get_user_properties takes at most one argument, the name)");
            }
        } else if (u == "GET_MQTT_PROPERTY") {
            n->fn = function::get_mqtt_property;
            n->args.push_back(parse_expr(depth + 1));
            expect(tok::rparen, "')' (get_mqtt_property takes one argument: 'format_indicator', 'content_type', "
                                "'response_topic' or 'correlation_data')");
        } else if (u == "GET_USER_PROPERTY") {
            fail(name, "unknown function " + name.text + "(); AWS's is get_user_properties('<name>')");
        } else if (u == "CAST") {
            return parse_cast(depth);
        } else if (const auto* f = find_builtin(name.text)) {
            return parse_builtin(name, *f, depth);
        } else {
            fail(name, "unknown or unsupported function " + name.text + "(); supported: " + supported_functions() +
                           " (see config/rules/README.md)");
        }
        return n;
    }

    std::vector<token> t_;
    std::size_t p_ = 0;
    sql_version version_;
};

std::size_t column_of(std::string_view sql, std::size_t pos) { return std::min(pos, sql.size()) + 1; }

}  // namespace

std::unique_ptr<compiled_rule> compile_rule(std::string_view sql, sql_version v, std::size_t& error_column,
                                            std::string& error) {
    try {
        parser p{lex_sql(sql), v};
        auto r = p.parse_statement();
        r->sql = std::string(sql);
        return r;
    } catch (const parse_failure& f) {
        error_column = column_of(sql, f.pos);
        error = "column " + std::to_string(error_column) + ": " + f.message;
        return nullptr;
    }
}

}  // namespace wv::rules
