#include "auth/authorizer_backend.hpp"

namespace wv::auth {

const char* to_string(backend_errc e) noexcept {
    switch (e) {
    case backend_errc::none: return "none";
    case backend_errc::transport: return "transport";
    case backend_errc::function_error: return "function_error";
    case backend_errc::throttled: return "throttled";
    case backend_errc::timeout: return "timeout";
    case backend_errc::worker_crashed: return "worker_crashed";
    case backend_errc::overloaded: return "overloaded";
    case backend_errc::not_configured: return "not_configured";
    }
    return "unknown";
}

}  // namespace wv::auth
