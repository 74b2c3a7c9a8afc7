// The IoT SQL lexer: identifiers, numbers, quoted strings, punctuation and operators.
#include "rules/sql_lexer.hpp"

namespace wv::rules {

namespace {

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string ascii_upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

std::vector<token> lex_sql(std::string_view s) {
    std::vector<token> out;
    std::size_t i = 0;
    while (true) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
        token t;
        t.pos = i;
        if (i >= s.size()) {
            out.push_back(t);
            return out;
        }
        const char c = s[i];
        if (is_ident_start(c)) {
            while (i < s.size() && is_ident_char(s[i])) ++i;
            t.kind = tok::ident;
            t.text = std::string(s.substr(t.pos, i - t.pos));
        } else if (is_digit(c)) {
            // A leading '-' is the unary minus operator; the parser folds it into a literal.
            ++i;
            while (i < s.size() && is_digit(s[i])) ++i;
            if (i < s.size() && s[i] == '.' && i + 1 < s.size() && is_digit(s[i + 1])) {
                ++i;
                while (i < s.size() && is_digit(s[i])) ++i;
            }
            if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
                std::size_t j = i + 1;
                if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
                if (j < s.size() && is_digit(s[j])) {
                    i = j;
                    while (i < s.size() && is_digit(s[i])) ++i;
                }
            }
            t.kind = tok::number;
            t.text = std::string(s.substr(t.pos, i - t.pos));
        } else if (c == '\'' || c == '"') {
            // AWS's own examples write strings in either quote (concat("con", "cat"),
            // decode(x, "base64")); the quote doubled stands for itself.
            ++i;
            t.kind = tok::string;
            bool closed = false;
            while (i < s.size()) {
                if (s[i] == c) {
                    if (i + 1 < s.size() && s[i + 1] == c) {
                        t.text += c;
                        i += 2;
                        continue;
                    }
                    ++i;
                    closed = true;
                    break;
                }
                t.text += s[i++];
            }
            if (!closed) throw parse_failure{t.pos, "unterminated string literal"};
        } else {
            ++i;
            switch (c) {
            case '*': t.kind = tok::star; break;
            case ',': t.kind = tok::comma; break;
            case '.': t.kind = tok::dot; break;
            case '(': t.kind = tok::lparen; break;
            case ')': t.kind = tok::rparen; break;
            case '[': t.kind = tok::lbracket; break;
            case ']': t.kind = tok::rbracket; break;
            case '{': t.kind = tok::lbrace; break;
            case '}': t.kind = tok::rbrace; break;
            case ':': t.kind = tok::colon; break;
            case '=': t.kind = tok::op, t.text = "="; break;
            case '<':
            case '>':
            case '!':
                t.kind = tok::op;
                t.text = std::string(1, c);
                if (i < s.size() && (s[i] == '=' || (c == '<' && s[i] == '>'))) t.text += s[i++];
                if (t.text == "!") throw parse_failure{t.pos, "'!' must be followed by '=' (use NOT for negation)"};
                break;
            case '+':
            case '-':
            case '/':
            case '%': t.kind = tok::op, t.text = std::string(1, c); break;
            case '|':
                throw parse_failure{t.pos, "operator '|' is not AWS IoT SQL; use concat(a, b) or a + b for strings"};
            case '`':
                throw parse_failure{t.pos, "backquoted identifiers are not supported; strings use single (or double) quotes"};
            default:
                throw parse_failure{t.pos, std::string("unexpected character '") + c + "'"};
            }
        }
        out.push_back(std::move(t));
    }
}

std::string describe_token(const token& t) {
    switch (t.kind) {
    case tok::end: return "end of statement";
    case tok::ident: return "'" + t.text + "'";
    case tok::string: return "string '" + t.text + "'";
    case tok::number: return "number " + t.text;
    case tok::star: return "'*'";
    case tok::comma: return "','";
    case tok::dot: return "'.'";
    case tok::lparen: return "'('";
    case tok::rparen: return "')'";
    case tok::lbracket: return "'['";
    case tok::rbracket: return "']'";
    case tok::lbrace: return "'{'";
    case tok::rbrace: return "'}'";
    case tok::colon: return "':'";
    case tok::op: return "'" + t.text + "'";
    case tok::error: return "error";
    }
    return "?";
}

}  // namespace wv::rules
