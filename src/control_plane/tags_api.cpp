// Tags: TagResource (POST /tags), UntagResource (POST /untag), ListTagsForResource (GET /tags),
// and the tags a create call carries (with_create_tags).
#include "auth/username.hpp"
#include "control_plane/routes.hpp"

namespace wv::control_plane {

using json = nlohmann::json;

namespace {

// A TagList: [{"Key": ..., "Value": ...}]; Value may be absent (an empty value).
registry::outcome<registry::registry::tag_map> tag_list(const json& list, const char* name) {
    registry::registry::tag_map out;
    if (!list.is_array()) return registry::fail(registry::errc::invalid_request, std::string(name) + " must be a list of {Key, Value}");
    for (const auto& t : list) {
        if (!t.is_object() || !t.contains("Key") || !t["Key"].is_string() || (t.contains("Value") && !t["Value"].is_string()))
            return registry::fail(registry::errc::invalid_request, std::string(name) + ": each tag is {\"Key\": string, \"Value\": string}");
        out[t["Key"].get<std::string>()] = t.value("Value", "");
    }
    return out;
}

// CreateTopicRule's x-amz-tagging header: "key1=value1&key2=value2", URL-encoded.
registry::outcome<registry::registry::tag_map> tagging_header(const std::string& text) {
    registry::registry::tag_map out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto amp = text.find('&', start);
        if (amp == std::string::npos) amp = text.size();
        const auto kv = std::string_view(text).substr(start, amp - start);
        const auto eq = kv.find('=');
        const auto k = auth::url_decode(kv.substr(0, eq));
        const auto v = eq == std::string_view::npos ? std::optional<std::string>("") : auth::url_decode(kv.substr(eq + 1));
        if (!k || !v) return registry::fail(registry::errc::invalid_request, "x-amz-tagging: bad percent-encoding in '" + std::string(kv) + "'");
        out[*k] = *v;
        start = amp + 1;
    }
    return out;
}

registry::outcome<std::string> resource_arn(const parsed_request& r, bool in_query) {
    if (in_query) {
        const auto a = r.q("resourceArn");
        if (!a || a->empty()) return registry::fail(registry::errc::invalid_request, "resourceArn is required");
        return *a;
    }
    const auto a = body_string(r, "resourceArn");
    if (!a) return a.err();
    if (!a.value() || a.value()->empty()) return registry::fail(registry::errc::invalid_request, "resourceArn is required");
    return *a.value();
}

http_response tag_resource(const context& c, const parsed_request& r, const std::vector<std::string>&) {
    const auto arn = resource_arn(r, false);
    if (!arn) return error_response(arn.err());
    if (!r.body.contains("tags")) return error_response(registry::errc::invalid_request, "tags is required");
    const auto tags = tag_list(r.body["tags"], "tags");
    if (!tags) return error_response(tags.err());
    if (auto e = c.reg.tag_resource(arn.value(), tags.value())) return error_response(*e);
    return empty_response();
}

http_response untag_resource(const context& c, const parsed_request& r, const std::vector<std::string>&) {
    const auto arn = resource_arn(r, false);
    if (!arn) return error_response(arn.err());
    const auto keys = r.body.find("tagKeys");
    if (keys == r.body.end() || !keys->is_array()) return error_response(registry::errc::invalid_request, "tagKeys is required (a list)");
    std::vector<std::string> names;
    for (const auto& k : *keys) {
        if (!k.is_string()) return error_response(registry::errc::invalid_request, "tagKeys: each key is a string");
        names.push_back(k.get<std::string>());
    }
    if (auto e = c.reg.untag_resource(arn.value(), names)) return error_response(*e);
    return empty_response();
}

http_response list_tags_for_resource(const context& c, const parsed_request& r, const std::vector<std::string>&) {
    const auto arn = resource_arn(r, true);
    if (!arn) return error_response(arn.err());
    const auto p = token_page(r);
    if (!p) return error_response(p.err());
    const auto page = c.reg.list_tags_for_resource(arn.value(), p.value());
    if (!page) return error_response(page.err());
    json tags = json::array();
    for (const auto& [k, v] : page.value().items) tags.push_back({{"Key", k}, {"Value", v}});
    json body{{"tags", tags}};
    if (!page.value().next.empty()) body["nextToken"] = page.value().next;
    return json_response(body);
}

}  // namespace

http_response with_create_tags(const context& c, const parsed_request& r, const std::vector<std::string>& v,
                               handler_fn create, const char* arn_field) {
    registry::outcome<registry::registry::tag_map> tags = registry::registry::tag_map{};
    if (r.body.contains("tags")) tags = tag_list(r.body["tags"], "tags");
    else if (const auto h = r.header("x-amz-tagging")) tags = tagging_header(*h);
    if (!tags) return error_response(tags.err());
    if (auto e = registry::registry::check_tags(tags.value())) return error_response(*e);
    auto resp = create(c, r, v);
    if (resp.status != 200 || tags.value().empty()) return resp;
    std::string arn;
    if (arn_field) {
        const auto body = json::parse(resp.body, nullptr, false);
        arn = body.is_object() ? body.value(arn_field, "") : "";
    } else {
        arn = c.reg.acct().arn("rule", v.at(0));  // CreateTopicRule answers nothing
    }
    // Checked before the create: only the store can fail here, and AWS would not have created.
    if (auto e = c.reg.tag_resource(arn, tags.value())) return error_response(*e);
    return resp;
}

void add_tags_routes(std::vector<route>& r) {
    r.insert(r.end(), {
        {"POST", "tags", tag_resource},
        {"POST", "untag", untag_resource},
        {"GET", "tags", list_tags_for_resource},
    });
}

}  // namespace wv::control_plane
