// wvpub: a drop-in for mosquitto_pub 2.0.11 (the default mode) and for Ayyeka's pub.py
// (`wvpub pubpy ...` or `--pubpy`), on Eclipse Paho MQTT C++.
#include <mqtt/exception.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "message_loader.hpp"
#include "options_file.hpp"
#include "parse_args.hpp"
#include "pubpy_mode.hpp"
#include "publisher.hpp"
#include "usage.hpp"
#include "wavelet_payloads.hpp"

namespace {

using namespace wv::wvpub;

constexpr const char* use_help = "\nUse 'mosquitto_pub --help' to see usage.\n";

// Warnings for AWS IoT use; on stderr, so they change no output a script reads.
void warn_about_aws(const pub_options& o) {
    if (o.quiet) return;
    if (o.akid && o.topic && !o.topic->empty() && o.topic->front() == '/')
        std::fprintf(stderr, "Warning: topic '%s' starts with '/': AWS IoT treats it as a different topic from "
                             "'%s' and IoT policies rarely match it.\n", o.topic->c_str(), o.topic->c_str() + 1);
    const auto host = o.effective_host();
    const std::string aws = "amazonaws.com";
    if (!o.id && !o.id_prefix && host.size() >= aws.size() && host.compare(host.size() - aws.size(), aws.size(), aws) == 0)
        std::fprintf(stderr, "Warning: no client id (-i) for an AWS endpoint: the custom authorizer gets no "
                             "protocolData.mqtt.clientId and policies using ${iot:ClientId} will not match.\n");
}

int mosquitto_mode(const std::vector<std::string>& args) {
    pub_options o;
    parse_outcome r;
    for (const auto& file : options_file_paths()) {
        r = apply_options_file(file, o);
        if (r.status != parse_status::ok) break;
    }
    if (r.status == parse_status::ok) r = apply_arguments(args, o);
    if (r.status == parse_status::ok) r = check_options(o);
    switch (r.status) {
        case parse_status::help: print_usage(stdout); return 1;
        case parse_status::version: print_version(stdout); return 1;
        case parse_status::error:
            std::fputs(r.error.c_str(), stderr);
            std::fputs(use_help, stderr);
            return 1;
        case parse_status::ok: break;
    }

    publish_request req;
    if (o.source == message_source::stdin_file) {
        if (auto e = load_stdin(stdin, req.payload)) {
            if (!o.quiet) std::fputs(e->text.c_str(), stderr);
            return 1;
        }
    } else if (o.source == message_source::file) {
        if (auto e = load_file(o.file_input, req.payload)) {
            if (!o.quiet) std::fputs(e->text.c_str(), stderr);
            return 1;
        }
    } else if (o.source == message_source::command_line) {
        req.payload = o.message;
    }
    if (!o.topic || o.source == message_source::none) {
        std::fputs("Error: Both topic and message must be supplied.\n", stderr);
        print_usage(stdout);
        return 1;
    }
    if (o.source == message_source::wavelet || o.wavelet_will) {
        try {
            const auto profile = wavelet_profile(o.wavelet_profile);
            if (o.source == message_source::wavelet) req.payload = encode_samples(profile, 1, unix_now_ms());
            if (o.wavelet_will) req.will_payload = encode_terminated_will(1);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "Error: --wavelet: %s\n", e.what());
            return 1;
        }
    }
    warn_about_aws(o);
    req.options = std::move(o);
    return run_publisher(req);
}

}  // namespace

int main(int argc, char* argv[]) {
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        if (!args.empty() && (args[0] == "pubpy" || args[0] == "--pubpy"))
            return run_pubpy(std::vector<std::string>(args.begin() + 1, args.end()));
        for (std::size_t i = 0; i < args.size(); ++i)
            if (args[i] == "--pubpy") {
                args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
                return run_pubpy(args);
            }
        return mosquitto_mode(args);
    } catch (const mqtt::exception& e) {
        std::fprintf(stderr, "Error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "Error: %s\n", e.what());
        return 1;
    }
}
