#include "tls/certificate.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace wv::tls {
namespace {

std::string openssl_reason() {
    std::string out;
    if (const auto e = ERR_peek_last_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        out = buf;
    }
    ERR_clear_error();
    return out.empty() ? "unknown OpenSSL error" : out;
}

// AWS's attribute names (cert-policy-variables) and their OpenSSL NIDs.
struct name_attr {
    std::string_view aws;
    int nid;
};
constexpr std::array<name_attr, 14> name_attrs{{
    {"CommonName", NID_commonName},
    {"Organization", NID_organizationName},
    {"OrganizationalUnit", NID_organizationalUnitName},
    {"Country", NID_countryName},
    {"State", NID_stateOrProvinceName},
    {"Locality", NID_localityName},
    {"SerialNumber", NID_serialNumber},
    {"DistinguishedNameQualifier", NID_dnQualifier},
    {"Title", NID_title},
    {"Surname", NID_surname},
    {"GivenName", NID_givenName},
    {"Initials", NID_initials},
    {"Pseudonym", NID_pseudonym},
    {"GenerationQualifier", NID_generationQualifier},
}};

std::vector<std::string> name_values(const X509_NAME* name, std::string_view aws) {
    std::vector<std::string> out;
    int nid = NID_undef;
    for (const auto& a : name_attrs)
        if (a.aws == aws) nid = a.nid;
    if (nid == NID_undef || !name) return out;
    for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0; i = X509_NAME_get_index_by_NID(name, nid, i)) {
        const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
        unsigned char* utf8 = nullptr;
        const int n = ASN1_STRING_to_UTF8(&utf8, s);
        if (n >= 0) out.emplace_back(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));
        OPENSSL_free(utf8);
    }
    return out;
}

std::string name_text(const X509_NAME* name) {
    BIO* bio = BIO_new(BIO_s_mem());
    if (!bio) return {};
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string out(data, n > 0 ? static_cast<std::size_t>(n) : 0);
    BIO_free(bio);
    return out;
}

std::vector<std::string> alt_names(X509* x, int ext_nid, std::string_view aws) {
    std::vector<std::string> out;
    auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, ext_nid, nullptr, nullptr));
    if (!names) return out;
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
        auto text = [](const ASN1_STRING* s) {
            return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                               static_cast<std::size_t>(ASN1_STRING_length(s)));
        };
        if (g->type == GEN_EMAIL && aws == "RFC822Name") out.push_back(text(g->d.rfc822Name));
        else if (g->type == GEN_DNS && aws == "DNSName") out.push_back(text(g->d.dNSName));
        else if (g->type == GEN_URI && aws == "UniformResourceIdentifier") out.push_back(text(g->d.uniformResourceIdentifier));
        else if (g->type == GEN_DIRNAME && aws == "DirectoryName") out.push_back(name_text(g->d.directoryName));
        else if (g->type == GEN_IPADD && aws == "IPAddress") {
            const auto* ip = g->d.iPAddress;
            const auto* b = ASN1_STRING_get0_data(ip);
            char buf[64] = {};
            if (ASN1_STRING_length(ip) == 4) {
                std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
                out.emplace_back(buf);
            } else if (ASN1_STRING_length(ip) == 16) {
                std::string s;
                for (int k = 0; k < 16; k += 2) {
                    std::snprintf(buf, sizeof buf, "%s%x", k ? ":" : "", (b[k] << 8) | b[k + 1]);
                    s += buf;
                }
                out.push_back(std::move(s));
            }
        }
    }
    GENERAL_NAMES_free(names);
    return out;
}

std::chrono::system_clock::time_point to_time(const ASN1_TIME* t) {
    struct tm tm {};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return {};
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace

struct certificate::impl {
    X509* x = nullptr;
    std::vector<unsigned char> der;
    std::string id;
    ~impl() { X509_free(x); }
};

namespace {
std::shared_ptr<const certificate::impl> make_impl(X509* owned, std::string& error) {
    auto p = std::make_shared<certificate::impl>();
    p->x = owned;
    unsigned char* buf = nullptr;
    const int n = i2d_X509(owned, &buf);
    if (n <= 0) {
        error = "cannot encode the certificate as DER: " + openssl_reason();
        return nullptr;
    }
    p->der.assign(buf, buf + n);
    OPENSSL_free(buf);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(p->der.data(), p->der.size(), md, &len, EVP_sha256(), nullptr) != 1) {
        error = "SHA-256 failed: " + openssl_reason();
        return nullptr;
    }
    static constexpr char hex[] = "0123456789abcdef";
    p->id.reserve(len * 2);
    for (unsigned i = 0; i < len; ++i) {
        p->id.push_back(hex[md[i] >> 4]);
        p->id.push_back(hex[md[i] & 15]);
    }
    return p;
}
}  // namespace

