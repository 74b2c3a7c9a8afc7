#include "registry/errors.hpp"

namespace wv::registry {

std::string_view error_type(errc e) {
    switch (e) {
        case errc::invalid_request: return "InvalidRequestException";
        case errc::not_found: return "ResourceNotFoundException";
        case errc::already_exists: return "ResourceAlreadyExistsException";
        case errc::certificate_state: return "CertificateStateException";
        case errc::certificate_validation: return "CertificateValidationException";
        case errc::certificate_conflict: return "CertificateConflictException";
        case errc::delete_conflict: return "DeleteConflictException";
        case errc::malformed_policy: return "MalformedPolicyException";
        case errc::version_conflict: return "VersionConflictException";
        case errc::registration_code_validation: return "RegistrationCodeValidationException";
        case errc::versions_limit_exceeded: return "VersionsLimitExceededException";
        case errc::sql_parse: return "SqlParseException";
        case errc::limit_exceeded: return "LimitExceededException";
        case errc::internal: return "InternalFailureException";
    }
    return "InternalFailureException";
}

// The httpStatusCode botocore's model gives each error shape.
unsigned http_status(errc e) {
    switch (e) {
        case errc::not_found: return 404;
        case errc::already_exists:
        case errc::certificate_conflict:
        case errc::delete_conflict:
        case errc::version_conflict:
        case errc::versions_limit_exceeded: return 409;
        case errc::certificate_state: return 406;
        case errc::limit_exceeded: return 410;
        case errc::internal: return 500;
        default: return 400;
    }
}

}  // namespace wv::registry
