#include "functions/lambda_http/http_url.hpp"

#include <charconv>
#include <stdexcept>

namespace wv::lambda_http {

std::string http_url::host_header() const {
    const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return (tls && port == 443) || (!tls && port == 80) ? h : h + ":" + std::to_string(port);
}

http_url parse_http_url(std::string_view url) {
    const auto fail = [&](const std::string& why) {
        return std::invalid_argument("URL '" + std::string(url) + "': " + why);
    };
    http_url out;
    std::string_view rest;
    if (url.rfind("http://", 0) == 0) rest = url.substr(7);
    else if (url.rfind("https://", 0) == 0) { out.tls = true; rest = url.substr(8); }
    else throw fail("must start with http:// or https://");
    const auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    if (slash != std::string_view::npos) {
        out.base_path = std::string(rest.substr(slash));
        if (out.base_path.find_first_of("?#") != std::string::npos) throw fail("no query or fragment allowed");
        while (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();
    }
    if (authority.find('@') != std::string_view::npos) throw fail("credentials in the URL are not supported");
    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) throw fail("unterminated IPv6 literal");
        out.host = std::string(authority.substr(1, close - 1));
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':') throw fail("junk after the IPv6 literal");
            port_text = authority.substr(close + 2);
        }
    } else {
        const auto colon = authority.find(':');
        out.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    }
    if (out.host.empty()) throw fail("no host");
    out.port = out.tls ? 443 : 80;
    if (!port_text.empty()) {
        unsigned p = 0;
        const auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
        if (ec != std::errc() || ptr != port_text.data() + port_text.size() || p == 0 || p > 65535)
            throw fail("bad port '" + std::string(port_text) + "'");
        out.port = static_cast<std::uint16_t>(p);
    }
    return out;
}

std::string region_from_lambda_host(std::string_view host) {
    constexpr std::string_view prefix = "lambda.";
    if (host.rfind(prefix, 0) != 0) return {};
    const auto rest = host.substr(prefix.size());
    const auto dot = rest.find('.');
    if (dot == std::string_view::npos || rest.substr(dot) .find("amazonaws.com") == std::string_view::npos) return {};
    return std::string(rest.substr(0, dot));
}

}  // namespace wv::lambda_http
