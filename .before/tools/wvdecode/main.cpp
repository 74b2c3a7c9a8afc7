// wvdecode: decode Wavelet payloads to the JSON Ayyeka's decoder Lambda produces, to protobuf
// text format, or encode JSON/text back to payload bytes.
//
// Exit codes: 0 every input handled; 1 runtime failure (unreadable file, write error);
// 2 usage error; 3 at least one input was malformed (the others were still decoded).
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>

#include <chrono>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "decode_modes.hpp"
#include "payload/report_encoder.hpp"
#include "payload/report_profile.hpp"
#include "payload_input.hpp"
#include "util/base64.hpp"
#include "util/hex.hpp"

using namespace wv::wvdecode;

namespace {

constexpr int exit_ok = 0, exit_runtime = 1, exit_usage = 2, exit_malformed = 3;

const char* const examples = R"(Examples:
  wvdecode 080712121204080110041a0a08e80710f4031a02082a   one hex (or base64) payload
  wvdecode -f report.bin --in raw                  a binary payload from a file
  wvdecode --generate 3 | wvdecode --in base64    one base64 payload per stdin line
  wvdecode --text CAcSEhIECAEQBBoKCOgHEPQDGgIIKg==  protobuf text format
  wvdecode --event -f events.jsonl                 rule events in, the Lambda's results out
  wvdecode --encode --out hex -f report.txtpb      text format (or JSON) in, payload bytes out
  wvdecode --type reportend 080710011802           force the message type
  wvdecode --generate 3 --out hex                  three reports of the default profile
  wvdecode --generate 1 --profile config/profiles/gps-jpg.yaml | wvdecode --pretty

Exit codes: 0 ok, 1 runtime failure, 2 usage error, 3 malformed input (reported on stderr with
the byte offset and field path; the other inputs are still decoded).)";

