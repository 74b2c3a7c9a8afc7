#include "control_plane_registrar.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "sigv4/sigv4.hpp"
#include "tls/certificate.hpp"

namespace wv::sim {

namespace {

using json = nlohmann::json;

// Path segments go percent-encoded (client ids are plain, but a template may make anything).
std::string segment(std::string_view s) { return sigv4::uri_encode(s, false); }

[[noreturn]] void registrar_fail(const std::string& who, const char* op, const api_result& r) {
    throw std::runtime_error(who + ": " + op + ": " + r.describe());
}

bool already_exists(const api_result& r) { return r.error_type == "ResourceAlreadyExistsException"; }

std::string pem_of(const tls::client_identity& id) {
    const auto c = tls::certificate::from_der(id.cert_der());
    if (!c) throw std::runtime_error(c.error);
    return c->pem();
}

}  // namespace

control_plane_registrar::control_plane_registrar(control_plane_target t, std::string policy_name, unsigned connections)
    : t_(std::move(t)), policy_name_(std::move(policy_name)), connections_(std::max(1u, connections)) {}

template <class Fn>
void control_plane_registrar::parallel(std::size_t n, Fn fn) {
    std::atomic<std::size_t> next{0};
    std::atomic<std::uint64_t> calls{0};
    std::mutex mu;
    std::exception_ptr error;
    auto work = [&] {
        control_plane_client c(t_);
        try {
            for (std::size_t i; (i = next++) < n;) fn(c, i);
        } catch (...) {
            std::lock_guard lock(mu);
            if (!error) error = std::current_exception();
            next = n;
        }
        calls += c.calls();
    };
    std::vector<std::thread> pool;
    const auto threads = std::min<std::size_t>(connections_, std::max<std::size_t>(1, n));
    for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(work);
    for (auto& t : pool) t.join();
    calls_ += calls;
    if (error) std::rethrow_exception(error);
}

void control_plane_registrar::ensure_policy(control_plane_client& c, const std::string& policy_json) {
    const auto r = c.call("POST", "/policies/" + segment(policy_name_), {}, json{{"policyDocument", policy_json}});
    ++calls_;
    if (!r.ok() && !already_exists(r)) registrar_fail("policy " + policy_name_, "CreatePolicy", r);
}

void control_plane_registrar::attach(control_plane_client& c, const device_identity& id, const std::string& arn) {
    const std::string who = "device " + id.akid;
    if (auto r = c.call("POST", "/things/" + segment(id.akid), {}, json::object()); !r.ok() && !already_exists(r))
        registrar_fail(who, "CreateThing", r);
    if (auto r = c.call("PUT", "/target-policies/" + segment(policy_name_), {}, json{{"target", arn}}); !r.ok())
        registrar_fail(who, "AttachPolicy", r);
    if (auto r = c.call("PUT", "/things/" + segment(id.akid) + "/principals", {}, nullptr, {{"x-amzn-principal", arn}});
        !r.ok())
        registrar_fail(who, "AttachThingPrincipal", r);
}

void control_plane_registrar::register_fleet(const std::vector<device_identity>& ids, const x509_fleet& certs,
                                             const std::string& policy_json) {
    const auto t0 = std::chrono::steady_clock::now();
    {
        control_plane_client c(t_);
        ensure_policy(c, policy_json);
    }
    parallel(ids.size(), [&](control_plane_client& c, std::size_t i) {
        const std::string who = "device " + ids[i].akid;
        const auto& identity = certs.of(static_cast<std::uint32_t>(i));
        std::string pem;
        try {
            pem = pem_of(identity);
        } catch (const std::exception& e) {
            throw std::runtime_error(who + ": " + e.what());
        }
        auto r = c.call("POST", "/certificate/register-no-ca", {}, json{{"certificatePem", pem}, {"status", "ACTIVE"}});
        std::string arn;
        if (r.ok()) {
            arn = r.body.value("certificateArn", "");
        } else if (already_exists(r)) {  // from an earlier run against a wvgate with state: reuse it as it is
            const auto id = tls::certificate::from_der(identity.cert_der())->id();
            const auto d = c.call("GET", "/certificates/" + id, {}, nullptr);
            if (!d.ok()) registrar_fail(who, "DescribeCertificate", d);
            arn = d.body["certificateDescription"].value("certificateArn", "");
        } else {
            registrar_fail(who, "RegisterCertificateWithoutCA", r);
        }
        if (arn.empty()) throw std::runtime_error(who + ": RegisterCertificateWithoutCA answered no certificateArn");
        attach(c, ids[i], arn);
    });
    devices_ = ids.size();
    took_ = std::chrono::steady_clock::now() - t0;
}

x509_fleet control_plane_registrar::create_fleet(const std::vector<device_identity>& ids, const std::string& policy_json) {
    const auto t0 = std::chrono::steady_clock::now();
    {
        control_plane_client c(t_);
        ensure_policy(c, policy_json);
    }
    std::vector<tls::client_identity> out(ids.size());
    parallel(ids.size(), [&](control_plane_client& c, std::size_t i) {
        const std::string who = "device " + ids[i].akid;
        const auto r = c.call("POST", "/keys-and-certificate", {{"setAsActive", "true"}}, nullptr);
        if (!r.ok()) registrar_fail(who, "CreateKeysAndCertificate", r);
        try {
            out[i] = tls::client_identity::from_pem(r.body.at("certificatePem").get<std::string>(),
                                                    r.body.at("keyPair").at("PrivateKey").get<std::string>());
        } catch (const std::exception& e) {
            throw std::runtime_error(who + ": CreateKeysAndCertificate answered an unusable certificate or key: " + e.what());
        }
        attach(c, ids[i], r.body.value("certificateArn", ""));
    });
    devices_ = ids.size();
    took_ = std::chrono::steady_clock::now() - t0;
    return x509_fleet::from_identities(std::move(out), "issued by the control plane at " + t_.url + " (CreateKeysAndCertificate)",
                                       took_);
}

std::string control_plane_registrar::summary() const {
    char line[256];
    std::snprintf(line, sizeof line, "%zu devices registered through the control plane at %s: %llu API calls in %.2f s",
                  devices_, t_.url.c_str(), static_cast<unsigned long long>(calls_),
                  std::chrono::duration<double>(took_).count());
    return line;
}

}  // namespace wv::sim
