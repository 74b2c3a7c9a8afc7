#pragma once
// `wvsim --onboard claim:<template>` and `--onboard trusted-user:<template>`: a fleet without
// certificates onboards itself by fleet provisioning (src/provisioning/README.md), as devices
// do against AWS IoT, then runs as an ordinary X.509 fleet with the certificates it got.
//
// Each device, on one MQTT client (src/client):
//   claim         (trusted-user only) CreateProvisioningClaim through the control plane: a claim
//                 certificate of its own, valid 5 minutes; by claim, every device shares one
//                 claim certificate (--claim-cert/--claim-key, or one wvsim registers through
//                 the control plane with the developer guide's claim policy)
//   connect       TCP + TLS with the claim certificate + CONNECT, then SUBSCRIBE to the
//                 accepted and rejected topics first (AWS: or you may miss the answer)
//   create        CreateCertificateFromCsr with a key the device generates (EC P-256, the
//                 default: --provision-key csr) or CreateKeysAndCertificate (--provision-key
//                 keys: the gateway generates the key, RSA-2048 as AWS does); on the API's
//                 /json topics, or /cbor with CBOR payloads (--provision-format cbor)
//   register      RegisterThing with the template and --provision-param values expanded per
//                 device (serialNumber={n}), the pre-provisioning hook's time included
//   reconnect     TCP + TLS with the new certificate + CONNECT to CONNACK 0 (then DISCONNECT)
// Each step's latency is a histogram. A device ends in one bucket: `provisioned`,
// `refused_as_expected` (a RegisterThing rejection for a device --provision-refuse lists), or
// why it stopped: `<step>_rejected:<statusCode> <errorCode>` (AWS's rejection payload),
// `<step>_timeout`, `connect:<outcome>` / `reconnect:<outcome>` (the run's taxonomy),
// `claim_failed:<status> <error type>`. A listed device that provisioned, or an unlisted one
// the hook refused, is a mismatch (the verdict fails).
//
//   claim_settings s{...};
//   claim_result r = run_claim_onboarding(ids, s);   // blocks; its own io_context and thread
//   report.onboarding = claim_to_json(r);            // summary: claim_summary_text(report.onboarding)
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <nlohmann/json.hpp>

#include "claim_options.hpp"
#include "identity.hpp"
#include "metrics/histogram.hpp"
#include "tls/client_identity.hpp"

namespace wv::tls {
class client_context;
}

namespace wv::sim {

struct claim_settings {
    std::string host;                        // SNI and the server-certificate check
    boost::asio::ip::tcp::endpoint address;  // 8883 (or 443 + x-amzn-mqtt-ca)
    const tls::client_context* tls = nullptr;
    std::string template_name;
    bool csr = true;                                       // CreateCertificateFromCsr; false: CreateKeysAndCertificate
    bool cbor = false;                                     // the API's /cbor topics and CBOR payloads; false: /json
    std::vector<std::pair<std::string, field_template>> params;
    std::uint64_t seed = 1;
    // The claim identity of device `local` (one for all by claim; per device by trusted user).
    std::function<const tls::client_identity&(std::uint32_t local)> claim_of;
    std::set<std::string> must_refuse;                     // client ids the hook must refuse
    double connect_rate = 0;                               // devices started per second; 0: max_connecting at once
    std::uint32_t max_connecting = 100;                    // devices onboarding at once
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds reply_timeout{10'000};
    bool progress = true;
};

struct claim_result {
    metrics::histogram claim, connect, create, register_thing, reconnect, total;
    std::map<std::string, std::uint64_t> device_outcomes;
    std::vector<std::string> mismatches;                   // "<client id>: provisioned but listed in --provision-refuse"
    // The device's new certificate and key (empty when it did not get one), by local index.
    std::vector<std::optional<tls::client_identity>> identities;
    std::vector<std::string> thing_names;
    std::uint64_t devices = 0;
    double seconds = 0;
    std::string format = "json";                           // the payload format the devices used
    std::uint64_t provisioned() const;
};

claim_result run_claim_onboarding(const std::vector<device_identity>& ids, const claim_settings& s,
                                  claim_result seeded = {});

// The report's "onboarding" object and the summary's block from it (pure). `hook` (optional):
// the pre-provisioning hook's own time per call, as the embedded gateway measured it.
nlohmann::json claim_to_json(const claim_result& r, const std::string& mode, const metrics::histogram* hook = nullptr);
std::string claim_summary_text(const nlohmann::json& onboarding);

}  // namespace wv::sim
