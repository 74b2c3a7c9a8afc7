// Things, thing types, thing groups: CreateThing, DescribeThing, ListThings, UpdateThing,
// DeleteThing, Create/Describe/List/Deprecate/DeleteThingType, Create/Describe/List/
// DeleteThingGroup, Add/RemoveThingToThingGroup, ListThingGroupsForThing, ListThingsInThingGroup.
#include "control_plane/routes.hpp"

namespace wv::control_plane {
namespace {

using nlohmann::json;
using registry::errc;

std::string arn(const context& c, const char* kind, const std::string& name) { return c.reg.acct().arn(kind, name); }

json thing_attribute(const context& c, const registry::thing& t) {
    json j{{"thingName", t.name}, {"thingArn", arn(c, "thing", t.name)}, {"attributes", t.attributes},
           {"version", t.version}};
    if (!t.type.empty()) j["thingTypeName"] = t.type;
    return j;
}

// attributePayload {attributes, merge}
struct attribute_payload {
    std::optional<std::map<std::string, std::string>> attributes;
    bool merge = false;
};
registry::outcome<attribute_payload> read_attribute_payload(const json& body) {
    attribute_payload out;
    const auto it = body.find("attributePayload");
    if (it == body.end() || it->is_null()) return out;
    if (!it->is_object()) return registry::fail(errc::invalid_request, "attributePayload must be an object");
    auto a = body_string_map(*it, "attributes");
    if (!a) return a.err();
    out.attributes = a.value();
    if (const auto m = it->find("merge"); m != it->end()) {
        if (!m->is_boolean()) return registry::fail(errc::invalid_request, "attributePayload.merge must be a boolean");
        out.merge = m->get<bool>();
    }
    return out;
}

http_response create_thing(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto type = body_string(r, "thingTypeName");
    if (!type) return error_response(type.err());
    const auto attrs = read_attribute_payload(r.body);
    if (!attrs) return error_response(attrs.err());
    const auto t = c.reg.create_thing(v[0], type.value().value_or(""), attrs.value().attributes.value_or(
                                                                           std::map<std::string, std::string>{}));
    if (!t) return error_response(t.err());
    return json_response({{"thingName", t.value().name}, {"thingArn", arn(c, "thing", t.value().name)},
                          {"thingId", t.value().id}});
}

http_response describe_thing(const context& c, const parsed_request&, const std::vector<std::string>& v) {
    const auto t = c.reg.describe_thing(v[0]);
    if (!t) return error_response(t.err());
    auto j = thing_attribute(c, t.value());
    j["defaultClientId"] = t.value().name;
    j["thingId"] = t.value().id;
    return json_response(j);
}

http_response list_things(const context& c, const parsed_request& r, const std::vector<std::string>&) {
    const auto p = token_page(r);
    if (!p) return error_response(p.err());
    const auto prefix = query_bool(r, "usePrefixAttributeValue");
    if (!prefix) return error_response(prefix.err());
    registry::thing_filter f{.attribute_name = r.q("attributeName"),
                             .attribute_value = r.q("attributeValue"),
                             .prefix_value = prefix.value().value_or(false),
                             .thing_type = r.q("thingTypeName")};
    const auto page = c.reg.list_things(f, p.value());
    if (!page) return error_response(page.err());
    json things = json::array();
    for (const auto& t : page.value().items) things.push_back(thing_attribute(c, t));
    json body{{"things", things}};
    if (!page.value().next.empty()) body["nextToken"] = page.value().next;
    return json_response(body);
}

http_response update_thing(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto type = body_string(r, "thingTypeName");
    if (!type) return error_response(type.err());
    const auto attrs = read_attribute_payload(r.body);
    if (!attrs) return error_response(attrs.err());
    const auto remove = body_bool(r, "removeThingType");
    if (!remove) return error_response(remove.err());
    std::optional<std::int64_t> expected;
    if (const auto it = r.body.find("expectedVersion"); it != r.body.end() && !it->is_null()) {
        if (!it->is_number_integer()) return error_response(errc::invalid_request, "expectedVersion must be an integer");
        expected = it->get<std::int64_t>();
    }
    if (auto e = c.reg.update_thing(v[0], type.value(), remove.value().value_or(false), attrs.value().attributes,
                                    attrs.value().merge, expected))
        return error_response(*e);
    return empty_response();
}

http_response delete_thing(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto expected = query_int(r, "expectedVersion", 0, INT64_MAX);
    if (!expected) return error_response(expected.err());
    if (auto e = c.reg.delete_thing(v[0], expected.value())) return error_response(*e);
    return empty_response();
}

json thing_type_json(const context& c, const registry::thing_type& t) {
    json meta{{"deprecated", t.deprecated}, {"creationDate", t.creation_date}};
    if (t.deprecated) meta["deprecationDate"] = t.deprecation_date;
    return {{"thingTypeName", t.name},
            {"thingTypeArn", arn(c, "thingtype", t.name)},
            {"thingTypeProperties",
             {{"thingTypeDescription", t.description}, {"searchableAttributes", t.searchable_attributes}}},
            {"thingTypeMetadata", meta}};
}

http_response create_thing_type(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    std::string description;
    std::vector<std::string> searchable;
    if (const auto it = r.body.find("thingTypeProperties"); it != r.body.end() && it->is_object()) {
        description = it->value("thingTypeDescription", std::string{});
        if (const auto s = it->find("searchableAttributes"); s != it->end()) {
            if (!s->is_array()) return error_response(errc::invalid_request, "searchableAttributes must be a list");
            for (const auto& a : *s)
                if (a.is_string()) searchable.push_back(a.get<std::string>());
        }
    }
    const auto t = c.reg.create_thing_type(v[0], description, searchable);
    if (!t) return error_response(t.err());
    return json_response({{"thingTypeName", t.value().name}, {"thingTypeArn", arn(c, "thingtype", t.value().name)},
                          {"thingTypeId", t.value().id}});
}

http_response describe_thing_type(const context& c, const parsed_request&, const std::vector<std::string>& v) {
    const auto t = c.reg.describe_thing_type(v[0]);
    if (!t) return error_response(t.err());
    auto j = thing_type_json(c, t.value());
    j["thingTypeId"] = t.value().id;
    return json_response(j);
}

http_response list_thing_types(const context& c, const parsed_request& r, const std::vector<std::string>&) {
    const auto p = token_page(r);
    if (!p) return error_response(p.err());
    const auto page = c.reg.list_thing_types(r.q("thingTypeName"), p.value());
    if (!page) return error_response(page.err());
    json types = json::array();
    for (const auto& t : page.value().items) types.push_back(thing_type_json(c, t));
    json body{{"thingTypes", types}};
    if (!page.value().next.empty()) body["nextToken"] = page.value().next;
    return json_response(body);
}

http_response deprecate_thing_type(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto undo = body_bool(r, "undoDeprecate");
    if (!undo) return error_response(undo.err());
    if (auto e = c.reg.deprecate_thing_type(v[0], undo.value().value_or(false))) return error_response(*e);
    return empty_response();
}

http_response delete_thing_type(const context& c, const parsed_request&, const std::vector<std::string>& v) {
    if (auto e = c.reg.delete_thing_type(v[0])) return error_response(*e);
    return empty_response();
}

http_response create_thing_group(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto parent = body_string(r, "parentGroupName");
    if (!parent) return error_response(parent.err());
    std::string description;
    std::map<std::string, std::string> attributes;
    if (const auto it = r.body.find("thingGroupProperties"); it != r.body.end() && it->is_object()) {
        description = it->value("thingGroupDescription", std::string{});
        const auto a = read_attribute_payload(*it);
        if (!a) return error_response(a.err());
        attributes = a.value().attributes.value_or(attributes);
    }
    const auto g = c.reg.create_thing_group(v[0], parent.value().value_or(""), description, attributes);
    if (!g) return error_response(g.err());
    return json_response({{"thingGroupName", g.value().name}, {"thingGroupArn", arn(c, "thinggroup", g.value().name)},
                          {"thingGroupId", g.value().id}});
}

http_response describe_thing_group(const context& c, const parsed_request&, const std::vector<std::string>& v) {
    const auto g = c.reg.describe_thing_group(v[0]);
    if (!g) return error_response(g.err());
    const auto& t = g.value();
    json meta{{"creationDate", t.creation_date}};
    if (!t.parent.empty()) {
        meta["parentGroupName"] = t.parent;
        json chain = json::array();
        for (std::string p = t.parent; !p.empty();) {
            chain.insert(chain.begin(), json{{"groupName", p}, {"groupArn", arn(c, "thinggroup", p)}});
            const auto pg = c.reg.describe_thing_group(p);
            p = pg ? pg.value().parent : std::string{};
        }
        meta["rootToParentThingGroups"] = chain;
    }
    return json_response({{"thingGroupName", t.name},
                          {"thingGroupId", t.id},
                          {"thingGroupArn", arn(c, "thinggroup", t.name)},
                          {"version", t.version},
                          {"thingGroupProperties",
                           {{"thingGroupDescription", t.description}, {"attributePayload", {{"attributes", t.attributes}}}}},
                          {"thingGroupMetadata", meta}});
}

json group_name_and_arn(const context& c, const std::string& name) {
    return {{"groupName", name}, {"groupArn", arn(c, "thinggroup", name)}};
}

http_response list_thing_groups(const context& c, const parsed_request& r, const std::vector<std::string>&) {
    const auto p = token_page(r);
    if (!p) return error_response(p.err());
    const auto page = c.reg.list_thing_groups(r.q("parentGroup"), r.q("namePrefixFilter"), p.value());
    if (!page) return error_response(page.err());
    json groups = json::array();
    for (const auto& g : page.value().items) groups.push_back(group_name_and_arn(c, g.name));
    json body{{"thingGroups", groups}};
    if (!page.value().next.empty()) body["nextToken"] = page.value().next;
    return json_response(body);
}

http_response delete_thing_group(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto expected = query_int(r, "expectedVersion", 0, INT64_MAX);
    if (!expected) return error_response(expected.err());
    if (auto e = c.reg.delete_thing_group(v[0], expected.value())) return error_response(*e);
    return empty_response();
}

// thingGroupName or thingGroupArn, thingName or thingArn: the name is the ARN's last part.
registry::outcome<std::pair<std::string, std::string>> group_and_thing(const parsed_request& r) {
    const auto pick = [&](const char* name_key, const char* arn_key) -> registry::outcome<std::string> {
        const auto n = body_string(r, name_key);
        if (!n) return n.err();
        if (n.value()) return *n.value();
        const auto a = body_string(r, arn_key);
        if (!a) return a.err();
        if (a.value()) return a.value()->substr(a.value()->rfind('/') + 1);
        return registry::fail(errc::invalid_request, std::string(name_key) + " or " + arn_key + " is required");
    };
    const auto g = pick("thingGroupName", "thingGroupArn");
    if (!g) return g.err();
    const auto t = pick("thingName", "thingArn");
    if (!t) return t.err();
    return std::pair{g.value(), t.value()};
}

http_response add_thing_to_thing_group(const context& c, const parsed_request& r, const std::vector<std::string>&) {
    const auto gt = group_and_thing(r);
    if (!gt) return error_response(gt.err());
    if (auto e = c.reg.add_thing_to_group(gt.value().first, gt.value().second)) return error_response(*e);
    return empty_response();
}

http_response remove_thing_from_thing_group(const context& c, const parsed_request& r, const std::vector<std::string>&) {
    const auto gt = group_and_thing(r);
    if (!gt) return error_response(gt.err());
    if (auto e = c.reg.remove_thing_from_group(gt.value().first, gt.value().second)) return error_response(*e);
    return empty_response();
}

http_response list_thing_groups_for_thing(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto p = token_page(r);
    if (!p) return error_response(p.err());
    const auto page = c.reg.groups_for_thing(v[0], p.value());
    if (!page) return error_response(page.err());
    json groups = json::array();
    for (const auto& g : page.value().items) groups.push_back(group_name_and_arn(c, g.name));
    json body{{"thingGroups", groups}};
    if (!page.value().next.empty()) body["nextToken"] = page.value().next;
    return json_response(body);
}

http_response list_things_in_thing_group(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto p = token_page(r);
    if (!p) return error_response(p.err());
    const auto page = c.reg.things_in_group(v[0], p.value());
    if (!page) return error_response(page.err());
    json body{{"things", page.value().items}};
    if (!page.value().next.empty()) body["nextToken"] = page.value().next;
    return json_response(body);
}

}  // namespace

void add_things_routes(std::vector<route>& r) {
    r.insert(r.end(), {
        {"GET", "things", list_things},
        {"POST", "things/{}", create_thing},
        {"GET", "things/{}", describe_thing},
        {"PATCH", "things/{}", update_thing},
        {"DELETE", "things/{}", delete_thing},
        {"GET", "thing-types", list_thing_types},
        {"POST", "thing-types/{}", [](const context& c, const parsed_request& r, const std::vector<std::string>& v) {
             return with_create_tags(c, r, v, create_thing_type, "thingTypeArn");
         }},
        {"GET", "thing-types/{}", describe_thing_type},
        {"DELETE", "thing-types/{}", delete_thing_type},
        {"POST", "thing-types/{}/deprecate", deprecate_thing_type},
        {"PUT", "thing-groups/addThingToThingGroup", add_thing_to_thing_group},
        {"PUT", "thing-groups/removeThingFromThingGroup", remove_thing_from_thing_group},
        {"GET", "thing-groups", list_thing_groups},
        {"POST", "thing-groups/{}", [](const context& c, const parsed_request& r, const std::vector<std::string>& v) {
             return with_create_tags(c, r, v, create_thing_group, "thingGroupArn");
         }},
        {"GET", "thing-groups/{}", describe_thing_group},
        {"DELETE", "thing-groups/{}", delete_thing_group},
        {"GET", "thing-groups/{}/things", list_things_in_thing_group},
        {"GET", "things/{}/thing-groups", list_thing_groups_for_thing},
    });
}

}  // namespace wv::control_plane
