// wvgate: the AWS IoT Core device gateway on this machine.
//
//   wvgate [--config wvgate.yaml] [--port 4443] [--user U --password P] ...   run the gateway
//   wvgate policy-check --policy p.json --action iot:Publish --resource topic/wv/x --client-id d1
//   wvgate check-config wvgate.yaml
//   wvgate registry-export --config wvgate.yaml > seed.yaml    (or --state registry.db)
//
// Exit codes: 0 ok (policy-check: allowed), 1 runtime failure (policy-check: denied),
// 2 usage or configuration error.
#include <algorithm>
#include <csignal>
#include <iostream>
#include <fstream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "gateway/config_yaml.hpp"
#include "gateway/gateway.hpp"
#include "policy_check.hpp"
#include "registry/registry.hpp"
#include "registry/seed.hpp"

namespace {

constexpr const char* exit_codes =
    "\nExit codes: 0 ok (policy-check: allowed), 1 runtime failure (policy-check: denied), "
    "2 usage or configuration error.\n";

struct run_options {
    std::string config;
    std::optional<std::uint16_t> port;
    std::string address;
    std::string kind;
    std::string cert, key;
    std::optional<double> time_scale;
    std::string log_level;
    std::string log_file;
    std::optional<std::uint16_t> metrics_port;
    std::optional<unsigned> threads;
    std::string user, password, policy_file, ca_dir;
    std::optional<double> publish_rate;
    std::optional<std::size_t> max_connections;
};

int run_gateway(const run_options& o) {
    using namespace wv::gate;
    gateway_config cfg;
    try {
        if (!o.config.empty()) cfg = load_gateway_config(o.config);
        if (!cfg.listeners.empty()) {
            auto& l = cfg.listeners.front();
            if (o.port) l.port = *o.port;
            if (!o.address.empty()) l.address = o.address;
            if (!o.kind.empty()) l.kind = parse_listener_kind(o.kind);
            if (!o.cert.empty()) l.cert_file = o.cert;
            if (!o.key.empty()) l.key_file = o.key;
        }
        if (o.time_scale) cfg.time_scale = *o.time_scale;
        if (!o.log_level.empty()) cfg.level = parse_log_level(o.log_level);
        if (!o.log_file.empty()) cfg.log_file = o.log_file;
        if (o.metrics_port) cfg.metrics_port = *o.metrics_port;
        if (o.threads) cfg.threads = *o.threads;
        if (!o.ca_dir.empty()) cfg.generated_ca_dir = o.ca_dir;
        if (o.publish_rate) cfg.limits.publish_rate_per_s = *o.publish_rate;
        if (o.max_connections) cfg.limits.max_connections = *o.max_connections;
        if (!o.user.empty()) {
            // The quick start: one static authorizer with one device, made the default.
            authorizer_config a;
            // As in config/wvgate.yaml, so one device command line works with both; unless the
            // config already has a "wavelet".
            const bool taken = std::any_of(cfg.authorizers.begin(), cfg.authorizers.end(),
                                           [](const authorizer_config& x) { return x.name == "wavelet"; });
            a.name = taken ? "wvgate-static" : "wavelet";
            static_credential c;
            c.username = o.user;
            c.password = o.password;
            a.credentials = {c};
            if (!o.policy_file.empty()) {
                std::ifstream in(o.policy_file);
                if (!in) throw config_error(o.policy_file + ": cannot read the policy file");
                std::stringstream ss;
                ss << in.rdbuf();
                a.default_policies = {ss.str()};
            } else {
                a.default_policies = {allow_all_policy()};
            }
            cfg.authorizers.push_back(a);
            if (cfg.default_authorizer.empty()) cfg.default_authorizer = a.name;
        }
        // X.509 devices need no authorizer: the registry (control plane) or certificate_policies decide.
        const bool x509_listener = std::any_of(cfg.listeners.begin(), cfg.listeners.end(), [](const auto& l) {
            return l.kind == wv::gate::listener_kind::aws_8883 || l.kind == wv::gate::listener_kind::aws_8443;
        });
        if (cfg.authorizers.empty() && cfg.certificate_policies.empty() && !x509_listener)
            throw config_error("no authorizer configured: give --config FILE or --user/--password (see --help)");
    } catch (const std::exception& e) {
        std::cerr << "wvgate: " << e.what() << "\n";
        return 2;
    }

    gateway gw(std::move(cfg));
    try {
        gw.start();
    } catch (const std::exception& e) {
        std::cerr << "wvgate: " << e.what() << "\n";
        return 2;
    }
    for (const auto& l : gw.listeners())
        std::cerr << "wvgate: listening on " << l.address << ":" << l.port << " (" << l.name << ")\n";
    if (!gw.certificates().ca_cert.empty())
        std::cerr << "wvgate: devices trust " << std::filesystem::absolute(gw.certificates().ca_cert).string() << "\n";

    // SIGINT/SIGTERM stop cleanly: an io_context of our own waits for them.
    boost::asio::io_context signals_ctx;
    boost::asio::signal_set signals(signals_ctx, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
        if (!ec) std::cerr << "wvgate: signal " << sig << ", stopping\n";
    });
    signals_ctx.run();
    gw.stop();
    const auto s = gw.stats();
    std::cerr << "wvgate: stopped. connects accepted " << s.connects_accepted << ", auth failures "
              << s.connects_auth_failed << ", messages in " << s.messages_in << ", out " << s.messages_out
              << ", dropped " << s.messages_dropped << ", policy denials " << s.policy_denials << "\n";
    if (!s.scope_mismatch.empty()) std::cerr << "wvgate: warning: " << s.scope_mismatch << "\n";
    if (const auto rules = gw.rules_summary(); !rules.empty()) std::cerr << rules;
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"wvgate: the AWS IoT Core device gateway on this machine (custom authorizers, IoT policies, MQTT "
                 "broker). Without a subcommand it runs the gateway until SIGINT/SIGTERM."};
    app.footer(exit_codes);
    run_options o;
    app.add_option("-c,--config", o.config, "YAML configuration (see config/wvgate.yaml)");
    app.add_option("-p,--port", o.port, "port of the first listener (0: any free port; default 4443)");
    app.add_option("--address", o.address, "address of the first listener (default 127.0.0.1)");
    app.add_option("--listener-kind", o.kind, "aws-443 (default), aws-8883, aws-8443 or plain");
    app.add_option("--cert", o.cert, "server certificate PEM (default: a generated local CA)");
    app.add_option("--key", o.key, "server key PEM");
    app.add_option("--ca-dir", o.ca_dir, "where the generated local CA goes (default wvgate-ca)");
    app.add_option("--time-scale", o.time_scale,
                   "divide refreshAfterInSeconds/disconnectAfterInSeconds and session expiry by this");
    app.add_option("--log-level", o.log_level, "debug, info, warn, error or off");
    app.add_option("--log-file", o.log_file, "JSON-lines log file (default stderr)");
    app.add_option("--metrics-port", o.metrics_port, "serve Prometheus metrics on 127.0.0.1:PORT/metrics");
    app.add_option("--threads", o.threads, "I/O threads (default: one per core)");
    app.add_option("--user", o.user,
                   "quick start: accept this MQTT user name (the part before '?') through authorizer 'wavelet', "
                   "the default");
    app.add_option("--password", o.password, "quick start: ... with this password");
    app.add_option("--policy", o.policy_file, "quick start: the policy returned for it (default: allow all)");
    app.add_option("--publish-rate", o.publish_rate, "publishes per second per connection (AWS: 100; 0: unlimited)");
    app.add_option("--max-connections", o.max_connections, "connections beyond this are closed at once");

    auto* pc = app.add_subcommand("policy-check", "would this principal be allowed to do ACTION on RESOURCE? (offline)");
    wv::gate::policy_check_options pco;
    pc->add_option("--policy", pco.policy_files, "policy document file(s) (JSON)")->required();
    pc->add_option("--action", pco.action, "e.g. iot:Connect, iot:Publish, iot:Subscribe, iot:Receive")->required();
    pc->add_option("--resource", pco.resource,
                   "a full ARN, or client/<id>, topic/<t>, topicfilter/<f> (region/account added)")
        ->required();
    pc->add_option("--client-id", pco.client_id, "the connection's client id (${iot:ClientId})");
    pc->add_option("--source-ip", pco.source_ip, "${aws:SourceIp}");
    pc->add_option("--domain-name", pco.domain_name, "${iot:DomainName} (the SNI)");
    pc->add_option("--region", pco.region, "for short resources (default us-east-1)");
    pc->add_option("--account", pco.account, "for short resources (default 123456789012)");
    pc->add_flag("--persistent", pco.persistent, "connect attribute PersistentConnect (clean session 0)");
    pc->add_option("--will-topic", pco.will_topic, "connect attribute LastWill with this topic");
    pc->add_flag("--json", pco.json, "print the decision as JSON");
    pc->footer(exit_codes);

    auto* cc = app.add_subcommand("check-config", "parse a configuration file and report the first problem");
    std::string check_file;
    cc->add_option("file", check_file, "the YAML file")->required();
    cc->footer(exit_codes);

    auto* rx = app.add_subcommand("registry-export",
                                  "print the registry's state (things, policies, certificates, attachments, rules) "
                                  "as a seed file: control_plane.seed takes it back");
    std::string rx_config, rx_state, rx_region = "us-east-1", rx_account = "123456789012";
    rx->add_option("--config", rx_config, "the gateway's YAML: its state file, region and account");
    rx->add_option("--state", rx_state, "the registry's SQLite file (instead of --config)");
    rx->add_option("--region", rx_region, "with --state: the region the ARNs name");
    rx->add_option("--account", rx_account, "with --state: the account the ARNs name");
    rx->footer(exit_codes);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return 2;
    }
    if (*pc) return wv::gate::run_policy_check(pco, std::cout, std::cerr);
    if (*cc) {
        try {
            auto cfg = wv::gate::load_gateway_config(check_file);
            std::cout << check_file << ": ok (" << cfg.listeners.size() << " listener(s), " << cfg.authorizers.size()
                      << " authorizer(s), " << cfg.functions.size() << " function(s))\n";
            return 0;
        } catch (const std::exception& e) {
            std::cerr << "wvgate: " << e.what() << "\n";
            return 2;
        }
    }
    if (*rx) {
        try {
            wv::registry::registry_options ro{.acct = {.region = rx_region, .id = rx_account}, .state = rx_state};
            if (!rx_config.empty()) {
                const auto cfg = wv::gate::load_gateway_config(rx_config);
                ro = {.acct = {.region = cfg.region, .id = cfg.account}, .state = cfg.control_plane.state};
            }
            if (ro.state.empty()) {
                std::cerr << "wvgate: registry-export: no state file (give --state FILE, or --config with `state:`)\n";
                return 2;
            }
            if (!std::filesystem::exists(ro.state)) {
                std::cerr << "wvgate: registry-export: " << ro.state.string() << ": no such file\n";
                return 2;
            }
            const wv::registry::registry reg(ro);
            std::cout << wv::registry::export_seed_yaml(reg);
            return 0;
        } catch (const std::exception& e) {
            std::cerr << "wvgate: registry-export: " << e.what() << "\n";
            return 1;
        }
    }
    return run_gateway(o);
}
