// authz_bench: how many authorizations per second each backend kind answers with p99 under
// 50 ms, measured open-loop through the same authorizer_service the gateway uses.
//
//   authz_bench [--json] [--step-seconds 2] [--workers 2] [--p99-ms 50]
//
// Backends: static (in-process), a python handler (ayyeka_simple.py in worker processes),
// and the same handler behind Lambda's Invoke API (lambda_invoke_shim.py, one python process)
// reached over keep-alive HTTP. Rates double from 50/s until p99 reaches the limit, a call
// fails, or the achieved rate falls under 90% of the asked one; the last passing step is the
// answer (a failing step is tried twice). Ratios between backends matter more than absolute numbers on a shared machine.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "functions/build_backend.hpp"
#include "authorizer_clients/loadgen/load_report.hpp"

namespace {

using namespace wv;
using namespace std::chrono_literals;

struct step_result {
    double rate;
    loadgen::load_result r;
    bool pass;
};

struct backend_result {
    std::string name, describe;
    std::vector<step_result> steps;
    const step_result* best() const {
        const step_result* b = nullptr;
        for (const auto& s : steps)
            if (s.pass) b = &s;
        return b;
    }
};

backend_result sweep(const std::string& name, std::shared_ptr<auth::authorizer_backend> backend, double step_s,
                     double p99_limit_ms) {
    backend_result out{name, backend->describe(), {}};
    loadgen::load_options o;
    o.duration = std::chrono::milliseconds(static_cast<long long>(step_s * 1000));
    o.concurrency = 256;
    for (int n = 1; n <= 64; ++n) {
        const auto id = "2453AC0350" + std::to_string(100000 + n);
        o.devices.push_back({n % 4 ? "TestUserName" : "intruder", "TestPassword", id, "localhost"});
    }
    // One warm-up second: worker start-up and connection set-up are not the steady state.
    o.rate = 100;
    o.duration = 1s;
    (void)loadgen::run_load(backend, o);
    o.duration = std::chrono::milliseconds(static_cast<long long>(step_s * 1000));
    for (double rate = 50; rate <= 102400; rate *= 2) {
        o.rate = rate;
        auto r = loadgen::run_load(backend, o);
        const auto passes = [&](const loadgen::load_result& x) {
            return x.p99_ms < p99_limit_ms && x.backend_errors + x.invalid + x.timeouts + x.overloaded == 0 &&
                   x.achieved_rate >= 0.9 * rate;
        };
        // A shared machine stalls now and then: a failed step gets one more try before it counts.
        if (!passes(r)) r = loadgen::run_load(backend, o);
        const bool pass = passes(r);
        std::cerr << "  " << name << " " << rate << "/s: p99 " << r.p99_ms << " ms, achieved " << r.achieved_rate
                  << "/s, allowed " << r.allowed << ", denied " << r.denied << ", errors "
                  << r.backend_errors + r.invalid + r.timeouts + r.overloaded << (pass ? "" : "  <- limit")
                  << "\n";
        out.steps.push_back({rate, std::move(r), pass});
        if (!pass) break;
    }
    return out;
}

// The Invoke shim as a child process; killed on destruction.
struct shim_process {
    pid_t pid = -1;
    std::uint16_t port = 0;
    std::string port_file;
    shim_process(const std::string& handler) {
        char tmpl[] = "/tmp/authz_bench_XXXXXX";
        port_file = std::string(mkdtemp(tmpl)) + "/port";
        const std::string shim = std::string(WV_SOURCE_DIR_PATH) + "/src/functions/lambda_http/lambda_invoke_shim.py";
        std::vector<std::string> args{WV_PYTHON3, shim, "--handler", handler, "--port", "0", "--port-file", port_file};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        pid = fork();
        if (pid == 0) {
            execv(argv[0], argv.data());
            _exit(127);
        }
        for (int i = 0; i < 1000 && port == 0; ++i) {  // poll for the port file written once bound
            std::ifstream in(port_file);
            int p = 0;
            if (in >> p) port = static_cast<std::uint16_t>(p);
            else std::this_thread::sleep_for(10ms);
        }
        if (port == 0) throw std::runtime_error("the Invoke shim did not start");
    }
    ~shim_process() {
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
    }
};

}  // namespace