std::string read_all(std::istream& in) { return {std::istreambuf_iterator<char>(in), {}}; }

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"wvdecode: Wavelet payloads (akproto1.SamplesBatchMessage, ReportEndMessage) to the decoder "
                 "Lambda's JSON, protobuf text format, or back to bytes."};
    app.footer(examples);
    app.get_formatter()->column_width(34);

    std::string payload_arg, file;
    std::string in_name = "auto", type_name = "auto", out_name = "base64";
    bool lambda = false, event = false, text = false, encode = false;
    std::uint64_t generate = 0, now_ms = 0;
    std::int64_t first_id = 1;
    std::uint32_t device = 0;
    std::string profile_file;
    mode_options opt;

    app.add_option("payload", payload_arg,
                   "One payload on the command line (hex, base64 or raw; see --in). Without it, -f or stdin is read.");
    app.add_option("-f,--file", file, "Read payloads from FILE ('-' = stdin). Example: -f reports.b64");
    app.add_option("--in", in_name,
                   "Input encoding: auto (default: hex, else base64, else raw; a stream with binary bytes is "
                   "one raw payload), raw (whole stream is one payload), base64 or hex (one payload per line). "
                   "Example: --in base64")
        ->check(CLI::IsMember({"auto", "raw", "base64", "hex"}));
    app.add_option("--type", type_name,
                   "Message type: auto (default: samples, unless the bytes are exactly a ReportEndMessage), "
                   "samples or reportend. Example: --type reportend")
        ->check(CLI::IsMember({"auto", "samples", "reportend"}));
    auto* m_lambda = app.add_flag("--lambda", lambda,
                                  "Print the data_samples object the decoder Lambda produces (the default). "
                                  "Example: wvdecode --lambda CAE=");
    auto* m_event = app.add_flag("--event", event,
                                 "Input lines are rule events {\"client_id\",\"topic\",\"data\",\"timestamp\"}; print "
                                 "the Lambda's full result, or null for topics without \"samp\". "
                                 "Example: wvdecode --event -f events.jsonl");
    auto* m_text = app.add_flag("--text", text, "Print protobuf text format. Example: wvdecode --text -f r.bin --in raw");
    auto* m_encode = app.add_flag("--encode", encode,
                                  "Read protobuf JSON or text format, write payload bytes (see --out). "
                                  "Example: echo 'report_id: 1' | wvdecode --encode");
    m_lambda->excludes(m_event, m_text, m_encode);
    m_event->excludes(m_text, m_encode);
    m_text->excludes(m_encode);
    auto* m_generate = app.add_option("--generate", generate,
                                      "Write N reports of a profile (see --profile), one per line, report_id "
                                      "counting from --first-id. Example: --generate 10 --out hex");
    m_generate->excludes(m_lambda, m_event, m_text, m_encode);
    app.add_option("--profile", profile_file, "With --generate: a YAML/JSON report profile (default: the sample "
                   "client's 3 TEMP channels). Example: --profile config/profiles/mixed-50.yaml")->needs(m_generate);
    app.add_option("--first-id", first_id, "With --generate: the first report_id (default 1). Example: --first-id 100")
        ->needs(m_generate);
    app.add_option("--device", device, "With --generate: the device index that, with the profile's seed, fixes the "
                   "values (default 0). Example: --device 17")->needs(m_generate);
    app.add_option("--now-ms", now_ms, "With --generate: the device clock in ms since the epoch (default: now; "
                   "each report adds 1000). Example: --now-ms 1700000000000")->needs(m_generate);
    app.add_option("--out", out_name, "With --encode or --generate: base64 (default), hex or raw. Example: --out hex")
        ->check(CLI::IsMember({"base64", "hex", "raw"}));
    app.add_flag("--strict", opt.strict,
                 "Reject unknown fields and known fields with the wrong wire type (libprotobuf and the Lambda "
                 "skip them). Example: wvdecode --strict -f r.b64");
    app.add_flag("--pretty", opt.pretty, "Indent JSON output instead of one line per input. Example: --pretty");

    try {
        app.parse(argc, argv);
        if (!payload_arg.empty() && !file.empty()) throw CLI::ValidationError("payload", "give a payload or --file, not both");
        if (out_name != "base64" && !encode && !generate)
            throw CLI::ValidationError("--out", "--out only applies with --encode or --generate");
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? exit_ok : exit_usage;
    }

    const std::map<std::string, input_encoding> encodings = {
        {"auto", input_encoding::auto_detect}, {"raw", input_encoding::raw},
        {"base64", input_encoding::base64}, {"hex", input_encoding::hex}};
    const auto in_enc = encodings.at(in_name);
    opt.type = type_name == "samples" ? message_type::samples
               : type_name == "reportend" ? message_type::reportend : message_type::auto_detect;
    const auto out_enc = out_name == "hex" ? output_encoding::hex
                         : out_name == "raw" ? output_encoding::raw : output_encoding::base64;

    if (generate) {
        wv::payload::report_profile profile;
        try {
            profile = profile_file.empty() ? wv::payload::default_profile() : wv::payload::load_profile(profile_file);
            wv::payload::validate(profile);
        } catch (const std::exception& e) {
            std::cerr << "wvdecode: " << e.what() << '\n';
            return exit_usage;
        }
        if (now_ms == 0)
            now_ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                    std::chrono::system_clock::now().time_since_epoch()).count());
        wv::payload::report_encoder enc(std::move(profile), device);
        std::vector<std::byte> buf;
        for (std::uint64_t i = 0; i < generate; ++i) {
            enc.encode(first_id + static_cast<std::int64_t>(i), now_ms + i * 1000, buf);
            const std::string_view bytes(reinterpret_cast<const char*>(buf.data()), buf.size());
            if (out_enc == output_encoding::raw) std::cout << bytes;
            else std::cout << (out_enc == output_encoding::hex ? wv::util::hex_encode(bytes) : wv::util::base64_encode(bytes)) << '\n';
        }
        std::cout.flush();
        return std::cout ? exit_ok : exit_runtime;
    }

    // Gather the input text: the argument, a file, or stdin.
    std::string content;
    const bool from_arg = !payload_arg.empty();
    if (from_arg) {
        content = payload_arg;
    } else if (!file.empty() && file != "-") {
        std::ifstream f(file, std::ios::binary);
        if (!f) {
            std::cerr << "wvdecode: " << file << ": cannot open\n";
            return exit_runtime;
        }
        content = read_all(f);
    } else {
        content = read_all(std::cin);
    }

    bool all_ok = true;
    const auto first = content.find_first_not_of(" \t\r\n");
    if (encode) {
        // One JSON document or text-format message; several JSON documents go one per line.
        if (first != std::string::npos && content[first] == '{' && !nlohmann::json::accept(content)) {
            for (const auto& [n, line] : non_empty_lines(content))
                all_ok &= encode_document(line, "line " + std::to_string(n), opt, out_enc, std::cout, std::cerr);
        } else {
            all_ok = encode_document(first == std::string::npos ? std::string_view{} : std::string_view(content).substr(first),
                                     from_arg ? "argument" : "input", opt, out_enc, std::cout, std::cerr);
        }
    } else if (event) {
        for (const auto& [n, line] : non_empty_lines(content))
            all_ok &= print_event(line, from_arg ? "argument" : "line " + std::to_string(n), opt, std::cout, std::cerr);
    } else {
        const auto items = from_arg ? std::vector{decode_text_payload(content, in_enc, "argument")}
                                    : split_stream(content, in_enc);
        for (const auto& item : items)
            all_ok &= text ? print_text(item, opt, std::cout, std::cerr) : print_lambda(item, opt, std::cout, std::cerr);
    }
    std::cout.flush();
    if (!std::cout) {
        std::cerr << "wvdecode: write error on stdout\n";
        return exit_runtime;
    }
    return all_ok ? exit_ok : exit_malformed;
}
