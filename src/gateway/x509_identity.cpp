#include "gateway/x509_identity.hpp"

#include <openssl/ssl.h>

namespace wv::gate {

std::shared_ptr<const x509_peer> read_x509_peer(SSL* ssl) {
    if (!ssl) return nullptr;
    X509* leaf = SSL_get0_peer_certificate(ssl);
    if (!leaf) return nullptr;
    auto p = std::make_shared<x509_peer>(x509_peer{tls::certificate::adopt(leaf), std::nullopt});
    p->sent_sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) != nullptr;
    // Server side: the chain the client sent, without its own certificate.
    if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl)) {
        for (int i = 0; i < sk_X509_num(chain); ++i) {
            X509* x = sk_X509_value(chain, i);
            if (X509_cmp(x, leaf) == 0) continue;
            p->issuer = tls::certificate::adopt(x);
            break;
        }
    }
    return p;
}

std::string describe(const certificate_verdict& v) {
    std::string r(to_string(v.check));
    if (!v.detail.empty()) r += ": " + v.detail;
    return r;
}

std::shared_ptr<const policy::principal_facts> principal_facts_for(const certificate_verdict& v,
                                                                   const tls::certificate& c,
                                                                   const std::string& client_id) {
    auto f = std::make_shared<policy::principal_facts>();
    if (v.things && !client_id.empty()) {
        for (const auto& t : *v.things) {
            if (t.name != client_id) continue;
            policy::principal_facts::thing_facts tf{t.name, t.type_name, {}};
            for (const auto& [k, val] : t.attributes) tf.attributes.emplace_back(k, val);
            f->thing = std::move(tf);
            break;
        }
    }
    static constexpr const char* names[] = {"CommonName", "Organization", "OrganizationalUnit", "Country", "State",
                                            "Locality", "SerialNumber", "DistinguishedNameQualifier", "Title",
                                            "Surname", "GivenName", "Initials", "Pseudonym", "GenerationQualifier"};
    for (const char* n : names) {
        if (auto vs = c.subject_attribute(n); !vs.empty()) f->certificate.emplace_back(std::string("Subject.") + n, std::move(vs));
        if (auto vs = c.issuer_attribute(n); !vs.empty()) f->certificate.emplace_back(std::string("Issuer.") + n, std::move(vs));
    }
    static constexpr const char* alt[] = {"RFC822Name", "DNSName", "DirectoryName", "UniformResourceIdentifier",
                                          "IPAddress"};
    for (const char* n : alt) {
        if (auto vs = c.subject_alt_names(n); !vs.empty())
            f->certificate.emplace_back(std::string("SubjectAlternativeName.") + n, std::move(vs));
        if (auto vs = c.issuer_alt_names(n); !vs.empty())
            f->certificate.emplace_back(std::string("IssuerAlternativeName.") + n, std::move(vs));
    }
    f->certificate.emplace_back("SerialNumber", std::vector{c.serial_hex()});
    return f;
}

certificate_verdict check_certificate(const certificate_directory& dir, const x509_peer& peer,
                                      std::chrono::system_clock::time_point now) {
    auto v = dir.look_up(peer.cert, peer.issuer ? &*peer.issuer : nullptr);
    if (v.check == certificate_check::unknown) v = dir.register_on_first_connect(std::move(v), peer.cert, peer.sent_sni);
    if (v.active() && (now < peer.cert.not_before() || now > peer.cert.not_after())) {
        v.check = certificate_check::expired;
        v.detail = "certificate " + peer.cert.id() + " is outside its validity period";
        v.policies.reset();
    }
    return v;
}

}  // namespace wv::gate
