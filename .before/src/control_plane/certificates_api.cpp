// Certificates: CreateKeysAndCertificate, CreateCertificateFromCsr, RegisterCertificate,
// RegisterCertificateWithoutCA, DescribeCertificate, ListCertificates, ListCertificatesByCA,
// UpdateCertificate, DeleteCertificate.
#include "control_plane/routes.hpp"

namespace wv::control_plane {
namespace {

using nlohmann::json;
using registry::errc;

registry::outcome<bool> set_as_active(const parsed_request& r) {
    const auto v = query_bool(r, "setAsActive");
    if (!v) return v.err();
    return v.value().value_or(false);
}

registry::outcome<std::string> required_string(const parsed_request& r, const char* name) {
    const auto v = body_string(r, name);
    if (!v) return v.err();
    if (!v.value() || v.value()->empty()) return registry::fail(errc::invalid_request, std::string(name) + " is required");
    return *v.value();
}

http_response created(const context& c, const registry::certificate& cert, bool with_pem) {
    json j{{"certificateArn", c.reg.certificate_arn(cert.id)}, {"certificateId", cert.id}};
    if (with_pem) j["certificatePem"] = cert.pem;
    return json_response(j);
}

http_response create_keys_and_certificate(const context& c, const parsed_request& r, const std::vector<std::string>&) {
    const auto active = set_as_active(r);
    if (!active) return error_response(active.err());
    const auto k = c.reg.create_keys_and_certificate(active.value());
    if (!k) return error_response(k.err());
    const auto& v = k.value();
    return json_response({{"certificateArn", c.reg.certificate_arn(v.cert.id)},
                          {"certificateId", v.cert.id},
                          {"certificatePem", v.cert.pem},
                          {"keyPair", {{"PublicKey", v.keys.public_key_pem}, {"PrivateKey", v.keys.private_key_pem}}}});
}

http_response create_certificate_from_csr(const context& c, const parsed_request& r, const std::vector<std::string>&) {
    const auto active = set_as_active(r);
    if (!active) return error_response(active.err());
    const auto csr = required_string(r, "certificateSigningRequest");
    if (!csr) return error_response(csr.err());
    const auto cert = c.reg.create_certificate_from_csr(csr.value(), active.value());
    if (!cert) return error_response(cert.err());
    return created(c, cert.value(), true);
}

http_response register_certificate(const context& c, const parsed_request& r, const std::vector<std::string>&) {
    const auto active = set_as_active(r);
    if (!active) return error_response(active.err());
    const auto pem = required_string(r, "certificatePem");
    if (!pem) return error_response(pem.err());
    const auto ca = body_string(r, "caCertificatePem");
    if (!ca) return error_response(ca.err());
    const auto st = body_string(r, "status");
    if (!st) return error_response(st.err());
    const auto cert = c.reg.register_certificate(pem.value(), ca.value().value_or(""), st.value(), active.value());
    if (!cert) return error_response(cert.err());
    return created(c, cert.value(), false);
}

http_response register_certificate_without_ca(const context& c, const parsed_request& r, const std::vector<std::string>&) {
    const auto pem = required_string(r, "certificatePem");
    if (!pem) return error_response(pem.err());
    const auto st = body_string(r, "status");
    if (!st) return error_response(st.err());
    const auto cert = c.reg.register_certificate_without_ca(pem.value(), st.value());
    if (!cert) return error_response(cert.err());
    return created(c, cert.value(), false);
}

http_response describe_certificate(const context& c, const parsed_request&, const std::vector<std::string>& v) {
    const auto cert = c.reg.describe_certificate(v[0]);
    if (!cert) return error_response(cert.err());
    const auto& x = cert.value();
    json d{{"certificateArn", c.reg.certificate_arn(x.id)},
           {"certificateId", x.id},
           {"status", std::string(registry::to_string(x.status))},
           {"certificatePem", x.pem},
           {"ownedBy", c.reg.acct().id},
           {"creationDate", x.creation_date},
           {"lastModifiedDate", x.last_modified},
           {"customerVersion", x.customer_version},
           {"generationId", x.generation_id},
           {"validity", {{"notBefore", x.not_before}, {"notAfter", x.not_after}}},
           {"certificateMode", x.mode}};
    if (!x.ca_id.empty()) d["caCertificateId"] = x.ca_id;
    return json_response({{"certificateDescription", d}});
}

http_response list(const context& c, const parsed_request& r, const std::optional<std::string>& ca) {
    const auto p = marker_page(r);
    if (!p) return error_response(p.err());
    const auto page = c.reg.list_certificates(ca, p.value());
    if (!page) return error_response(page.err());
    json certs = json::array();
    for (const auto& x : page.value().items)
        certs.push_back({{"certificateArn", c.reg.certificate_arn(x.id)},
                         {"certificateId", x.id},
                         {"status", std::string(registry::to_string(x.status))},
                         {"certificateMode", x.mode},
                         {"creationDate", x.creation_date}});
    json body{{"certificates", certs}};
    if (!page.value().next.empty()) body["nextMarker"] = page.value().next;
    return json_response(body);
}

http_response list_certificates(const context& c, const parsed_request& r, const std::vector<std::string>&) {
    return list(c, r, std::nullopt);
}

http_response list_certificates_by_ca(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    if (!c.reg.describe_ca_certificate(v[0]))
        return error_response(errc::not_found, "The CA certificate " + v[0] + " does not exist.");
    return list(c, r, v[0]);
}

http_response update_certificate(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto s = r.q("newStatus");
    if (!s) return error_response(errc::invalid_request, "newStatus is required");
    if (auto e = c.reg.update_certificate(v[0], *s)) return error_response(*e);
    return empty_response();
}

http_response delete_certificate(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto force = query_bool(r, "forceDelete");
    if (!force) return error_response(force.err());
    if (auto e = c.reg.delete_certificate(v[0], force.value().value_or(false))) return error_response(*e);
    return empty_response();
}

}  // namespace

void add_certificates_routes(std::vector<route>& r) {
    r.insert(r.end(), {
        {"POST", "keys-and-certificate", create_keys_and_certificate},
        {"POST", "certificates", create_certificate_from_csr},
        {"GET", "certificates", list_certificates},
        {"POST", "certificate/register", register_certificate},
        {"POST", "certificate/register-no-ca", register_certificate_without_ca},
        {"GET", "certificates/{}", describe_certificate},
        {"PUT", "certificates/{}", update_certificate},
        {"DELETE", "certificates/{}", delete_certificate},
        {"GET", "certificates-by-ca/{}", list_certificates_by_ca},
    });
}

}  // namespace wv::control_plane
