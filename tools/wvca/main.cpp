// wvca: a local test certificate authority for the lab (CA, server and client certificates).
#include <CLI/CLI.hpp>

#include <iostream>
#include <stdexcept>

#include "tls/test_ca.hpp"

namespace {

constexpr const char* footer = R"(Examples:
  wvca init certs                        CA + server cert for localhost and 127.0.0.1 (ECDSA P-256)
  wvca init certs --rsa --host gw.local  RSA-2048, server cert for gw.local only
  wvca client certs device-0001          certs/device-0001.crt and .key, signed by certs/ca.key

Files: DIR/ca.crt ca.key server.crt server.key, DIR/<name>.crt <name>.key (PEM, keys mode 0600).
Exit codes: 0 ok, 1 failure (cannot write, OpenSSL error, no CA in DIR), 2 usage error.)";

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
        } else {
            const auto f = wv::tls::make_client_cert(cdir, name, crsa ? key_kind::rsa_2048 : key_kind::ecdsa_p256, cdays);
            std::cout << f.cert.string() << "\n" << f.key.string() << "\n";
        }
    } catch (const std::exception& e) {
        std::cerr << "wvca: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
