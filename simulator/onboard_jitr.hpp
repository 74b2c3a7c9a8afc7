#pragma once
// `wvsim --onboard jitr`: a fleet whose certificates nobody registered onboards itself by
// just-in-time registration (config/jitr/README.md), as devices do against AWS IoT: each
// device connects with its certificate (signed by a CA registered with auto-registration), is
// refused the first time (AWS registers the certificate, publishes the registration event and
// disconnects it), and tries again with its backoff (--retry-backoff; never sooner than 1 s, as
// AWS allows one CONNECT per second per client id) until the activation Lambda has set its
// certificate ACTIVE and a CONNACK 0 arrives, or until the onboarding deadline.
//
// Measured per device: time to active (start of its first attempt to the CONNACK 0), how many
// attempts it took, and every attempt's outcome (the report's taxonomy: x509_inactive for a
// certificate still PENDING_ACTIVATION at the embedded gateway, closed_without_connack from any
// other endpoint). Each device ends in one bucket:
//   active_after_retry      refused first, connected later: JITR as designed
//   active_first_attempt    connected at once: its certificate was registered and ACTIVE already
//   never_active            still refused at the deadline (no rule/Lambda activated it, or too slow)
//   transport_failed        no attempt got past TCP/TLS (nothing listens, wrong CA, ...)
//
//   jitr_settings s{.host = "localhost", .address = ep, .tls = &ctx, .certs = &fleet, ...};
//   jitr_result r = run_jitr_onboarding(ids, s);     // blocks; its own io_context and thread
//   report.onboarding = jitr_to_json(r);           // summary_text() prints jitr_summary_text() of it
//
// The devices start at --connect-rate (all at once without one, at most --max-connecting
// attempts in flight), each a coroutine on one thread; the embedded gateway (its JITR and the
// Lambda) runs on its own threads.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <nlohmann/json.hpp>

#include "identity.hpp"
#include "metrics/histogram.hpp"
#include "outcome.hpp"
#include "reconnect.hpp"
#include "x509_fleet.hpp"

namespace wv::tls {
class client_context;
}

namespace wv::sim {

struct jitr_settings {
    std::string host;                           // SNI (JITR requires it) and the server-certificate check
    boost::asio::ip::tcp::endpoint address;     // where the devices connect (8883 or 443 + x-amzn-mqtt-ca)
    const tls::client_context* tls = nullptr;
    const x509_fleet* certs = nullptr;          // device i presents certs->of(i)
    retry_backoff retry{};
    std::uint64_t seed = 0;
    double connect_rate = 0;                    // first attempts per second; 0: as fast as max_connecting allows
    std::uint32_t max_connecting = 100;         // attempts in flight at once
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds deadline{60'000}; // from a device's first attempt: never_active after it
    // Why the attempt of device `local` that began at `began` was closed without CONNACK (the
    // embedded gateway's registry); empty: closed_without_connack.
    std::function<outcome(std::uint32_t local, std::chrono::system_clock::time_point began)> explain_refusal{};
    bool progress = true;                       // a stderr line per second
};

struct jitr_result {
    metrics::histogram time_to_active;          // first attempt's start to CONNACK 0
    metrics::histogram attempt_time;            // one attempt: TCP + TLS + CONNECT to CONNACK or close
    std::map<std::uint32_t, std::uint64_t> attempts_to_active;  // attempts -> devices
    std::map<std::string, std::uint64_t> device_outcomes;       // bucket above -> devices
    std::map<std::string, std::uint64_t> attempt_outcomes;      // outcome bucket -> attempts
    std::uint64_t devices = 0, attempts = 0;
    double seconds = 0;                         // wall time of the phase
    std::uint64_t active() const;
};

jitr_result run_jitr_onboarding(const std::vector<device_identity>& ids, const jitr_settings& s);

// The --json report's "onboarding" object (pure), and the summary's block from it (pure):
// devices per bucket, time to active p50/p90/p99/max, attempts.
nlohmann::json jitr_to_json(const jitr_result& r);
std::string jitr_summary_text(const nlohmann::json& onboarding);
// `wvsim merge`: two shards' onboarding objects as one (pure). Counts add, the phase lasts the
// longer of the two; the percentiles come from the whole histograms, which the reports carry in
// latency_us ("time_to_active", "onboard_attempt") and which the caller has merged already.
nlohmann::json merge_jitr_json(const nlohmann::json& a, const nlohmann::json& b, const metrics::histogram& time_to_active,
                               const metrics::histogram& attempt_time);

}  // namespace wv::sim
