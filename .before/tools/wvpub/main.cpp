// wvpub: a drop-in for mosquitto_pub 2.0.11 (the default mode) and for Ayyeka's pub.py
// (`wvpub pubpy ...` or `--pubpy`), on Eclipse Paho MQTT C++.
#include <mqtt/exception.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "aws_warnings.hpp"
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
    if (!o.quiet)
        for (const auto& w : aws_warnings(o)) std::fputs(w.c_str(), stderr);
    req.options = std::move(o);
    return run_publisher(req);
}

int run(const std::vector<std::string>& args) {
    try {
        // pub.py mode only as the first word, so no mosquitto_pub command line (say -m --pubpy)
        // changes meaning.
        if (!args.empty() && (args[0] == "pubpy" || args[0] == "--pubpy"))
            return run_pubpy(std::vector<std::string>(args.begin() + 1, args.end()));
        return mosquitto_mode(args);
    } catch (const mqtt::exception& e) {
        std::fprintf(stderr, "Error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "Error: %s\n", e.what());
        return 1;
    }
}

}  // namespace

int main(int argc, char* argv[]) {
    const int rc = run(std::vector<std::string>(argv + 1, argv + argc));
    // A Paho session is left running down (run_publisher()): end here, without exit handlers
    // that could race its threads, once the output is out.
    std::fflush(nullptr);
    std::_Exit(rc);
}
