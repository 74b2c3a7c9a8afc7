#include "options.hpp"

#include <algorithm>
#include <iostream>
#include <map>

#include <CLI/CLI.hpp>
#include <yaml-cpp/yaml.h>

#include "verdict.hpp"

namespace wv::sim {

namespace {


// YAML keys become `--key=value` arguments placed before the real ones, so the command line
// wins (options keep the last value). Records file:line per flag for error messages.
std::vector<std::string> yaml_args(const std::filesystem::path& file, const CLI::App& app,
                                   std::map<std::string, std::string>& where) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(file.string());
    } catch (const YAML::BadFile&) {
        throw config_error(file.string() + ": cannot read the config file");
    } catch (const YAML::Exception& e) {
        throw config_error(file.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    std::vector<std::string> out;
    if (root.IsNull()) return out;
    if (!root.IsMap()) throw config_error(file.string() + ": expected a map of option: value");
    for (const auto& kv : root) {
        const auto key = kv.first.as<std::string>();
        const auto at = file.string() + ":" + std::to_string(kv.first.Mark().line + 1);
        std::string flag = key;
        std::replace(flag.begin(), flag.end(), '_', '-');
        if (flag == "config" || flag == "help" || !app.get_option_no_throw("--" + flag))
            throw config_error(at + ": unknown option '" + key + "' (keys are wvsim's long flag names)");
        where["--" + flag] = at;
        const auto& v = kv.second;
        if (v.IsSequence()) {
            for (const auto& e : v) out.push_back("--" + flag + "=" + e.as<std::string>());
        } else if (v.IsScalar()) {
            out.push_back("--" + flag + "=" + v.as<std::string>());
        } else {
            throw config_error(at + ": '" + key + "' must be a value or a list");
        }
    }
    return out;
}

void check_output_path(const std::filesystem::path& file, const char* flag) {
    if (file.empty()) return;
    const auto dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        throw config_error(std::string(flag) + " " + file.string() + ": no such directory " + dir.string());
    if (std::filesystem::is_directory(file, ec))
        throw config_error(std::string(flag) + " " + file.string() + ": is a directory");
}

void add_run_options(CLI::App& app, sim_options& o, std::string& shard_text, std::string& engine_text,
                     double& connect_timeout_s, double& ack_timeout_s) {
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    auto* ep = app.add_option_group("Endpoint");
    ep->add_option("--host", o.host, "MQTT-over-TLS endpoint (AWS IoT Core, mosquitto, ...); none: embedded wvgate");
    ep->add_option("--port", o.port, "TCP port")->capture_default_str();
    ep->add_option("--sni", o.sni, "TLS server name and certificate name (default: --host)");
    ep->add_option("--alpn", o.alpn, "ALPN protocols to offer, comma separated; 'none' offers none")
        ->delimiter(',')
        ->capture_default_str()
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    ep->add_option("--cafile", o.ca_file, "CA bundle that signs the server's certificate (default: system store)");
    ep->add_flag("--insecure", o.insecure, "skip certificate and host-name checks (only when asked)");
    ep->add_option("--resumption", o.resumption, "TLS session resumption: auto (loopback only), on, off")
        ->check(CLI::IsMember({"auto", "on", "off"}))
        ->capture_default_str();
    ep->add_option("--gateway-config", o.gateway_config,
                   "without --host: run the embedded wvgate from this YAML (e.g. with a real authorizer backend)");

    auto* fl = app.add_option_group("Fleet");
    fl->add_option("-n,--devices", o.devices, "devices in the whole fleet (with --credentials: the first N rows)")
        ->capture_default_str()
        ->check(CLI::Range(1u, 10'000'000u));
    fl->add_option("--akid", o.ids.akid, "AKID template, e.g. 'AKID{n:6}' (default: 16 hex digits from index and seed)");
    fl->add_option("--username", o.ids.username, "user name template (before ?x-amz-customauthorizer-name=)")
        ->capture_default_str();
    fl->add_option("--password", o.ids.password, "password template")->capture_default_str();
    fl->add_option("--authorizer", o.ids.authorizer, "custom authorizer name; empty: no query in the user name")
        ->capture_default_str();
    fl->add_option("--credentials", o.credentials, "credentials CSV with a header, e.g. akid,username,password,authorizer,expected (config/credentials.md)");
    fl->add_option("--seed", o.ids.seed, "seed for identities, phases, jitter, kills and sample values")->capture_default_str();
    fl->add_option("--shard", shard_text, "run slice i of N of the fleet, e.g. 0/4")->capture_default_str();

    auto* ld = app.add_option_group("Load");
    ld->add_option("--connect-rate", o.connect_rate, "connects/s ramp (0: as fast as --max-connecting allows)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    ld->add_option("--max-connecting", o.max_connecting, "connects in flight (mosquitto's accept backlog is 100)")
        ->check(CLI::Range(1u, 100'000u))
        ->capture_default_str();
    ld->add_option("--interval", o.interval_s, "seconds between reports of one device")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    ld->add_option("--rate", o.rate, "messages/s over the fleet (overrides --interval)")->check(CLI::NonNegativeNumber);
    ld->add_option("-d,--duration", o.duration_s, "seconds the run lasts (default 30; with --messages: until done)")
        ->check(CLI::PositiveNumber);
    ld->add_option("--messages", o.messages, "reports per device (0: until --duration)");
    ld->add_option("--jitter", o.jitter, "fraction of the interval each report moves, 0..1")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    ld->add_option("--churn", o.churn_s, "each device reconnects cleanly every S seconds")->check(CLI::NonNegativeNumber);
    ld->add_option("--kill", o.kill, "fraction of devices that drop TCP without DISCONNECT (wills fire)")
        ->check(CLI::Range(0.0, 1.0));
    ld->add_option("--qos", o.qos, "QoS of reports (0 or 1)")->check(CLI::Range(0, 1))->capture_default_str();
    ld->add_option("--keep-alive", o.keep_alive_s, "MQTT keep-alive seconds")->capture_default_str();
    ld->add_option("--profile", o.profile, "report profile YAML (channels, samples); default: Ayyeka's sample client")
        ->check(CLI::ExistingFile);
    ld->add_option("--topic", o.topic, "report topic template")->capture_default_str();
    ld->add_option("--will-topic", o.will_topic, "last-will and ReportEnd topic template")->capture_default_str();
    ld->add_option("--connect-timeout", connect_timeout_s, "seconds for each of TCP, TLS and CONNACK")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    ld->add_option("--ack-timeout", ack_timeout_s, "seconds without PUBACK/PINGRESP before a connection counts as dead")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();

    auto* out = app.add_option_group("Engine and output");
    out->add_option("--engine", engine_text, "asio (lean, default) or paho (cross-check on Paho MQTT C++)")
        ->check(CLI::IsMember({"asio", "paho"}))
        ->capture_default_str();
    out->add_option("--threads", o.threads, "I/O threads (0: one per core)");
    out->add_flag("--verify", o.verify, "subscribe to wv/+/1/# and check every report and will arrived");
    out->add_option("--verify-username", o.verify_username, "--verify with --host: the subscriber's MQTT user name");
    out->add_option("--verify-password", o.verify_password, "--verify with --host: the subscriber's password");
    out->add_flag("-q,--quiet", o.quiet, "no progress line on stderr");
    out->add_option("--json", o.json_file, "write the full report as JSON (input of `wvsim merge`)");
    out->add_option("--html", o.html_file, "write a self-contained HTML report with plots");
}

}  // namespace

parse_outcome parse_options(int argc, const char* const* argv) {
    parse_outcome r;
    std::vector<std::string> args(argv + 1, argv + argc);

    if (!args.empty() && args[0] == "merge") {
        CLI::App m{"wvsim merge: combine the --json reports of shards into one (histograms merge exactly)",
                   "wvsim merge"};
        m.add_option("reports", r.merge_inputs, "wvsim --json files")->required()->check(CLI::ExistingFile);
        m.add_option("--json", r.merge_json, "write the merged report as JSON");
        m.add_option("--html", r.merge_html, "write the merged report as HTML");
        m.footer(exit_codes_help);
        try {
            std::vector<std::string> rest(args.begin() + 1, args.end());
            std::reverse(rest.begin(), rest.end());  // CLI11 parses a vector from the back
            m.parse(rest);
        } catch (const CLI::CallForHelp&) {
            std::cout << m.help();
            r.kind = parse_outcome::exit;
            return r;
        } catch (const CLI::ParseError& e) {
            std::cerr << "wvsim merge: " << e.what() << "\n";
            r.kind = parse_outcome::exit;
            r.exit_code = 2;
            return r;
        }
        try {
            check_output_path(r.merge_json, "--json");
            check_output_path(r.merge_html, "--html");
        } catch (const config_error& e) {
            std::cerr << "wvsim merge: " << e.what() << "\n";
            r.kind = parse_outcome::exit;
            r.exit_code = 2;
            return r;
        }
        r.kind = parse_outcome::merge;
        return r;
    }

    auto& o = r.options;
    CLI::App app{"wvsim: a fleet of simulated Ayyeka Wavelet dataloggers (MQTT 3.1.1 over TLS, AWS IoT custom "
                 "authorizer logins) for load-testing authorizers and pipelines.\n"
                 "Without --host it starts an embedded wvgate on 127.0.0.1 and points the fleet at it.\n"
                 "`wvsim merge a.json b.json ...` combines shard reports.",
                 "wvsim"};
    std::string shard_text = "0/1", engine_text = "asio";
    double connect_timeout_s = 10, ack_timeout_s = 30;
    std::filesystem::path config;
    app.add_option("--config", config, "YAML file of options (keys: the long flag names)");
    add_run_options(app, o, shard_text, engine_text, connect_timeout_s, ack_timeout_s);
    app.footer(exit_codes_help);

    std::map<std::string, std::string> where;
    try {
        // --config first: the file's values go before the command line's.
        for (std::size_t i = 0; i < args.size(); ++i) {
            if (args[i] == "--config" && i + 1 < args.size()) config = args[i + 1];
            else if (args[i].starts_with("--config=")) config = args[i].substr(9);
        }
        std::vector<std::string> all;
        if (!config.empty()) all = yaml_args(config, app, where);
        all.insert(all.end(), args.begin(), args.end());
        std::reverse(all.begin(), all.end());
        app.parse(all);
        o.part = parse_shard(shard_text);
        o.devices_given = app.count("--devices") > 0;
        o.engine = engine_text == "paho" ? engine_kind::paho : engine_kind::asio;
        o.connect_timeout = std::chrono::milliseconds(static_cast<long>(connect_timeout_s * 1000));
        o.ack_timeout = std::chrono::milliseconds(static_cast<long>(ack_timeout_s * 1000));
        if (o.alpn.size() == 1 && o.alpn[0] == "none") o.alpn.clear();
        // With a message budget and no duration, run until the budget is spent.
        if (app.count("--duration") == 0 && o.messages)
            o.duration_s = static_cast<double>(o.messages) * (o.rate > 0 ? o.devices / o.rate : o.interval_s) + 1 +
                           (o.connect_rate > 0 ? o.devices / o.connect_rate : 0);
        if (o.sni.empty()) o.sni = o.host;
        if (!o.gateway_config.empty() && !o.host.empty())
            throw config_error("--gateway-config configures the embedded gateway; it cannot be used with --host");
        if (!o.ca_file.empty() && !std::filesystem::exists(o.ca_file))
            throw config_error("--cafile " + o.ca_file.string() + ": no such file");
        // A report path that cannot be written is found now, not after an hour's run.
        check_output_path(o.json_file, "--json");
        check_output_path(o.html_file, "--html");
        if (!o.credentials.empty() && !std::filesystem::exists(o.credentials))
            throw config_error("--credentials " + o.credentials.string() + ": no such file");
        // Templates are checked here so a typo fails before any connection.
        (void)identity_generator(o.ids);
        (void)field_template(o.topic, "--topic");
        (void)field_template(o.will_topic, "--will-topic");
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        r.kind = parse_outcome::exit;
        return r;
    } catch (const CLI::ParseError& e) {
        std::string msg = e.what();
        for (const auto& [flag, at] : where)
            if (msg.find(flag) != std::string::npos) msg = at + ": " + msg;
        std::cerr << "wvsim: " << msg << "\n(see wvsim --help)\n";
        r.kind = parse_outcome::exit;
        r.exit_code = 2;
        return r;
    } catch (const config_error& e) {
        std::cerr << "wvsim: " << e.what() << "\n";
        r.kind = parse_outcome::exit;
        r.exit_code = 2;
        return r;
    }
    return r;
}

}  // namespace wv::sim
