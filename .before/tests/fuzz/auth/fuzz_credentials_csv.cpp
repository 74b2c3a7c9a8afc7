// libFuzzer target: the credentials CSV (wvsim --credentials, wvauthz, the registry backend)
// is a file users write by hand and generate with scripts. Errors are std::runtime_error with
// a file:line; anything else (a crash, another exception, a row that breaks the invariants)
// is a finding.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "auth/credentials_csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto t = wv::auth::parse_credentials_csv(text, "fuzz.csv");
        if (!t.has("akid") || !t.has("username") || !t.has("password")) __builtin_trap();
        int last_line = 0;
        for (const auto& r : t.rows) {
            if (r.akid.empty() || r.akid.size() > 128 || r.username.empty() || r.line <= last_line) __builtin_trap();
            last_line = r.line;
        }
    } catch (const std::runtime_error& e) {
        if (std::string_view(e.what()).substr(0, 9) != "fuzz.csv:") __builtin_trap();  // names the file
    }
    return 0;
}