int main(int argc, char** argv) {
    bool json = false;
    double step_s = 2;
    double p99_limit = 50;
    std::size_t workers = 2;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--json") json = true;
        else if (a == "--step-seconds" && i + 1 < argc) step_s = std::stod(argv[++i]);
        else if (a == "--p99-ms" && i + 1 < argc) p99_limit = std::stod(argv[++i]);
        else if (a == "--workers" && i + 1 < argc) workers = std::stoul(argv[++i]);
        else if (a == "--help") {
            std::cout << "usage: authz_bench [--json] [--step-seconds S] [--p99-ms MS] [--workers N]\n";
            return 0;
        } else {
            std::cerr << "authz_bench: unknown argument " << a << "\n";
            return 2;
        }
    }
    const std::string handler = std::string(WV_SOURCE_DIR_PATH) + "/config/authorizers/ayyeka_simple.py";
    std::vector<backend_result> results;
    try {
        {
            backends::backend_spec s;
            s.name = "static";
            s.kind = backends::backend_kind::static_credentials;
            s.credentials.push_back({.username = "TestUserName", .password = "TestPassword", .principal_id = "wavelet",
                                     .policy_documents = {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]})"}});
            auto b = backends::build_backend(std::move(s));
            results.push_back(sweep("static", b.backend, step_s, p99_limit));
        }
        {
            backends::backend_spec s;
            s.name = "python-handler";
            s.kind = backends::backend_kind::handler;
            s.handler.spec = "python:" + handler;
            s.handler.workers = workers;
            auto b = backends::build_backend(std::move(s));
            results.push_back(sweep("python handler", b.backend, step_s, p99_limit));
        }
        {
            shim_process shim(handler);
            backends::backend_spec s;
            s.name = "shim";
            s.kind = backends::backend_kind::lambda;
            s.lambda.url = "http://127.0.0.1:" + std::to_string(shim.port);
            s.lambda.function = "ayyeka_simple";
            s.lambda.max_connections = 8;
            auto b = backends::build_backend(std::move(s));
            results.push_back(sweep("lambda HTTP shim", b.backend, step_s, p99_limit));
        }
    } catch (const std::exception& e) {
        std::cerr << "authz_bench: " << e.what() << "\n";
        return 1;
    }

    if (json) {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& b : results) {
            nlohmann::json steps = nlohmann::json::array();
            for (const auto& s : b.steps) steps.push_back({{"rate", s.rate}, {"pass", s.pass}, {"result", loadgen::to_json(s.r)}});
            const auto* best = b.best();
            j.push_back({{"backend", b.name},
                         {"describe", b.describe},
                         {"p99_limit_ms", p99_limit},
                         {"max_rate_within_limit", best ? best->rate : 0},
                         {"p50_ms_at_max", best ? best->r.p50_ms : 0},
                         {"p99_ms_at_max", best ? best->r.p99_ms : 0},
                         {"steps", steps}});
        }
        std::cout << j.dump(2) << "\n";
    } else {
        char line[200];
        std::snprintf(line, sizeof line, "%-18s %22s %10s %10s %10s\n", "backend", "calls/s (p99<limit)", "p50 ms", "p99 ms",
                      "max ms");
        std::cout << "authz_bench: open loop, " << step_s << " s per step, p99 limit " << p99_limit << " ms\n" << line;
        for (const auto& b : results) {
            const auto* best = b.best();
            std::snprintf(line, sizeof line, "%-18s %22.0f %10.2f %10.2f %10.2f\n", b.name.c_str(), best ? best->rate : 0.0,
                          best ? best->r.p50_ms : 0.0, best ? best->r.p99_ms : 0.0, best ? best->r.max_ms : 0.0);
            std::cout << line;
        }
    }
    return 0;
}
