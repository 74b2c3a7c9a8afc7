#include <doctest/doctest.h>

#include "util/csv.hpp"

using wv::util::split_csv_record;
using fields = std::vector<std::string>;

TEST_CASE("csv: plain fields are trimmed, empty fields kept") {
    CHECK(split_csv_record("a,b,c") == fields{"a", "b", "c"});
    CHECK(split_csv_record(" a ,\tb\t, c\r") == fields{"a", "b", "c"});
    CHECK(split_csv_record("a,,") == fields{"a", "", ""});
    CHECK(split_csv_record("") == fields{""});
}

TEST_CASE("csv: quoted fields keep commas, edge spaces and doubled quotes") {
    CHECK(split_csv_record(R"("a,b","  p w  ",x)") == fields{"a,b", "  p w  ", "x"});
    CHECK(split_csv_record(R"("say ""hi""",y)") == fields{R"(say "hi")", "y"});
    CHECK(split_csv_record(R"( "q" ,z)") == fields{"q", "z"});  // spaces outside the quotes go
    CHECK(split_csv_record(R"("",e)") == fields{"", "e"});
}

TEST_CASE("csv: a quote inside an unquoted field is text; an open quote is an error") {
    CHECK(split_csv_record(R"(ab"c,d)") == fields{R"(ab"c)", "d"});
    CHECK_FALSE(split_csv_record(R"("open,d)").has_value());
    CHECK_FALSE(split_csv_record(R"(a,"x"")").has_value());  // "" is a quote: still open
    CHECK(split_csv_record(R"(a,"x""")") == fields{"a", R"(x")"});
}
