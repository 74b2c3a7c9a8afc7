#include "auth/authorizer_response.hpp"

#include "util/ascii.hpp"

namespace wv::auth {

const char* to_string(rule_status s) noexcept {
    switch (s) {
    case rule_status::pass: return "pass";
    case rule_status::fail: return "fail";
    case rule_status::skipped: return "skipped";
    }
    return "unknown";
}

namespace {

using json = nlohmann::json;

std::size_t utf8_code_points(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xc0) != 0x80) ++n;  // count every byte that is not a continuation byte
    return n;
}

std::string compact(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string type_name(const json& j) { return j.type_name(); }

class checker {
public:
    explicit checker(response_verdict& v) : v_(v) {}
    void pass(std::string rule, std::string detail) { add(std::move(rule), rule_status::pass, std::move(detail)); }
    void skip(std::string rule, std::string detail) { add(std::move(rule), rule_status::skipped, std::move(detail)); }
    void fail(std::string rule, std::string detail) {
        if (v_.reason.empty()) v_.reason = rule + ": " + detail;
        add(std::move(rule), rule_status::fail, std::move(detail));
    }
    bool failed() const { return !v_.reason.empty(); }

private:
    void add(std::string rule, rule_status s, std::string detail) {
        v_.checks.push_back({std::move(rule), s, std::move(detail)});
    }
    response_verdict& v_;
};

void check_principal(const json& root, checker& c, authorizer_response& r) {
    const auto it = root.find("principalId");
    if (it == root.end()) return c.fail("principalId", "missing; it must be a string of 1-128 letters and digits");
    if (!it->is_string()) return c.fail("principalId", "must be a string, got " + type_name(*it));
    const auto& p = it->get_ref<const std::string&>();
    r.principal_id = p;
    if (p.empty()) return c.fail("principalId", "is empty; it must be 1-128 letters and digits");
    if (p.size() > 128) return c.fail("principalId", "is " + std::to_string(p.size()) + " characters; at most 128");
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (util::is_ascii_alnum(p[i])) continue;
        std::string d = "\"" + p + "\" has '" + std::string(1, p[i]) + "' at offset " + std::to_string(i) +
                        "; AWS allows only [a-zA-Z0-9]{1,128}";
        if (p[i] == '-' || p[i] == '_' || p[i] == ':' || p[i] == '.')
            d += ". Authorizers often return the client id or a UUID here: strip the non-alphanumeric characters "
                 "before returning it (AWS rejects the whole reply otherwise)";
        return c.fail("principalId", d);
    }
    c.pass("principalId", "\"" + p + "\"");
}

void check_policies(const json& root, checker& c, authorizer_response& r) {
    const auto it = root.find("policyDocuments");
    if (it == root.end()) {
        c.fail("policyDocuments", "missing; return an array of 1-10 IoT policy documents");
        c.skip("policyDocumentSize", "no documents");
        c.skip("policyDocumentJson", "no documents");
        c.skip("policyDocumentSyntax", "no documents");
        return;
    }
    if (!it->is_array()) {
        c.fail("policyDocuments", "must be an array, got " + type_name(*it));
        c.skip("policyDocumentSize", "no documents");
        c.skip("policyDocumentJson", "no documents");
        c.skip("policyDocumentSyntax", "no documents");
        return;
    }
    const auto n = it->size();
    if (n > max_policy_documents)
        c.fail("policyDocuments", std::to_string(n) + " documents; AWS allows at most 10 (merge statements)");
    else
        c.pass("policyDocuments", std::to_string(n) + " document" + (n == 1 ? "" : "s"));

    std::string size_problem, json_problem, syntax_problem;
    std::size_t largest = 0;
    std::vector<json> parsed;
    for (std::size_t i = 0; i < n; ++i) {
        const auto& e = (*it)[i];
        const std::string where = "policyDocuments[" + std::to_string(i) + "]";
        const auto chars = policy_document_chars(e);
        largest = std::max(largest, chars);
        if (chars > max_policy_document_chars && size_problem.empty())
            size_problem = where + " is " + std::to_string(chars) + " characters; at most 2048";
        json doc;
        if (e.is_object()) {
            doc = e;
        } else if (e.is_string()) {
            doc = json::parse(e.get_ref<const std::string&>(), nullptr, false);
            if (doc.is_discarded() || !doc.is_object()) {
                if (json_problem.empty()) json_problem = where + " is a string that does not hold a JSON object";
                continue;
            }
        } else {
            if (json_problem.empty())
                json_problem = where + " must be an object or a string holding one, got " + type_name(e);
            continue;
        }
        auto pr = policy::parse_policy_json(doc);
        if (!pr.ok() && syntax_problem.empty()) syntax_problem = where + ": " + pr.error;
        if (pr.ok()) r.policies.push_back(std::move(*pr.value));
        r.policy_documents.push_back(compact(doc));
    }
    if (!size_problem.empty()) c.fail("policyDocumentSize", size_problem);
    else c.pass("policyDocumentSize", n ? "largest " + std::to_string(largest) + " characters" : "no documents");
    if (!json_problem.empty()) c.fail("policyDocumentJson", json_problem);
    else c.pass("policyDocumentJson", "every document is a JSON object");
    if (!syntax_problem.empty() || !json_problem.empty()) r.policies.clear();  // all or nothing
    if (!syntax_problem.empty()) c.fail("policyDocumentSyntax", syntax_problem);
    else c.pass("policyDocumentSyntax", "every document parses as an IoT policy");
}

