#include "control_plane/api.hpp"

#include "control_plane/routes.hpp"
#include "control_plane/sigv4_check.hpp"

namespace wv::control_plane {
namespace {

struct compiled_route {
    std::string method;
    std::vector<std::string> pattern;
    handler_fn fn;
};

std::vector<compiled_route> build_routes() {
    std::vector<route> raw;
    add_things_routes(raw);
    add_certificates_routes(raw);
    add_ca_certificates_routes(raw);
    add_policies_routes(raw);
    add_principals_routes(raw);
    add_rules_routes(raw);
    add_endpoint_routes(raw);
    add_provisioning_routes(raw);
    add_tags_routes(raw);
    std::vector<compiled_route> out;
    for (const auto& r : raw) {
        compiled_route c{r.method, {}, r.fn};
        std::string p = r.pattern;
        std::size_t start = 0;
        while (start <= p.size()) {
            const auto slash = p.find('/', start);
            c.pattern.push_back(p.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
            if (slash == std::string::npos) break;
            start = slash + 1;
        }
        out.push_back(std::move(c));
    }
    return out;
}

const std::vector<compiled_route>& routes() {
    static const std::vector<compiled_route> r = build_routes();
    return r;
}

}  // namespace

registry::outcome<registry::page_request> token_page(const parsed_request& r, std::int64_t max) {
    auto n = query_int(r, "maxResults", 1, max);
    if (!n) return n.err();
    return registry::page_request{.marker = r.q("nextToken").value_or(""),
                                  .page_size = static_cast<std::size_t>(n.value().value_or(std::min<std::int64_t>(50, max))),
                                  .ascending = true};
}

registry::outcome<registry::page_request> marker_page(const parsed_request& r) {
    auto n = query_int(r, "pageSize", 1, 250);
    if (!n) return n.err();
    auto asc = query_bool(r, "isAscendingOrder");
    if (!asc) return asc.err();
    return registry::page_request{.marker = r.q("marker").value_or(""),
                                  .page_size = static_cast<std::size_t>(n.value().value_or(25)),
                                  .ascending = asc.value().value_or(true)};
}

api::api(registry::registry& reg, api_options options) : reg_(reg), opts_(std::move(options)) { (void)routes(); }

http_response api::handle(const http_request& request) const {
    auto parsed = parse_request(request);
    if (!parsed) return error_response(parsed.err());
    const auto& req = parsed.value();
    if (!opts_.sigv4_keys.empty())
        if (auto denied = check_sigv4(request, req, opts_.sigv4_keys, std::chrono::system_clock::now())) return *denied;
    bool path_known = false;
    for (const auto& r : routes()) {
        if (r.pattern.size() != req.segments.size()) continue;
        std::vector<std::string> vars;
        bool match = true;
        for (std::size_t i = 0; i < r.pattern.size() && match; ++i) {
            if (r.pattern[i] == "{}") {
                if (req.segments[i].empty()) match = false;
                else vars.push_back(req.segments[i]);
            } else {
                match = r.pattern[i] == req.segments[i];
            }
        }
        if (!match) continue;
        path_known = true;
        if (r.method != req.method) continue;
        const context ctx{reg_, opts_};
        try {
            return r.fn(ctx, req, vars);
        } catch (const std::exception& e) {
            // Handlers return errors as values; this is the last line for a bug, not a path.
            return error_response(registry::errc::internal, std::string("internal error: ") + e.what());
        }
    }
    http_response res;
    res.status = path_known ? 405 : 404;
    res.error_type = "UnknownOperationException";
    res.body = nlohmann::json{{"message", "this local AWS IoT control plane has no operation for " + req.method + " " +
                                              request.target.substr(0, request.target.find('?'))}}
                   .dump();
    return res;
}

}  // namespace wv::control_plane
