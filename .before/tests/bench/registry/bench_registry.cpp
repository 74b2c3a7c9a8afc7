// bench_registry: what the registry costs where it matters.
//
//   bench_registry [--json] [--certs 10000] [--keys 20]
//
// Rows, measured side by side in one run:
//   - CreateKeysAndCertificate with RSA-2048 (what AWS issues) and with EC P-256 (the faster
//     stand-in for load tests): ms per certificate, key generation and signing included;
//   - registering certificates into an in-memory registry and into a SQLite file (WAL,
//     synchronous=FULL: one fsync'd transaction per call, as the API does it);
//   - the gateway's X.509 connect lookup (registry_certificate_directory::look_up: a
//     shared-lock registry read, policy set interned, things copied) over `--certs`
//     certificates, on 1 thread and on 2 threads at once.
#include <atomic>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <unistd.h>
#include <string>
#include <thread>
#include <vector>

#include "gateway/registry_certificate_directory.hpp"
#include "registry/registry.hpp"
#include "tls/certificate.hpp"

namespace {

using clk = std::chrono::steady_clock;
const char* policy_doc =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"arn:aws:iot:*:*:client/${iot:Connection.Thing.ThingName}"},)"
    R"({"Effect":"Allow","Action":"iot:Publish","Resource":"arn:aws:iot:*:*:topic/things/${iot:Connection.Thing.ThingName}/*"}]})";

double ms_since(clk::time_point t) { return std::chrono::duration<double, std::milli>(clk::now() - t).count(); }

// CPU time of the whole process: on a shared machine wall time mostly measures the others.
double cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1000 + static_cast<double>(ts.tv_nsec) / 1e6;
}

struct row {
    std::string what;
    double value;
    std::string unit;
};

}  // namespace

int main(int argc, char** argv) {
    bool json = false;
    int certs = 10000, keys = 20;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--json")) json = true;
        else if (!std::strcmp(argv[i], "--certs") && i + 1 < argc) certs = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--keys") && i + 1 < argc) keys = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--help")) {
            std::puts("usage: bench_registry [--json] [--certs N] [--keys N]");
            return 0;
        } else {
            std::fprintf(stderr, "bench_registry: unknown argument %s (see --help)\n", argv[i]);
            return 2;
        }
    }
    std::vector<row> rows;
    for (const auto kind : {wv::registry::issued_key::rsa_2048, wv::registry::issued_key::ec_p256}) {
        wv::registry::registry reg({.key_type = kind});
        const auto c = cpu_ms();
        for (int i = 0; i < keys; ++i)
            if (!reg.create_keys_and_certificate(true)) return 1;
        rows.push_back({kind == wv::registry::issued_key::rsa_2048 ? "CreateKeysAndCertificate RSA-2048 (as AWS), CPU"
                                                                    : "CreateKeysAndCertificate EC P-256 (not AWS's), CPU",
                        (cpu_ms() - c) / keys, "ms/cert"});
    }

    // Certificates to register: EC, issued once, outside the timings.
    std::vector<std::string> pems;
    {
        wv::registry::registry issuer({.key_type = wv::registry::issued_key::ec_p256});
        for (int i = 0; i < certs; ++i) pems.push_back(issuer.create_keys_and_certificate(true).value().cert.pem);
    }
    const auto db = std::filesystem::temp_directory_path() / ("bench_registry_" + std::to_string(::getpid()) + ".db");
    for (const bool on_disk : {false, true}) {
        wv::registry::registry reg({.state = on_disk ? db : std::filesystem::path{}});
        const int n = on_disk ? std::min(certs, 500) : std::min(certs, 2000);
        const auto t = clk::now();
        const auto c = cpu_ms();
        for (int i = 0; i < n; ++i)
            if (!reg.register_certificate_without_ca(pems[static_cast<std::size_t>(i)], std::string("ACTIVE"))) return 1;
        rows.push_back({on_disk ? "RegisterCertificateWithoutCA, SQLite file (fsync per call)"
                                : "RegisterCertificateWithoutCA, in memory",
                        n / (ms_since(t) / 1000), "calls/s (wall)"});
        rows.push_back({"  the same, CPU per call", (cpu_ms() - c) / n * 1000, "us"});
    }
    std::filesystem::remove(db);
    std::filesystem::remove(db.string() + "-wal");
    std::filesystem::remove(db.string() + "-shm");

    // The connect lookup over a full registry: every certificate with a policy and a thing.
    wv::registry::registry reg;
    if (!reg.create_policy("dev", policy_doc)) return 1;
    std::vector<wv::tls::certificate> parsed;
    for (int i = 0; i < certs; ++i) {
        const auto c = reg.register_certificate_without_ca(pems[static_cast<std::size_t>(i)], std::string("ACTIVE"));
        const std::string name = "dev" + std::to_string(i);
        (void)reg.create_thing(name, "", {{"site", "a"}});
        (void)reg.attach_policy("dev", reg.certificate_arn(c.value().id));
        (void)reg.attach_thing_principal(name, reg.certificate_arn(c.value().id));
        parsed.push_back(*wv::tls::certificate::from_pem(pems[static_cast<std::size_t>(i)]));
    }
    wv::gate::registry_certificate_directory dir(reg, nullptr);
    for (const unsigned threads : {1u, 2u}) {
        std::atomic<long> done{0}, bad{0};
        const auto t = clk::now();
        const auto c = cpu_ms();
        std::vector<std::thread> ts;
        for (unsigned k = 0; k < threads; ++k)
            ts.emplace_back([&, k] {
                long n = 0;
                for (int round = 0; round < 5; ++round)
                    for (std::size_t i = k; i < parsed.size(); i += threads, ++n)
                        if (!dir.look_up(parsed[i], nullptr).active()) ++bad;
                done += n;
            });
        for (auto& th : ts) th.join();
        if (bad) return 1;
        rows.push_back({"X.509 connect lookup, " + std::to_string(certs) + " certificates, " + std::to_string(threads) +
                            " thread(s)",
                        static_cast<double>(done) / (ms_since(t) / 1000), "lookups/s (wall)"});
        rows.push_back({"  the same, CPU per lookup", (cpu_ms() - c) / static_cast<double>(done) * 1000, "us"});
    }

    if (json) {
        std::printf("[");
        for (std::size_t i = 0; i < rows.size(); ++i)
            std::printf("%s{\"what\":\"%s\",\"value\":%.3f,\"unit\":\"%s\"}", i ? "," : "", rows[i].what.c_str(),
                        rows[i].value, rows[i].unit.c_str());
        std::printf("]\n");
    } else {
        for (const auto& r : rows) std::printf("%-72s %12.3f %s\n", r.what.c_str(), r.value, r.unit.c_str());
    }
    return 0;
}
