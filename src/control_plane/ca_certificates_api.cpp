// CA certificates: GetRegistrationCode, RegisterCACertificate, DescribeCACertificate,
// UpdateCACertificate, ListCACertificates, DeleteCACertificate.
#include "control_plane/routes.hpp"

namespace wv::control_plane {
namespace {

using nlohmann::json;
using registry::errc;

http_response get_registration_code(const context& c, const parsed_request&, const std::vector<std::string>&) {
    return json_response({{"registrationCode", c.reg.registration_code()}});
}

http_response register_ca_certificate(const context& c, const parsed_request& r, const std::vector<std::string>&) {
    const auto active = query_bool(r, "setAsActive");
    if (!active) return error_response(active.err());
    const auto auto_reg = query_bool(r, "allowAutoRegistration");
    if (!auto_reg) return error_response(auto_reg.err());
    const auto ca = body_string(r, "caCertificate");
    if (!ca) return error_response(ca.err());
    if (!ca.value() || ca.value()->empty()) return error_response(errc::invalid_request, "caCertificate is required");
    const auto verification = body_string(r, "verificationCertificate");
    if (!verification) return error_response(verification.err());
    const auto mode = body_string(r, "certificateMode");
    if (!mode) return error_response(mode.err());
    json config = json::object();
    if (const auto it = r.body.find("registrationConfig"); it != r.body.end() && it->is_object()) config = *it;
    const auto out = c.reg.register_ca_certificate(*ca.value(), verification.value().value_or(""),
                                                   active.value().value_or(false), auto_reg.value().value_or(false),
                                                   config, mode.value().value_or("DEFAULT"));
    if (!out) return error_response(out.err());
    return json_response({{"certificateArn", c.reg.acct().arn("cacert", out.value().id)},
                          {"certificateId", out.value().id}});
}

http_response describe_ca_certificate(const context& c, const parsed_request&, const std::vector<std::string>& v) {
    const auto ca = c.reg.describe_ca_certificate(v[0]);
    if (!ca) return error_response(ca.err());
    const auto& x = ca.value();
    json d{{"certificateArn", c.reg.acct().arn("cacert", x.id)},
           {"certificateId", x.id},
           {"status", x.active ? "ACTIVE" : "INACTIVE"},
           {"certificatePem", x.pem},
           {"ownedBy", c.reg.acct().id},
           {"creationDate", x.creation_date},
           {"autoRegistrationStatus", x.auto_registration ? "ENABLE" : "DISABLE"},
           {"lastModifiedDate", x.last_modified},
           {"customerVersion", x.customer_version},
           {"generationId", x.generation_id},
           {"validity", {{"notBefore", x.not_before}, {"notAfter", x.not_after}}},
           {"certificateMode", x.mode}};
    json body{{"certificateDescription", d}};
    if (!x.registration_config.empty()) body["registrationConfig"] = x.registration_config;
    return json_response(body);
}

http_response update_ca_certificate(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    std::optional<json> config;
    if (const auto it = r.body.find("registrationConfig"); it != r.body.end() && it->is_object()) config = *it;
    const auto remove = body_bool(r, "removeAutoRegistration");
    if (!remove) return error_response(remove.err());
    if (auto e = c.reg.update_ca_certificate(v[0], r.q("newStatus"), r.q("newAutoRegistrationStatus"), config,
                                             remove.value().value_or(false)))
        return error_response(*e);
    return empty_response();
}

http_response list_ca_certificates(const context& c, const parsed_request& r, const std::vector<std::string>&) {
    const auto p = marker_page(r);
    if (!p) return error_response(p.err());
    const auto page = c.reg.list_ca_certificates(p.value());
    if (!page) return error_response(page.err());
    json certs = json::array();
    for (const auto& x : page.value().items)
        certs.push_back({{"certificateArn", c.reg.acct().arn("cacert", x.id)},
                         {"certificateId", x.id},
                         {"status", x.active ? "ACTIVE" : "INACTIVE"},
                         {"creationDate", x.creation_date}});
    json body{{"certificates", certs}};
    if (!page.value().next.empty()) body["nextMarker"] = page.value().next;
    return json_response(body);
}

http_response delete_ca_certificate(const context& c, const parsed_request&, const std::vector<std::string>& v) {
    if (auto e = c.reg.delete_ca_certificate(v[0])) return error_response(*e);
    return empty_response();
}

}  // namespace

void add_ca_certificates_routes(std::vector<route>& r) {
    r.insert(r.end(), {
        {"GET", "registrationcode", get_registration_code},
        {"POST", "cacertificate", [](const context& c, const parsed_request& r, const std::vector<std::string>& v) {
             return with_create_tags(c, r, v, register_ca_certificate, "certificateArn");
         }},
        {"GET", "cacertificate/{}", describe_ca_certificate},
        {"PUT", "cacertificate/{}", update_ca_certificate},
        {"DELETE", "cacertificate/{}", delete_ca_certificate},
        {"GET", "cacertificates", list_ca_certificates},
    });
}

}  // namespace wv::control_plane
