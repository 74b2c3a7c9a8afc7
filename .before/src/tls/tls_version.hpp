#pragma once
// TLS protocol versions the transport speaks; anything older is refused.
#include <string_view>

namespace wv::tls {

enum class tls_version { tls1_2, tls1_3 };

// "1.2" / "1.3" (also "tls1.2", "tlsv1.3"); false for anything else.
bool parse_tls_version(std::string_view s, tls_version& out);

}  // namespace wv::tls