certificate::parsed certificate::from_der(std::span<const unsigned char> der) {
    parsed out;
    const unsigned char* p = der.data();
    X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
    if (!x) {
        out.error = "not a DER X.509 certificate: " + openssl_reason();
        return out;
    }
    if (p != der.data() + der.size()) {
        X509_free(x);
        out.error = "not a DER X.509 certificate: " + std::to_string(der.data() + der.size() - p) +
                    " bytes after the certificate";
        return out;
    }
    if (auto impl = make_impl(x, out.error)) out.value = certificate(std::move(impl));
    return out;
}

certificate::parsed certificate::from_pem(std::string_view pem) {
    auto [all, error] = all_from_pem(pem);
    parsed out;
    if (!error.empty()) out.error = std::move(error);
    else if (all.empty()) out.error = "no -----BEGIN CERTIFICATE----- block";
    else out.value = std::move(all.front());
    return out;
}

std::pair<std::vector<certificate>, std::string> certificate::all_from_pem(std::string_view pem) {
    std::vector<certificate> out;
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    if (!bio) return {out, "out of memory"};
    for (;;) {
        X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
        if (!x) {
            const auto e = ERR_peek_last_error();
            const bool end = ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
            std::string reason = end ? "" : openssl_reason();
            ERR_clear_error();
            BIO_free(bio);
            if (!end) return {out, "PEM certificate " + std::to_string(out.size() + 1) + ": " + reason};
            return {out, {}};
        }
        std::string error;
        auto impl = make_impl(x, error);
        if (!impl) {
            BIO_free(bio);
            return {out, error};
        }
        out.push_back(certificate(std::move(impl)));
    }
}

certificate certificate::adopt(X509* x) {
    X509_up_ref(x);
    std::string error;
    auto impl = make_impl(x, error);
    if (!impl) {  // i2d of a certificate OpenSSL parsed itself: only out of memory
        throw std::runtime_error("certificate: " + error);
    }
    return certificate(std::move(impl));
}

const std::string& certificate::id() const { return p_->id; }
std::span<const unsigned char> certificate::der() const { return p_->der; }
X509* certificate::native_handle() const { return p_->x; }

std::string certificate::pem() const {
    BIO* bio = BIO_new(BIO_s_mem());
    if (!bio) return {};
    PEM_write_bio_X509(bio, p_->x);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string out(data, n > 0 ? static_cast<std::size_t>(n) : 0);
    BIO_free(bio);
    return out;
}

std::string certificate::subject() const { return name_text(X509_get_subject_name(p_->x)); }
std::string certificate::issuer() const { return name_text(X509_get_issuer_name(p_->x)); }

std::vector<std::string> certificate::subject_attribute(std::string_view aws_name) const {
    return name_values(X509_get_subject_name(p_->x), aws_name);
}
std::vector<std::string> certificate::issuer_attribute(std::string_view aws_name) const {
    return name_values(X509_get_issuer_name(p_->x), aws_name);
}
std::vector<std::string> certificate::subject_alt_names(std::string_view aws_name) const {
    return alt_names(p_->x, NID_subject_alt_name, aws_name);
}
std::vector<std::string> certificate::issuer_alt_names(std::string_view aws_name) const {
    return alt_names(p_->x, NID_issuer_alt_name, aws_name);
}

std::string certificate::serial_hex() const {
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(p_->x), nullptr);
    if (!bn) return {};
    char* h = BN_bn2hex(bn);
    std::string out = h ? h : "";
    OPENSSL_free(h);
    BN_free(bn);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::chrono::system_clock::time_point certificate::not_before() const { return to_time(X509_get0_notBefore(p_->x)); }
std::chrono::system_clock::time_point certificate::not_after() const { return to_time(X509_get0_notAfter(p_->x)); }
bool certificate::is_ca() const { return X509_check_ca(p_->x) != 0; }

bool certificate::issued_by(const certificate& ca) const {
    if (X509_NAME_cmp(X509_get_issuer_name(p_->x), X509_get_subject_name(ca.p_->x)) != 0) return false;
    EVP_PKEY* key = X509_get0_pubkey(ca.p_->x);
    const bool ok = key && X509_verify(p_->x, key) == 1;
    ERR_clear_error();
    return ok;
}

}  // namespace wv::tls
