#include "gateway/aws_topics.hpp"

#include <algorithm>

namespace wv::gate {
namespace {

bool starts_with(std::string_view s, std::string_view p) noexcept { return s.substr(0, p.size()) == p; }

std::size_t count_slashes(std::string_view s) noexcept {
    return static_cast<std::size_t>(std::count(s.begin(), s.end(), '/'));
}

// `$aws/rules/<rule>/rest` -> `rest` (Basic Ingest: the prefix is not counted against limits).
std::string_view strip_basic_ingest(std::string_view topic) noexcept {
    constexpr std::string_view prefix = "$aws/rules/";
    if (!starts_with(topic, prefix)) return topic;
    const auto rest = topic.substr(prefix.size());
    const auto slash = rest.find('/');
    return slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
}

// `$aws/things/<thing>/shadow/...` or `/jobs/...`.
bool is_thing_topic(std::string_view t) noexcept {
    constexpr std::string_view prefix = "$aws/things/";
    if (!starts_with(t, prefix)) return false;
    const auto rest = t.substr(prefix.size());
    const auto slash = rest.find('/');
    if (slash == 0 || slash == std::string_view::npos) return false;
    const auto tail = rest.substr(slash + 1);
    return starts_with(tail, "shadow/") || starts_with(tail, "jobs/") || tail == "shadow" || tail == "jobs";
}

bool is_provisioning_topic(std::string_view t) noexcept {
    return starts_with(t, "$aws/certificates/create/") || starts_with(t, "$aws/certificates/create-from-csr/") ||
           starts_with(t, "$aws/provisioning-templates/");
}

bool is_event_topic(std::string_view t) noexcept {
    return starts_with(t, "$aws/events/presence/") || starts_with(t, "$aws/events/subscriptions/") ||
           starts_with(t, "$aws/events/certificates/registered/");
}

}  // namespace

bool has_wildcard(std::string_view filter) noexcept {
    return filter.find_first_of("+#") != std::string_view::npos;
}

bool aws_filter_matches(std::string_view filter, std::string_view topic) noexcept {
    if (!topic.empty() && topic.front() == '$' && !filter.empty() && (filter.front() == '+' || filter.front() == '#'))
        return false;
    // Walk both level by level; `pos == npos` means "no levels left" (a topic always has at
    // least one level, possibly empty).
    constexpr auto done = std::string_view::npos;
    std::size_t f = 0, t = 0;
    const auto next = [](std::string_view s, std::size_t& pos) {
        const auto end = s.find('/', pos);
        const auto level = s.substr(pos, end == done ? done : end - pos);
        pos = end == done ? done : end + 1;
        return level;
    };
    while (f != done) {
        const auto level = next(filter, f);
        // AWS: `#` needs at least one level of its own, so `a/#` does not match `a`.
        if (level == "#") return t != done;
        if (t == done) return false;
        const auto topic_level = next(topic, t);
        if (level != "+" && level != topic_level) return false;
    }
    return t == done;
}

const char* to_string(topic_verdict v) noexcept {
    switch (v) {
        case topic_verdict::ok: return "ok";
        case topic_verdict::too_long: return "topic longer than 256 bytes";
        case topic_verdict::too_many_levels: return "topic has more than 7 slashes";
        case topic_verdict::reserved: return "reserved $ topic not allowed";
    }
    return "unknown";
}

topic_verdict check_publish_topic(std::string_view topic, bool retained, const topic_limits& lim) noexcept {
    const auto counted = strip_basic_ingest(topic);
    if (counted.size() > lim.max_bytes) return topic_verdict::too_long;
    if (count_slashes(counted) > lim.max_slashes) return topic_verdict::too_many_levels;
    if (!topic.empty() && topic.front() == '$') {
        if (retained) return topic_verdict::reserved;
        const bool basic_ingest = starts_with(topic, "$aws/rules/") && !counted.empty();
        if (!(basic_ingest || is_thing_topic(topic) || is_provisioning_topic(topic))) return topic_verdict::reserved;
    }
    return topic_verdict::ok;
}

topic_verdict check_subscribe_filter(std::string_view filter, const topic_limits& lim) noexcept {
    if (filter.size() > lim.max_bytes) return topic_verdict::too_long;
    if (count_slashes(filter) > lim.max_slashes) return topic_verdict::too_many_levels;
    if (!filter.empty() && filter.front() == '$') {
        // Basic Ingest topics cannot be subscribed; the rest of the defined names can.
        if (!(is_thing_topic(filter) || is_provisioning_topic(filter) || is_event_topic(filter)))
            return topic_verdict::reserved;
    }
    return topic_verdict::ok;
}

}  // namespace wv::gate
