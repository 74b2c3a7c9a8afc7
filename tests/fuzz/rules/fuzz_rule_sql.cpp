// libFuzzer target: rule SQL comes from config files users write.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rules/rule.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view sql(reinterpret_cast<const char*>(data), size);
    const auto r = wv::rules::parse_rule(sql, wv::rules::sql_version::v2016_03_23);
    if (!r.ok()) {
        if (r.error_column == 0 || r.error_column > sql.size() + 1) __builtin_trap();
        return 0;
    }
    const wv::rules::message json_msg{.topic = "wv/dev-1/1/samp/p1", .payload = R"({"a":{"b":[1,"x",true,null]},"t":2.5})",
                                      .client_id = "dev-1", .principal = "dev1", .timestamp_ms = 1, .trace_id = "t", .properties = {}};
    (void)r.value->evaluate(json_msg);
    wv::rules::message bin = json_msg;
    bin.payload = std::string("\x0a\x00\xff", 3);
    (void)r.value->evaluate(bin);
    return 0;
}
