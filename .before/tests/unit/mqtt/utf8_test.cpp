#include "unit/mqtt/wire.hpp"

#include "mqtt/utf8.hpp"

using namespace wv::mqtt;
using namespace wv::mqtt::test;
using namespace std::string_view_literals;

TEST_CASE("utf8: valid strings") {
    for (const auto s : {""sv, "a/b/c"sv, "caf\xc3\xa9"sv, "\xe2\x82\xac"sv, "\xf0\x9d\x84\x9e"sv,
                         "\xef\xbf\xbf"sv /* U+FFFF: a MAY, not a MUST */, "\x01\x1f\x7f"sv,
                         "\xf4\x8f\xbf\xbf"sv /* U+10FFFF */, "\xed\x9f\xbf"sv /* U+D7FF */,
                         "\xee\x80\x80"sv /* U+E000 */, "abcdefghijklmnopqrstuvwxyz0123456789"sv}) {
        CAPTURE(s);
        CHECK_FALSE(validate_utf8(s));
    }
}

TEST_CASE("utf8: each kind of invalid string has its error") {
    const struct {
        std::string_view s;
        mqtt_errc e;
    } table[] = {
        {"a\0b"sv, mqtt_errc::utf8_null},                          // U+0000 [MQTT-1.5.3-2]
        {"abcdefgh\0"sv, mqtt_errc::utf8_null},                    // after a fast-path block
        {"abcdefghijklmnop\0q"sv, mqtt_errc::utf8_null},
        {"\xc0\xaf"sv, mqtt_errc::utf8_overlong},                  // '/' in two bytes
        {"\xc1\xbf"sv, mqtt_errc::utf8_overlong},
        {"\xc0\x80"sv, mqtt_errc::utf8_overlong},                  // "modified UTF-8" NUL
        {"\xe0\x80\xaf"sv, mqtt_errc::utf8_overlong},              // '/' in three bytes
        {"\xe0\x9f\xbf"sv, mqtt_errc::utf8_overlong},              // U+07FF in three bytes
        {"\xf0\x80\x80\xaf"sv, mqtt_errc::utf8_overlong},          // '/' in four bytes
        {"\xf0\x8f\xbf\xbf"sv, mqtt_errc::utf8_overlong},          // U+FFFF in four bytes
        {"\xed\xa0\x80"sv, mqtt_errc::utf8_surrogate},             // U+D800
        {"\xed\xbf\xbf"sv, mqtt_errc::utf8_surrogate},             // U+DFFF
        {"\xed\xa0\xbd\xed\xb8\x80"sv, mqtt_errc::utf8_surrogate}, // CESU-8 pair
        {"\xf4\x90\x80\x80"sv, mqtt_errc::utf8_malformed},         // U+110000
        {"\xf5\x80\x80\x80"sv, mqtt_errc::utf8_malformed},
        {"\xff"sv, mqtt_errc::utf8_malformed},
        {"\x80"sv, mqtt_errc::utf8_malformed},                     // stray continuation
        {"abcdefgh\xbf"sv, mqtt_errc::utf8_malformed},
        {"\xc3"sv, mqtt_errc::utf8_malformed},                     // cut sequence
        {"\xe2\x82"sv, mqtt_errc::utf8_malformed},
        {"\xe2\x82z"sv, mqtt_errc::utf8_malformed},                // missing continuation
        {"\xf0\x9d\x84"sv, mqtt_errc::utf8_malformed},
    };
    for (const auto& row : table) CHECK_MESSAGE(validate_utf8(row.s) == row.e, std::string(row.s));
}

TEST_CASE("utf8: checked in every string field of every packet that has one") {
    // PUBLISH topic "a<NUL>"
    CHECK(first_error(bytes({0x30, 0x04, 0x00, 0x02, 'a', 0x00})) == mqtt_errc::utf8_null);
    // SUBSCRIBE filter with a surrogate
    CHECK(first_error(bytes({0x82, 0x08, 0x00, 0x01, 0x00, 0x03, 0xed, 0xa0, 0x80, 0x00})) ==
          mqtt_errc::utf8_surrogate);
    // UNSUBSCRIBE filter, overlong '/'
    CHECK(first_error(bytes({0xa2, 0x06, 0x00, 0x01, 0x00, 0x02, 0xc0, 0xaf})) == mqtt_errc::utf8_overlong);
    // CONNECT client id 0xff
    CHECK(first_error(bytes({0x10, 0x0d, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3c,
                             0x00, 0x01, 0xff})) == mqtt_errc::utf8_malformed);
    // CONNECT user name with NUL (flags: user name, clean)
    CHECK(first_error(bytes({0x10, 0x0f, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x82, 0x00, 0x3c,
                             0x00, 0x00, 0x00, 0x01, 0x00})) == mqtt_errc::utf8_null);
    // CONNECT will topic with a surrogate (flags: will, clean)
    CHECK(first_error(bytes({0x10, 0x13, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x06, 0x00, 0x3c,
                             0x00, 0x00, 0x00, 0x03, 0xed, 0xb0, 0x80, 0x00, 0x00})) == mqtt_errc::utf8_surrogate);
}
