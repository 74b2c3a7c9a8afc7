#include "pubpy_mode.hpp"

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>

#include "parse_args.hpp"
#include "pubpy_session.hpp"
#include "usage.hpp"

namespace wv::wvpub {
namespace {

struct usage_error {
    std::string text;
};

std::optional<usage_error> parse_pubpy(const std::vector<std::string>& args, pubpy_options& o, bool& help) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        auto value = [&](std::string& field) -> std::optional<usage_error> {
            if (i + 1 >= args.size()) return usage_error{a + " needs a value"};
            field = args[++i];
            return std::nullopt;
        };
        auto number = [&](int& field, int min) -> std::optional<usage_error> {
            std::string v;
            if (auto e = value(v)) return e;
            char* end = nullptr;
            const long n = std::strtol(v.c_str(), &end, 10);
            if (end == v.c_str() || *end || n < min || n > 1000000) return usage_error{a + ": '" + v + "' is not a valid number"};
            field = static_cast<int>(n);
            return std::nullopt;
        };
        std::optional<usage_error> e;
        if (a == "--help" || a == "-h") help = true;
        else if (a == "--endpoint") e = value(o.endpoint);
        else if (a == "--ca-file" || a == "--root-ca") e = value(o.ca_file);
        else if (a == "--user" || a == "--username") e = value(o.user);
        else if (a == "--password") e = value(o.password);
        else if (a == "--authorizer" || a == "--authorizer-name") e = value(o.authorizer);
        else if (a == "--akid") e = value(o.akid);
        else if (a == "--port") e = number(o.port, 1);
        else if (a == "--messages" || a == "-n") e = number(o.messages, 1);
        else if (a == "--samples") e = number(o.samples, 1);
        else if (a == "--interval") {
            std::string v;
            e = value(v);
            if (!e) {
                o.interval_s = c_atof(v);
                if (o.interval_s < 0) e = usage_error{"--interval must be >= 0"};
            }
        } else if (a == "--sdk-metrics") o.sdk_metrics = true;
        else if (a == "--insecure") o.insecure = true;
        else if (a == "--timing") o.timing = true;
        else e = usage_error{"unknown option '" + a + "'"};
        if (e) return e;
    }
    if (help) return std::nullopt;
    for (const auto& [name, v] : {std::pair{"--endpoint", &o.endpoint}, {"--ca-file", &o.ca_file}, {"--user", &o.user},
                                  {"--password", &o.password}, {"--authorizer", &o.authorizer}, {"--akid", &o.akid}})
        if (v->empty()) return usage_error{std::string(name) + " is required"};
    return std::nullopt;
}

}  // namespace

std::string uuid_bits_to_decimal(const std::array<std::uint8_t, 16>& bytes) {
    // Long division by 10 over 32-bit limbs, most significant first.
    std::array<std::uint32_t, 4> limbs{};
    for (int i = 0; i < 16; ++i) limbs[static_cast<std::size_t>(i / 4)] = (limbs[static_cast<std::size_t>(i / 4)] << 8) | bytes[static_cast<std::size_t>(i)];
    std::string digits;
    auto is_zero = [&] { return limbs[0] == 0 && limbs[1] == 0 && limbs[2] == 0 && limbs[3] == 0; };
    do {
        std::uint64_t rem = 0;
        for (auto& l : limbs) {
            const std::uint64_t cur = (rem << 32) | l;
            l = static_cast<std::uint32_t>(cur / 10);
            rem = cur % 10;
        }
        digits.insert(digits.begin(), static_cast<char>('0' + rem));
    } while (!is_zero());
    return digits;
}

std::string uuid4_decimal() {
    std::random_device rd;
    std::array<std::uint8_t, 16> b{};
    for (auto& x : b) x = static_cast<std::uint8_t>(rd());
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
    return uuid_bits_to_decimal(b);
}

std::string pubpy_username(const std::string& user, const std::string& authorizer, bool sdk_metrics,
                           const std::string& sdk, const std::string& version) {
    std::string name = user + "?x-amz-customauthorizer-name=" + authorizer;
    // The Python v2 SDK appends its metrics with '&' once the user name has a '?'.
    if (sdk_metrics) name += "&SDK=" + sdk + "&Version=" + version;
    return name;
}

int run_pubpy(const std::vector<std::string>& args) {
    pubpy_options o;
    bool help = false;
    if (auto e = parse_pubpy(args, o, help)) {
        std::fprintf(stderr, "wvpub pubpy: %s (see 'wvpub pubpy --help')\n", e->text.c_str());
        return 2;
    }
    if (help) {
        print_pubpy_usage(stdout);
        return 0;
    }
    return run_pubpy_session(o, uuid4_decimal(), pubpy_username(o.user, o.authorizer, o.sdk_metrics));
}

}  // namespace wv::wvpub
