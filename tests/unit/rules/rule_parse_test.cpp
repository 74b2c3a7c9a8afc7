#include <doctest/doctest.h>

#include "rules/rule.hpp"

using namespace wv::rules;

TEST_CASE("parse: the Wavelet rule of spec 6.1") {
    const auto r = parse_rule("SELECT clientid() as client_id, topic() as topic, encode(*, 'base64') as data,\n"
                              "       timestamp() as timestamp FROM 'wv/#'",
                              sql_version::v2016_03_23);
    REQUIRE_MESSAGE(r.ok(), r.error);
    CHECK(r.value->topic_filter() == "wv/#");
    CHECK(r.value->version() == sql_version::v2016_03_23);
}

TEST_CASE("parse: encode() is refused under 2015-10-08, AWS's default") {
    const auto r = parse_rule("SELECT encode(*, 'base64') AS data FROM 'wv/#'");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error_column == 8);
    CHECK(r.error == "column 8: encode() needs SQL version 2016-03-23 (awsIotSqlVersion); this rule uses 2015-10-08, "
                     "AWS's default when the version is omitted");
    CHECK(parse_rule("SELECT encode(*, 'base64') AS data FROM 'wv/#'", sql_version::beta).ok());
}

TEST_CASE("parse: bad SQL is refused with the column of the error") {
    struct row {
        const char* sql;
        std::size_t column;
        const char* message;
    };
    const row rows[] = {
        {"", 1, "expected SELECT, found end of statement"},
        {"SELEKT * FROM 'a'", 1, "expected SELECT, found 'SELEKT'"},
        {"SELECT * FORM 'a'", 10, "expected FROM, found 'FORM'"},
        {"SELECT * FROM a", 15, "expected the topic filter in single quotes after FROM, found 'a'"},
        {"SELECT * FROM 'a", 15, "unterminated string literal"},
        {"SELECT * FROM 'a/#/b'", 18, "'#' must be the last level of the topic filter"},
        {"SELECT * FROM 'a/b+'", 19, "'+' must occupy a whole topic level"},
        {"SELECT * FROM ''", 15, "the FROM topic filter is empty"},
        {"SELECT * FROM 'a' WHERE", 24, "expected a value, found end of statement"},
        {"SELECT * FROM 'a' WHERE x = ", 29, "expected a value, found end of statement"},
        {"SELECT * FROM 'a' WHERE (x = 1", 31, "expected ')', found end of statement"},
        {"SELECT * FROM 'a' WHERE x = 1 y", 31, "expected WHERE or the end of the statement, found 'y'"},
        {"SELECT * FROM 'a' WHERE 1 < 2 < 3", 31, "comparisons do not chain; use AND"},
        {"SELECT decode(a) FROM 'a'", 16, "expected ',' and the encoding, found ')'"},
        {"SELECT decode(a, 'hex') FROM 'a'", 18, "encoding 'hex' is not supported; AWS supports only 'base64'"},
        {"SELECT topic(0) FROM 'a'", 14, "topic(n) takes a level number from 1, found number 0"},
        {"SELECT topic('x') FROM 'a'", 14, "topic(n) takes a level number from 1, found string 'x'"},
        {"SELECT clientid(1) FROM 'a'", 17, "expected ')' (this function takes no arguments), found number 1"},
        {"SELECT a AS FROM 'a'", 13, "expected a name after AS, found 'FROM'"},
        {"SELECT a. FROM 'a'", 11, "expected a field name after '.', found 'FROM'"},
        {"SELECT a[x] FROM 'a'", 10, "expected an array index, found 'x'"},
        {"SELECT a, FROM 'a'", 11, "expected a value, found keyword FROM"},
        {"SELECT `a` FROM 'a'", 8, "backquoted identifiers are not supported; strings use single (or double) quotes"},
        {"SELECT * FROM 'a' WHERE a ! b", 27, "'!' must be followed by '=' (use NOT for negation)"},
        {"SELECT x FROM 'a' WHERE *", 25, "'*' is only allowed as a SELECT item or as encode(*, 'base64')"},
        {"SELECT a ; FROM 'a'", 10, "unexpected character ';'"},
    };
    for (const auto& r : rows) {
        const std::string sql = r.sql;
        CAPTURE(sql);
        const auto p = parse_rule(r.sql, sql_version::v2016_03_23);
        REQUIRE_FALSE(p.ok());
        CHECK(p.error_column == r.column);
        CHECK(p.error == "column " + std::to_string(r.column) + ": " + r.message);
    }
    const auto enc = parse_rule("SELECT encode(*, 'hex') FROM 'a'", sql_version::v2016_03_23);
    CHECK(enc.error == "column 18: encoding 'hex' is not supported; AWS supports only 'base64'");
}

TEST_CASE("parse: deep nesting is refused, not a stack overflow") {
    std::string sql = "SELECT * FROM 'a' WHERE " + std::string(100000, '(') + "1";
    const auto r = parse_rule(sql, sql_version::v2016_03_23);
    CHECK_FALSE(r.ok());
    CHECK(r.error.find("nested too deeply") != std::string::npos);
    std::string nots = "SELECT * FROM 'a' WHERE ";
    for (int i = 0; i < 100000; ++i) nots += "NOT ";
    CHECK(parse_rule(nots + "true", sql_version::v2016_03_23).error.find("nested too deeply") != std::string::npos);
}

TEST_CASE("SQL versions") {
    CHECK(parse_sql_version("2016-03-23") == sql_version::v2016_03_23);
    CHECK(parse_sql_version("2015-10-08") == sql_version::v2015_10_08);
    CHECK(parse_sql_version("beta") == sql_version::beta);
    CHECK_FALSE(parse_sql_version("2016"));
    CHECK(std::string(to_string(sql_version::v2016_03_23)) == "2016-03-23");
}
