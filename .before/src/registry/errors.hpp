#pragma once
// What a registry operation can refuse, named after the AWS IoT error type the control plane
// answers with (botocore's iot 2015-05-28 model), so one place decides both.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace wv::registry {

enum class errc {
    invalid_request,               // 400 InvalidRequestException
    not_found,                     // 404 ResourceNotFoundException
    already_exists,                // 409 ResourceAlreadyExistsException
    certificate_state,             // 406 CertificateStateException
    certificate_validation,        // 400 CertificateValidationException
    certificate_conflict,          // 409 CertificateConflictException
    delete_conflict,               // 409 DeleteConflictException
    malformed_policy,              // 400 MalformedPolicyException
    version_conflict,              // 409 VersionConflictException
    registration_code_validation,  // 400 RegistrationCodeValidationException
    versions_limit_exceeded,       // 409 VersionsLimitExceededException
    sql_parse,                     // 400 SqlParseException
    limit_exceeded,                // 410 LimitExceededException
    internal,                      // 500 InternalFailureException (the store failed)
};

// AWS's error type name ("ResourceNotFoundException") and HTTP status for an errc.
std::string_view error_type(errc e);
unsigned http_status(errc e);

struct error {
    errc code = errc::internal;
    std::string message;
};

// A value or the reason there is none.
template <class T>
class outcome {
public:
    outcome(T v) : v_(std::move(v)) {}                 // NOLINT: implicit on purpose
    outcome(error e) : v_(std::move(e)) {}              // NOLINT
    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(v_); }
    const T& value() const { return std::get<0>(v_); }
    const error& err() const { return std::get<1>(v_); }

private:
    std::variant<T, error> v_;
};

// For operations that return nothing: empty when it worked.
using status = std::optional<error>;

inline error fail(errc c, std::string message) { return error{c, std::move(message)}; }

}  // namespace wv::registry
