#include "gateway/certificate_directory.hpp"

namespace wv::gate {

std::string_view to_string(certificate_status s) noexcept {
    switch (s) {
        case certificate_status::active: return "ACTIVE";
        case certificate_status::inactive: return "INACTIVE";
        case certificate_status::revoked: return "REVOKED";
        case certificate_status::pending_transfer: return "PENDING_TRANSFER";
        case certificate_status::pending_activation: return "PENDING_ACTIVATION";
        case certificate_status::register_inactive: return "REGISTER_INACTIVE";
    }
    return "UNKNOWN";
}

bool parse_certificate_status(std::string_view text, certificate_status& out) noexcept {
    for (auto s : {certificate_status::active, certificate_status::inactive, certificate_status::revoked,
                   certificate_status::pending_transfer, certificate_status::pending_activation,
                   certificate_status::register_inactive})
        if (text == to_string(s)) {
            out = s;
            return true;
        }
    return false;
}

std::string_view to_string(certificate_check c) noexcept {
    switch (c) {
        case certificate_check::active: return "ACTIVE";
        case certificate_check::unknown: return "UNKNOWN_CERTIFICATE";
        case certificate_check::inactive: return "INACTIVE";
        case certificate_check::revoked: return "REVOKED";
        case certificate_check::pending_activation: return "PENDING_ACTIVATION";
        case certificate_check::pending_transfer: return "PENDING_TRANSFER";
        case certificate_check::ca_inactive: return "CA_INACTIVE";
        case certificate_check::expired: return "EXPIRED";
    }
    return "UNKNOWN";
}

}  // namespace wv::gate
