// wvca: a local test certificate authority for the lab (CA, server and client certificates).
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tls/test_ca.hpp"

namespace {

constexpr const char* footer = R"(Examples:
  wvca init certs                        CA + server cert for localhost and 127.0.0.1 (ECDSA P-256)
  wvca init certs --rsa --host gw.local  RSA-2048, server cert for gw.local only
  wvca client certs device-0001          certs/device-0001.crt and .key, signed by certs/ca.key
  wvca devices --ca certs/ca.crt --ca-key certs/ca.key --count 1000 --cn 'dev{n:04}' --out fleet
                                         fleet/dev0001.crt .key ... dev1000 (any CA: yours or wvca's),
                                         signed in parallel; wvsim --auth x509 --device-certs fleet

Files: DIR/ca.crt ca.key server.crt server.key, DIR/<name>.crt <name>.key (PEM, keys mode 0600).
CN templates: {n} is the device number (from --start), {n:04} zero-pads it to 4 digits; the CN
is also the file stem, so it must be a plain file name ([A-Za-z0-9._-]).
Exit codes: 0 ok, 1 failure (cannot write, OpenSSL error, no CA in DIR), 2 usage error.)";

// "dev{n:04}" with n = 7 -> "dev0007". Throws std::invalid_argument on a bad template.
std::string expand_cn(const std::string& tmpl, long n) {
    std::string out;
    for (std::size_t i = 0; i < tmpl.size();) {
        if (tmpl.compare(i, 2, "{n") != 0) {
            out += tmpl[i++];
            continue;
        }
        const auto close = tmpl.find('}', i);
        if (close == std::string::npos) throw std::invalid_argument("unclosed '{n' in --cn " + tmpl);
        const auto spec = tmpl.substr(i + 2, close - i - 2);
        int width = 0;
        if (!spec.empty()) {
            if (spec.size() < 2 || spec[0] != ':' || spec[1] != '0' ||
                spec.find_first_not_of("0123456789", 1) != std::string::npos)
                throw std::invalid_argument("--cn: '{n" + spec + "}' is not {n} or {n:0W}");
            width = std::stoi(spec.substr(1));
        }
        auto digits = std::to_string(n);
        if (static_cast<int>(digits.size()) < width) digits.insert(0, static_cast<std::size_t>(width) - digits.size(), '0');
        out += digits;
        i = close + 1;
    }
    return out;
}

int issue_fleet(const std::string& ca, const std::string& ca_key, long count, long start, const std::string& cn,
                const std::string& out, bool rsa, int days, unsigned threads) {
    using clock = std::chrono::steady_clock;
    if (cn.find("{n") == std::string::npos && count > 1) {
        std::cerr << "wvca devices: --cn must contain {n} when --count > 1 (every device needs its own name)\n";
        return 2;
    }
    for (const long n : {start, start + count - 1}) {
        const auto name = expand_cn(cn, n);
        if (name.empty() || name.front() == '.' || name.size() > 64 ||
            name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != std::string::npos) {
            std::cerr << "wvca devices: --cn gives '" << name
                      << "', which is not a plain file name ([A-Za-z0-9._-], not starting with '.', at most 64)\n";
            return 2;
        }
    }
    std::error_code ec;
    std::filesystem::create_directories(out, ec);
    if (ec) throw std::runtime_error("cannot create " + out + ": " + ec.message());
    const wv::tls::device_issuer issuer(ca, ca_key);
    const auto key = rsa ? wv::tls::key_kind::rsa_2048 : wv::tls::key_kind::ecdsa_p256;
    std::atomic<long> next{0}, done{0};
    std::atomic<bool> failed{false};
    std::string first_error;
    std::mutex error_mu;
    const auto t0 = clock::now();
    auto worker = [&] {
        for (long i; !failed && (i = next++) < count;) {
            try {
                const auto name = expand_cn(cn, start + i);
                wv::tls::write_device_files(out, name, issuer.issue(name, key, days));
                ++done;
            } catch (const std::exception& e) {
                std::lock_guard lock(error_mu);
                if (!failed.exchange(true)) first_error = e.what();
            }
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
    // Progress once a second on long runs (stderr: stdout stays machine-readable).
    while (done < count && !failed) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        static auto last = clock::now();
        if (clock::now() - last >= std::chrono::seconds(1)) {
            last = clock::now();
            std::cerr << "wvca devices: " << done.load() << " / " << count << "\n";
        }
    }
    for (auto& t : pool) t.join();
    if (failed) {
        std::cerr << "wvca devices: " << first_error << " (" << done.load() << " of " << count << " written)\n";
        return 1;
    }
    const double s = std::chrono::duration<double>(clock::now() - t0).count();
    std::cout << out << "\n";
    std::fprintf(stderr, "wvca devices: %ld certificates (%s) in %s in %.2f s (%.0f/s, %u threads)\n", count,
                 rsa ? "RSA-2048" : "ECDSA P-256", out.c_str(), s, static_cast<double>(count) / s, threads);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"wvca: generate a local test CA, a server certificate and client certificates"};
    app.footer(footer);
    app.require_subcommand(1);

    std::string dir;
    bool rsa = false;
    std::vector<std::string> hosts;
    int days = 365;
    auto* init = app.add_subcommand("init", "create DIR/ca.{crt,key} and DIR/server.{crt,key}");
    init->add_option("DIR", dir, "output directory (created if missing)")->required();
    init->add_flag("--rsa", rsa, "RSA-2048 keys instead of ECDSA P-256");
    init->add_option("--host", hosts, "server SAN (DNS name or IP); repeatable; default localhost 127.0.0.1");
    init->add_option("--days", days, "validity in days")->check(CLI::Range(1, 36500));

    std::string cdir, name;
    bool crsa = false;
    int cdays = 365;
    auto* client = app.add_subcommand("client", "sign DIR/NAME.{crt,key} with the CA in DIR");
    client->add_option("DIR", cdir, "directory holding ca.crt and ca.key")->required();
    client->add_option("NAME", name, "client name: certificate CN and file stem")->required();
    client->add_flag("--rsa", crsa, "RSA-2048 key instead of ECDSA P-256");
    client->add_option("--days", cdays, "validity in days")->check(CLI::Range(1, 36500));

    std::string dca, dkey, dcn = "dev{n}", dout;
    long dcount = 1, dstart = 1;
    bool drsa = false;
    int ddays = 365;
    unsigned dthreads = std::max(1u, std::thread::hardware_concurrency());
    auto* devices = app.add_subcommand("devices", "a fleet's certificates: OUT/<cn>.{crt,key} for N devices, signed by any CA");
    devices->add_option("--ca", dca, "CA certificate (PEM)")->required()->check(CLI::ExistingFile);
    devices->add_option("--ca-key", dkey, "its private key (PEM, unencrypted)")->required()->check(CLI::ExistingFile);
    devices->add_option("--count", dcount, "how many devices")->check(CLI::Range(1L, 10'000'000L));
    devices->add_option("--start", dstart, "the first device number")->check(CLI::Range(0L, 1'000'000'000L));
    devices->add_option("--cn", dcn, "common name and file stem; {n} = device number, {n:04} zero-padded")
        ->capture_default_str();
    devices->add_option("--out", dout, "output directory (created if missing)")->required();
    devices->add_flag("--rsa", drsa, "RSA-2048 keys (what AWS issues; ~40x slower) instead of ECDSA P-256");
    devices->add_option("--days", ddays, "validity in days")->check(CLI::Range(1, 36500));
    devices->add_option("--threads", dthreads, "signing threads")->check(CLI::Range(1u, 256u))->capture_default_str();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }

    try {
        using wv::tls::key_kind;
        if (*init) {
            wv::tls::test_ca_options o{.key = rsa ? key_kind::rsa_2048 : key_kind::ecdsa_p256, .valid_days = days};
            if (!hosts.empty()) o.hosts = hosts;
            const auto f = wv::tls::make_test_ca(dir, o);
            std::cout << f.ca_cert.string() << "\n"
                      << f.ca_key.string() << "\n"
                      << f.server_cert.string() << "\n"
                      << f.server_key.string() << "\n";
        } else if (*devices) {
            return issue_fleet(dca, dkey, dcount, dstart, dcn, dout, drsa, ddays, dthreads);
        } else {
            const auto f = wv::tls::make_client_cert(cdir, name, crsa ? key_kind::rsa_2048 : key_kind::ecdsa_p256, cdays);
            std::cout << f.cert.string() << "\n" << f.key.string() << "\n";
        }
    } catch (const std::invalid_argument& e) {
        std::cerr << "wvca: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "wvca: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
