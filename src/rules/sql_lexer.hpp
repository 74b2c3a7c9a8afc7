#pragma once
// Internal: the IoT SQL lexer. Every token and failure carries its byte offset, which the
// parser turns into the 1-based column of its errors.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace wv::rules {

enum class tok { end, ident, string, number, star, comma, dot, lparen, rparen, lbracket, rbracket, lbrace, rbrace, colon, op, error };

struct token {
    tok kind = tok::end;
    std::string text;      // identifier (as written), string value, number text, operator
    std::size_t pos = 0;
};

struct parse_failure {
    std::size_t pos;
    std::string message;
};

// Throws parse_failure on an unterminated string or a character IoT SQL does not use.
std::vector<token> lex_sql(std::string_view s);
// "'FROM'", "string 'x'", "end of statement": how an error names a token.
std::string describe_token(const token& t);
std::string ascii_upper(std::string_view s);

}  // namespace wv::rules
