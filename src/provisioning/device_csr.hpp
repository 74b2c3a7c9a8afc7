#pragma once
// The device's side of CreateCertificateFromCsr: a fresh key pair that never leaves the device
// and a CSR for it (what wvsim's onboarding devices and the tests send).
// Throws std::runtime_error naming the OpenSSL step that failed. Thread-safe.
#include <string>
#include <string_view>

namespace wv::provisioning {

enum class device_key_type { ec_p256, rsa_2048 };

struct device_csr {
    std::string private_key_pem;  // PKCS#8
    std::string csr_pem;
};

// Subject CN=<common_name>; signed with SHA-256.
device_csr make_device_csr(std::string_view common_name, device_key_type type = device_key_type::ec_p256);

}  // namespace wv::provisioning
