// bench_provisioning: devices onboarded per second through the fleet-provisioning service
// (what wvgate runs behind $aws/certificates/create-from-csr and .../provision), and where the
// time goes. Each simulated device: CreateCertificateFromCsr with its own CSR, then RegisterThing
// with the template below (Mappings, Fn::Join, Fn::FindInMap, a group, a policy by name).
//
//   bench_provisioning [--devices 2000] [--in-flight 32] [--keys 20] [--hook python:FILE] [--json]
//
// Rows, side by side in one run:
//   - CSR path, registry in memory, no hook;
//   - CSR path, registry in memory, the python hook through the handler backend (2 workers);
//   - CSR path, registry in a SQLite file (WAL, synchronous=FULL; a request's writes are
//     acknowledged together and concurrent requests share a transaction: the row says how many
//     fsync'd transactions the devices cost);
//   - CreateKeysAndCertificate with RSA-2048 (what AWS issues), `--keys` devices.
// Device-side key + CSR generation (EC P-256) is done before each row and reported apart.
// No sockets: MQTT and TLS costs are the gateway's benchmarks'.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "functions/build_backend.hpp"
#include "provisioning/device_csr.hpp"
#include "provisioning/provisioning_service.hpp"

namespace {

using clk = std::chrono::steady_clock;
using nlohmann::json;
using namespace wv::provisioning;

// The example template (config/provisioning/fleet-template.json): Mappings, Fn::Join,
// Fn::FindInMap, a group, a policy by name.
std::string template_body() {
    std::ifstream in(WV_BENCH_SOURCE_DIR "/config/provisioning/fleet-template.json");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}


struct latencies {
    std::mutex mu;
    std::vector<double> create_ms, register_ms, hook_ms;
    static double pct(std::vector<double> v, double q) {
        if (v.empty()) return 0;
        std::sort(v.begin(), v.end());
        return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
    }
};

struct row_result {
    std::string name;
    std::size_t devices = 0, ok = 0;
    double seconds = 0, csr_gen_ms_per_device = 0;
    latencies lat;
};

double ms(clk::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

void setup(wv::registry::registry& reg, bool hook) {
    (void)reg.create_policy("device", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]})");
    (void)reg.create_thing_group("fleet", "", "", {});
    wv::registry::provisioning_template_record t;
    t.name = "fleet";
    t.enabled = true;
    t.versions.push_back({1, template_body(), 0});
    if (hook) t.hook = wv::registry::provisioning_hook{"arn:aws:lambda:us-east-1:123456789012:function:bench-hook"};
    (void)reg.create_provisioning_template(t);
}

// One row: `devices` devices, `in_flight` at a time, each CSR then RegisterThing.
void run_csr_row(row_result& out, wv::registry::registry& reg, provisioning_options opts, std::size_t devices,
                 std::size_t in_flight) {
    out.devices = devices;
    const auto g0 = clk::now();
    std::vector<std::string> csrs;
    csrs.reserve(devices);
    for (std::size_t i = 0; i < devices; ++i) csrs.push_back(make_device_csr("dev" + std::to_string(i)).csr_pem);
    out.csr_gen_ms_per_device = ms(clk::now() - g0) / static_cast<double>(devices);

    provisioning_service* svc = nullptr;  // made last, so destroyed (workers joined) first
    std::mutex mu;
    std::condition_variable cv;
    std::size_t next = 0, done = 0;
    std::function<void()> start_one;
    const auto finish = [&](bool ok) {
        {
            std::lock_guard lock(mu);
            ++done;
            if (ok) ++out.ok;
        }
        cv.notify_all();
        start_one();
    };
    start_one = [&] {
        std::size_t i;
        {
            std::lock_guard lock(mu);
            if (next >= devices) return;
            i = next++;
        }
        const auto t0 = clk::now();
        const auto body = json{{"certificateSigningRequest", csrs[i]}}.dump();
        svc->submit({.topic = "$aws/certificates/create-from-csr/json", .payload = body, .client_id = "c" + std::to_string(i)},
                   [&, i, t0](provisioning_reply r) {
                       const auto t1 = clk::now();
                       if (!r.accepted) {
                           std::fprintf(stderr, "create rejected: %s\n", r.log.c_str());
                           return finish(false);
                       }
                       {
                           std::lock_guard lock(out.lat.mu);
                           out.lat.create_ms.push_back(ms(t1 - t0));
                       }
                       const auto token = json::parse(r.payload)["certificateOwnershipToken"].get<std::string>();
                       const auto reg_body =
                           json{{"certificateOwnershipToken", token}, {"parameters", {{"SerialNumber", std::to_string(i)}}}}.dump();
                       svc->submit({.topic = "$aws/provisioning-templates/fleet/provision/json", .payload = reg_body,
                                   .client_id = "c" + std::to_string(i)},
                                  [&, t1](provisioning_reply r2) {
                                      {
                                          std::lock_guard lock(out.lat.mu);
                                          out.lat.register_ms.push_back(ms(clk::now() - t1));
                                          if (r2.hook_time.count()) out.lat.hook_ms.push_back(ms(r2.hook_time));
                                      }
                                      if (!r2.accepted) std::fprintf(stderr, "register rejected: %s\n", r2.log.c_str());
                                      finish(r2.accepted);
                                  });
                   });
    };
    auto service = std::make_unique<provisioning_service>(reg, std::move(opts));
    svc = service.get();
    const auto t0 = clk::now();
    for (std::size_t k = 0; k < in_flight; ++k) start_one();
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return done == devices; });
    out.seconds = std::chrono::duration<double>(clk::now() - t0).count();
}

