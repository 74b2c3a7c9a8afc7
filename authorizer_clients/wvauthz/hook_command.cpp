#include "authorizer_clients/wvauthz/hook_command.hpp"

#include <CLI/CLI.hpp>

#include <fstream>
#include <future>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "functions/build_backend.hpp"
#include "provisioning/device_csr.hpp"
#include "provisioning/pre_provisioning_hook.hpp"
#include "registry/amazon_ca.hpp"
#include "sigv4/crypto.hpp"
#include "registry/certificate_pem.hpp"

namespace wv::wvauthz {

namespace {

std::string with_number(std::string s, std::size_t n) {
    const auto num = std::to_string(n);
    for (std::size_t p = 0; (p = s.find("{n}", p)) != std::string::npos; p += num.size()) s.replace(p, 3, num);
    return s;
}

std::string read_text(const std::string& file, const char* flag) {
    std::ifstream in(file);
    if (!in) throw std::invalid_argument(std::string(flag) + " " + file + ": cannot open");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A device certificate as CreateCertificateFromCsr would issue it (made once per process).
const std::string& made_certificate() {
    static const std::string pem = [] {
        const auto ca = registry::amazon_ca::generate();
        return ca.sign_csr(provisioning::make_device_csr("wvauthz-hook-device").csr_pem);
    }();
    return pem;
}

std::string certificate_id(const std::string& pem) {
    std::string why;
    const auto c = registry::parse_certificate_pem(pem, &why);
    if (!c) throw std::invalid_argument("--certificate: " + why);
    return c->id;
}

}  // namespace

void add_hook_event_flags(CLI::App& cmd, hook_event_flags& f) {
    cmd.add_option("--event", f.event_file, "the event JSON file (instead of the fields below)")->group("Event");
    cmd.add_option("--param", f.params, "NAME=VALUE, repeatable: the RegisterThing parameters ({n}: the device number)")
        ->group("Event");
    cmd.add_option("--template", f.template_name, "the provisioning template's name (templateArn)")
        ->group("Event")
        ->capture_default_str();
    cmd.add_option("--client-id", f.client_id, "the device's MQTT client id ({n}: the device number)")
        ->group("Event")
        ->capture_default_str();
    cmd.add_option("--certificate", f.certificate,
                   "the new certificate's PEM file (certificatePem, certificateId); default: one made here")
        ->group("Event");
}

std::string hook_event(const hook_event_flags& f, const backend_flags& b, std::size_t n) {
    if (!f.event_file.empty()) {
        auto text = read_text(f.event_file, "--event");
        if (nlohmann::json::parse(text, nullptr, false).is_discarded())
            throw std::invalid_argument("--event " + f.event_file + ": not valid JSON");
        return text;
    }
    provisioning::hook_input in;
    in.certificate_pem = f.certificate.empty() ? made_certificate() : read_text(f.certificate, "--certificate");
    in.certificate_id = certificate_id(in.certificate_pem);
    in.claim_certificate_id = sigv4::sha256_hex("wvauthz claim certificate");
    in.template_arn = "arn:aws:iot:" + b.iot_region + ":" + b.account + ":provisioningtemplate/" + f.template_name;
    in.client_id = with_number(f.client_id, n);
    for (const auto& p : f.params) {
        const auto eq = p.find('=');
        if (eq == std::string::npos || eq == 0) throw std::invalid_argument("--param " + p + ": expected NAME=VALUE");
        in.parameters[p.substr(0, eq)] = with_number(p.substr(eq + 1), n);
    }
    return provisioning::hook_event_json(in);
}

auth::connect_outcome judge_hook_reply(const auth::authorization_result& r, std::string& kind) {
    const auto v = provisioning::read_hook_reply(r.reply.body);
    if (v.allow) return auth::connect_outcome::allowed;
    if (v.reason == "the hook answered allowProvisioning false") return auth::connect_outcome::denied;
    kind = v.reason.find("not a JSON object") != std::string::npos     ? "not_json"
           : v.reason.find("no boolean allowProvisioning") != std::string::npos ? "no_allow"
                                                                                 : "bad_overrides";
    return auth::connect_outcome::invalid_response;
}

int run_hook_invoke(const backend_flags& bf, const hook_event_flags& ef, int timeout_ms, bool json) {
    const auto event = hook_event(ef, bf, 1);
    auto built = backends::build_backend(to_spec(bf));
    const std::string backend = built.backend->describe();
    auth::authorizer_service svc(built.backend, {.deadline = std::chrono::milliseconds(timeout_ms), .max_concurrency = 1});
    std::promise<auth::authorization_result> p;
    svc.authorize(event, [&p](auth::authorization_result r) { p.set_value(std::move(r)); });
    const auto r = p.get_future().get();
    const bool transport = r.outcome == auth::authorization_outcome::timeout ||
                           r.outcome == auth::authorization_outcome::backend_error ||
                           r.outcome == auth::authorization_outcome::overloaded ||
                           r.outcome == auth::authorization_outcome::shut_down;
    const auto verdict = transport ? provisioning::hook_verdict{} : provisioning::read_hook_reply(r.reply.body);
    std::string word, why;
    int code;
    if (transport) {
        word = "error";
        why = std::string(auth::to_string(r.outcome)) + ": " + r.reason;
        code = 3;
    } else if (verdict.allow) {
        word = "allowed";
        code = 0;
    } else {
        const bool refused = verdict.reason == "the hook answered allowProvisioning false";
        word = refused ? "refused" : "invalid";
        why = verdict.reason;
        code = refused ? 1 : 3;
    }
    const double ms = std::chrono::duration<double, std::milli>(r.call_time).count();
    if (json) {
        nlohmann::json j{{"function", backend},
                         {"event", nlohmann::json::parse(event)},
                         {"verdict", word},
                         {"reason", why},
                         {"parameterOverrides", verdict.overrides},
                         {"reply", r.reply.body},
                         {"log", r.reply.log_lines},
                         {"latency_ms", ms}};
        std::cout << j.dump(2) << "\n";
    } else {
        std::cout << "function    " << backend << "\n"
                  << "event       " << event << "\n"
                  << "reply       " << (r.reply.body.empty() ? "(none)" : r.reply.body) << "\n"
                  << "verdict     " << word << (why.empty() ? "" : " (" + why + ")")
                  << (code == 0 ? ": RegisterThing goes on" : ": AWS refuses RegisterThing with 403 AccessDenied") << "\n";
        if (!verdict.overrides.empty()) {
            std::cout << "overrides  ";
            for (const auto& [k, v] : verdict.overrides) std::cout << " " << k << "=" << v;
            std::cout << "\n";
        }
        std::cout << "latency     " << ms << " ms (AWS's deadline: 5000 ms)\n";
        if (!r.reply.log_lines.empty()) {
            std::cout << "log\n";
            for (const auto& l : r.reply.log_lines) std::cout << "  " << l << "\n";
        }
        if (!r.reply.detail.empty()) std::cout << "detail      " << r.reply.detail << "\n";
    }
    return code;
}

}  // namespace wv::wvauthz
