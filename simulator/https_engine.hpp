#pragma once
// --protocol https: devices that publish each report as an HTTPS POST, as curl-based devices
// do (spec 8): `POST /topics/<url-encoded topic>?qos=<q>` over TLS with the device's X.509
// certificate, on 8443 (or 443 with ALPN x-amzn-http-ca), or with custom-auth headers on 443
// without ALPN (https_device_paths::auth_headers), HTTP/1.1 keep-alive: one connection per
// device, reused for every report, opened again when the server closed it. A custom-auth
// refusal (401) counts like a refused certificate (https_refused).
//
// Same timetable, fleet_stats and report as the MQTT engine:
//   - a connect attempt is TCP + TLS + the answer to the connection's first request (HTTP has
//     no CONNACK): 403 and a close there is a refused certificate (https_refused; the embedded
//     gateway's directory names the X.509 check), a close without an answer is
//     closed_without_response, any other answer counts the device connected;
//   - `puback` latency is the HTTP answer's, from the report's due time; 200 counts as acked;
//   - another status is a refused report (http_status_outcome: http_forbidden for a policy
//     deny, ...), counted in run_report::refused; the connection stays unless the server closes it;
//   - a clean stop POSTs ReportEnd(CLOSED) to the will topic, then closes with close_notify.
// HTTP has no last will, so --kill and --churn are MQTT's (options.cpp refuses them here).
//
// Threading: one io_context per thread, devices spread round-robin; a device's coroutine
// runs on its thread only. request_stop(), abort(), finished() may be called from any thread.
#include <memory>
#include <string>
#include <vector>

#include "device_result.hpp"
#include "fleet_stats.hpp"
#include "identity.hpp"
#include "payload/report_profile.hpp"
#include "timetable.hpp"
#include "worker.hpp"

namespace wv::sim {

struct https_device_paths {
    std::string report;      // "/topics/wv%2FAK1%2F1%2Fsamp%2Fp1?qos=1"
    std::string report_end;  // the will topic's
    // Custom auth (443 without ALPN): "x-amz-customauthorizer-name: A\r\ntoken: T\r\n..." sent
    // with every request; empty for X.509 devices.
    std::string auth_headers;
};

// The custom-auth headers of one device: the authorizer (when named), its token under
// `token_key_name` and, with a signing key, x-amz-customauthorizer-signature.
std::string https_custom_auth_headers(const std::string& authorizer, const std::string& token_key_name,
                                      const std::string& token, const std::string& signature_b64);

// The request target for a publish to `topic` (every byte but unreserved ones percent-encoded,
// '/' included, as AWS's examples do) with `qos`.
std::string https_publish_target(std::string_view topic, int qos);

class https_engine {
public:
    // `paths` per local device. Everything passed must outlive the engine.
    https_engine(const engine_settings& es, const timetable& tt, fleet_stats& stats, const payload::report_profile& profile,
                 clock::time_point start, const std::vector<device_identity>& ids, std::vector<https_device_paths> paths,
                 unsigned threads);
    ~https_engine();

    void start();
    void request_stop();  // clean: ReportEnd, then close
    void abort();         // at once
    bool finished() const;
    void join();
    // Per local device, once finished.
    std::vector<device_result> results() const;

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace wv::sim