void print(const row_result& r, bool as_json) {
    auto& l = const_cast<latencies&>(r.lat);
    std::lock_guard lock(l.mu);
    const double rate = r.seconds > 0 ? static_cast<double>(r.ok) / r.seconds : 0;
    if (as_json) {
        std::printf("%s\n", json{{"row", r.name}, {"devices", r.devices}, {"onboarded", r.ok}, {"seconds", r.seconds},
                                 {"devices_per_s", rate}, {"device_csr_ms", r.csr_gen_ms_per_device},
                                 {"create_p50_ms", latencies::pct(l.create_ms, .5)}, {"create_p99_ms", latencies::pct(l.create_ms, .99)},
                                 {"register_p50_ms", latencies::pct(l.register_ms, .5)}, {"register_p99_ms", latencies::pct(l.register_ms, .99)},
                                 {"hook_p50_ms", latencies::pct(l.hook_ms, .5)}, {"hook_p99_ms", latencies::pct(l.hook_ms, .99)}}
                                .dump()
                                .c_str());
        return;
    }
    std::printf("%-34s %6zu/%-6zu %8.1f dev/s  create p50 %7.2f p99 %7.2f ms  register p50 %7.2f p99 %7.2f ms  hook p50 %6.2f p99 %6.2f ms  (device CSR %.2f ms)\n",
                r.name.c_str(), r.ok, r.devices, rate, latencies::pct(l.create_ms, .5), latencies::pct(l.create_ms, .99),
                latencies::pct(l.register_ms, .5), latencies::pct(l.register_ms, .99), latencies::pct(l.hook_ms, .5),
                latencies::pct(l.hook_ms, .99), r.csr_gen_ms_per_device);
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t devices = 2000, in_flight = 32, keys = 20;
    std::string hook = "python:" WV_BENCH_SOURCE_DIR "/tests/integration/provisioning/hook.py";
    bool as_json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto value = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
        if (a == "--devices") devices = std::stoul(value());
        else if (a == "--in-flight") in_flight = std::stoul(value());
        else if (a == "--keys") keys = std::stoul(value());
        else if (a == "--hook") hook = value();
        else if (a == "--json") as_json = true;
        else {
            std::printf("usage: bench_provisioning [--devices N] [--in-flight N] [--keys N] [--hook python:FILE] [--json]\n");
            return a == "--help" ? 0 : 2;
        }
    }
    const wv::registry::registry_options mem{.key_type = wv::registry::issued_key::rsa_2048};
    {
        row_result r;
        r.name = "csr, memory, no hook";
        wv::registry::registry reg(mem);
        setup(reg, false);
        run_csr_row(r, reg, {}, devices, in_flight);
        print(r, as_json);
    }
    {
        row_result r;
        r.name = "csr, memory, " + hook.substr(0, hook.find(':')) + " hook";
        wv::registry::registry reg(mem);
        setup(reg, true);
        provisioning_options o;
        o.resolve_function = [hook, &reg](const std::string&) -> std::shared_ptr<wv::auth::authorizer_backend> {
            wv::backends::backend_spec spec;
            spec.kind = wv::backends::backend_kind::handler;
            spec.handler.spec = hook;
            spec.handler.workers = 2;
            auto built = std::make_shared<wv::backends::built_backend>(wv::backends::build_backend(spec, {}));
            auto* raw = built->backend.get();
            return {std::move(built), raw};
        };
        run_csr_row(r, reg, std::move(o), devices, in_flight);
        print(r, as_json);
    }
    {
        row_result r;
        r.name = "csr, sqlite file, no hook";
        const auto dir = std::filesystem::temp_directory_path() / ("bench_provisioning_" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        {
            wv::registry::registry reg({.state = dir / "registry.db"});
            setup(reg, false);
            const auto tx0 = reg.store_transactions();
            run_csr_row(r, reg, {}, devices, in_flight);
            r.name += " (" + std::to_string(reg.store_transactions() - tx0) + " transactions)";
        }
        std::filesystem::remove_all(dir);
        print(r, as_json);
    }
    {
        wv::registry::registry reg(mem);
        provisioning_service svc(reg, {});
        const auto t0 = clk::now();
        std::atomic<std::size_t> left{keys}, ok{0};
        std::mutex mu;
        std::condition_variable cv;
        for (std::size_t i = 0; i < keys; ++i)
            svc.submit({.topic = "$aws/certificates/create/json", .payload = "", .client_id = "k"}, [&](provisioning_reply r) {
                if (r.accepted) ++ok;
                if (--left == 0) cv.notify_all();
            });
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return left == 0; });
        const double s = std::chrono::duration<double>(clk::now() - t0).count();
        if (as_json)
            std::printf("%s\n", json{{"row", "CreateKeysAndCertificate rsa-2048"}, {"certificates", ok.load()},
                                     {"per_s", static_cast<double>(ok) / s}}.dump().c_str());
        else
            std::printf("%-34s %6zu certificates  %8.1f per s  (RSA-2048 key generation on %u worker threads)\n",
                        "CreateKeysAndCertificate rsa-2048", ok.load(), static_cast<double>(ok) / s, 2u);
    }
    return 0;
}
