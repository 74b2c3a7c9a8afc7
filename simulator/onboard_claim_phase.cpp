#include "onboard_claim_phase.hpp"

#include <stdexcept>

#include "control_plane_client.hpp"
#include "onboard_claim.hpp"
#include "registry/provisioning_model.hpp"
#include "sigv4/sigv4.hpp"

namespace wv::sim {

using nlohmann::json;

namespace {

using phase_clock = std::chrono::steady_clock;

std::string claim_path_segment(std::string_view s) { return sigv4::uri_encode(s, false); }

// The developer guide's claim policy, the registry's own (one document), for any region and
// account so that wvsim need not know the gateway's.
std::string fleet_claim_policy(const std::string& tmpl) {
    return registry::claim_policy_document(registry::account{.region = "*", .id = "*"}, tmpl);
}

// By claim without --claim-cert: one claim certificate, registered as a factory would
// (CreateKeysAndCertificate ACTIVE, the claim policy attached).
tls::client_identity register_fleet_claim(control_plane_client& c, const std::string& tmpl) {
    const std::string policy = "wvsim-claim-" + tmpl;
    if (auto r = c.call("POST", "/policies/" + claim_path_segment(policy), {}, json{{"policyDocument", fleet_claim_policy(tmpl)}});
        !r.ok() && r.error_type != "ResourceAlreadyExistsException")
        throw std::runtime_error("CreatePolicy " + policy + ": " + r.describe());
    const auto k = c.call("POST", "/keys-and-certificate", {{"setAsActive", "true"}}, nullptr);
    if (!k.ok()) throw std::runtime_error("CreateKeysAndCertificate (the claim certificate): " + k.describe());
    if (auto r = c.call("PUT", "/target-policies/" + claim_path_segment(policy), {},
                        json{{"target", k.body.value("certificateArn", "")}});
        !r.ok())
        throw std::runtime_error("AttachPolicy " + policy + " to the claim certificate: " + r.describe());
    // Parsed once for the whole fleet's connects (apply() would decode the key at each).
    return tls::client_identity::from_pem(k.body.value("certificatePem", ""), k.body["keyPair"].value("PrivateKey", ""),
                                          true);
}

}  // namespace

claim_phase_result run_claim_phase(const std::vector<device_identity>& ids, const sim_options& o, const claim_phase_target& t,
                                   const std::function<metrics::histogram()>& hook_times) {
    const auto& co = o.claim;
    claim_result seeded;
    std::vector<tls::client_identity> claims;
    std::unique_ptr<control_plane_client> api;
    if (!t.control_plane_url.empty())
        api = std::make_unique<control_plane_client>(control_plane_target{.url = t.control_plane_url,
                                                                          .credentials = optional_credentials()});
    const auto claims_began = phase_clock::now();
    if (co.mode == "trusted-user") {
        // A claim per device, before the devices start (each is valid 5 minutes).
        claims.reserve(ids.size());
        for (std::size_t i = 0; i < ids.size(); ++i) {
            const auto t0 = phase_clock::now();
            const auto r = api->call("POST", "/provisioning-templates/" + claim_path_segment(co.template_name) +
                                                 "/provisioning-claim",
                                     {}, nullptr);
            if (!r.ok())
                throw std::runtime_error("CreateProvisioningClaim for template " + co.template_name + ": " + r.describe());
            claims.push_back(tls::client_identity::from_pem(r.body.value("certificatePem", ""),
                                                            r.body["keyPair"].value("PrivateKey", ""), true));
            seeded.claim.record(phase_clock::now() - t0);
        }
    } else if (!co.claim_cert.empty()) {
        claims.push_back(tls::client_identity::from_files(co.claim_cert, co.claim_key, true));
    } else {
        claims.push_back(register_fleet_claim(*api, co.template_name));
    }
    if (co.mode == "trusted-user") seeded.seconds = std::chrono::duration<double>(phase_clock::now() - claims_began).count();

    claim_settings s{.host = t.host,
                     .address = t.address,
                     .tls = t.tls,
                     .template_name = co.template_name,
                     .csr = co.key == "csr",
                     .cbor = co.format == "cbor",
                     .params = {},
                     .seed = o.ids.seed,
                     .claim_of = [&claims](std::uint32_t i) -> const tls::client_identity& {
                         return claims.size() == 1 ? claims[0] : claims[i];
                     },
                     .must_refuse = co.refuse_file.empty() ? std::set<std::string>{} : load_refusals(co.refuse_file),
                     .connect_rate = o.connect_rate,
                     .max_connecting = o.max_connecting,
                     .connect_timeout = o.connect_timeout,
                     .reply_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(co.reply_timeout_s * 1000)),
                     .progress = !o.quiet};
    for (const auto& p : co.params) {
        const auto eq = p.find('=');
        s.params.emplace_back(p.substr(0, eq), field_template(p.substr(eq + 1), "--provision-param"));
    }
    auto r = run_claim_onboarding(ids, s, std::move(seeded));

    claim_phase_result out;
    const auto hooks = hook_times ? hook_times() : metrics::histogram{};
    out.onboarding = claim_to_json(r, co.mode + ":" + co.template_name, hook_times ? &hooks : nullptr);
    out.total = r.total;
    out.mismatches = r.mismatches;
    std::vector<tls::client_identity> mine;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (!r.identities[i]) {
            ++out.not_provisioned;
            continue;
        }
        out.ids.push_back(ids[i]);
        mine.push_back(std::move(*r.identities[i]));
    }
    out.certs = std::make_unique<x509_fleet>(x509_fleet::from_identities(
        std::move(mine), "fleet provisioning (" + co.mode + ":" + co.template_name + ")",
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(r.seconds))));
    return out;
}

}  // namespace wv::sim