void check_ttl(const json& root, const char* key, checker& c, std::int64_t& out, bool& defaulted) {
    const auto it = root.find(key);
    if (it == root.end() || it->is_null()) {
        defaulted = true;
        return c.pass(key, "absent: default " + std::to_string(out) + " s");
    }
    defaulted = false;
    if (it->is_number_integer() || it->is_number_unsigned()) {
        // Read as double first so that a huge unsigned value cannot wrap into range.
        const double d = it->get<double>();
        if (d < static_cast<double>(min_ttl_s) || d > static_cast<double>(max_ttl_s))
            return c.fail(key, compact(*it) + " is outside 300..86400");
        out = it->get<std::int64_t>();
        return c.pass(key, std::to_string(out) + " s");
    }
    if (it->is_number_float()) {
        const double d = it->get<double>();
        // 600.0 is an integer in JSON's number model; 600.5 is not.
        if (d == static_cast<double>(static_cast<std::int64_t>(d)) && d >= static_cast<double>(min_ttl_s) &&
            d <= static_cast<double>(max_ttl_s)) {
            out = static_cast<std::int64_t>(d);
            return c.pass(key, std::to_string(out) + " s");
        }
        return c.fail(key, compact(*it) + " must be an integer in 300..86400");
    }
    return c.fail(key, "must be an integer in 300..86400, got " + type_name(*it));
}

}  // namespace

std::size_t policy_document_chars(const nlohmann::json& entry) {
    if (entry.is_string()) return utf8_code_points(entry.get_ref<const std::string&>());
    return utf8_code_points(compact(entry));
}

response_verdict validate_response(std::string_view body) {
    response_verdict v;
    checker c{v};
    auto& r = v.response;
    const auto root = json::parse(body, nullptr, false);
    static const char* const later[] = {"isAuthenticated", "principalId", "policyDocuments", "policyDocumentSize",
                                        "policyDocumentJson", "policyDocumentSyntax", "disconnectAfterInSeconds",
                                        "refreshAfterInSeconds"};
    if (root.is_discarded() || !root.is_object()) {
        c.fail("json", root.is_discarded() ? "the reply is not JSON" : "the reply is JSON but not an object (got " +
                                                                            type_name(root) + ")");
        for (const char* k : later) c.skip(k, "no JSON object");
        return v;
    }
    c.pass("json", "object");

    const auto ia = root.find("isAuthenticated");
    if (ia == root.end()) {
        c.fail("isAuthenticated", "missing; it is required (true or false)");
    } else if (!ia->is_boolean()) {
        c.fail("isAuthenticated", "must be a boolean, got " + type_name(*ia) + " " + compact(*ia));
    } else {
        r.is_authenticated = ia->get<bool>();
        c.pass("isAuthenticated", r.is_authenticated ? "true" : "false");
    }
    if (const auto ctx = root.find("context"); ctx != root.end()) r.context = *ctx;

    const bool said_no = ia != root.end() && ia->is_boolean() && !r.is_authenticated;
    if (said_no) {
        for (std::size_t i = 1; i < std::size(later); ++i) c.skip(later[i], "not checked: isAuthenticated is false");
        v.valid = true;
        v.reason = "the authorizer returned isAuthenticated false";
        return v;
    }
    check_principal(root, c, r);
    check_policies(root, c, r);
    check_ttl(root, "disconnectAfterInSeconds", c, r.disconnect_after_s, r.disconnect_defaulted);
    check_ttl(root, "refreshAfterInSeconds", c, r.refresh_after_s, r.refresh_defaulted);
    v.valid = !c.failed();
    v.allowed = v.valid && r.is_authenticated;
    if (v.allowed) v.reason = "authenticated as " + r.principal_id;
    return v;
}

}  // namespace wv::auth
