#pragma once
// The Topic Aliases the gateway sets on the PUBLISHes it sends to one MQTT 5 client (5.0
// 3.3.2.3.4), within the Topic Alias Maximum that client declared in its CONNECT (0 or absent:
// none, and 3.1.1 clients never get one).
//
// AWS documents Topic Alias Maximum as a CONNECT and CONNACK property but not how it assigns
// aliases to its own sends; this is the plain reading of the standard: the first `maximum`
// distinct topics sent on the connection get aliases 1, 2, ... for the rest of the connection.
// The first PUBLISH of a topic carries the topic and its alias, later ones an empty topic and
// the alias alone. Topics past the table go in full, without an alias, and no alias is ever
// reassigned (a client that caches nothing but its table still reads every message right).
// The table dies with the connection (aliases never outlive one), and is capped at
// `most_kept` entries whatever the client allows, which bounds its memory and lookup.
//
// Pure, no I/O; used from the connection's executor only (mqtt_session).
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wv::gate {

class outbound_topic_aliases {
public:
    static constexpr std::uint16_t most_kept = 64;

    // A new table for a client that accepts aliases up to `maximum` (0: never alias).
    void reset(std::uint16_t maximum) {
        maximum_ = std::min(maximum, most_kept);
        topics_.reset();
    }

    struct choice {
        std::uint16_t alias = 0;  // 0: send the topic without an alias
        bool send_topic = true;   // false: the alias is known to the client, send an empty topic
    };

    // What the next PUBLISH of `topic` should carry. Changes nothing: call confirm() once it is
    // actually sent (a PUBLISH that is dropped before sending must not establish its alias).
    choice choose(std::string_view topic) const {
        if (maximum_ == 0) return {};
        if (topics_) {
            const auto it = std::find(topics_->begin(), topics_->end(), topic);
            if (it != topics_->end())
                return {.alias = static_cast<std::uint16_t>(it - topics_->begin() + 1), .send_topic = false};
        }
        if (assigned() < maximum_) return {.alias = static_cast<std::uint16_t>(assigned() + 1), .send_topic = true};
        return {};
    }

    // The PUBLISH chosen for `topic` went out: a new alias is now the client's too.
    void confirm(std::string_view topic, choice c) {
        if (c.alias == 0 || !c.send_topic || c.alias != assigned() + 1) return;
        if (!topics_) topics_ = std::make_unique<std::vector<std::string>>();
        topics_->emplace_back(topic);
    }

    std::uint16_t maximum() const noexcept { return maximum_; }
    std::size_t assigned() const noexcept { return topics_ ? topics_->size() : 0; }

private:
    std::uint16_t maximum_ = 0;
    // Alias n is (*topics_)[n - 1]; allocated with the first alias (8 bytes per connection
    // rather than a vector's 24, since most clients never take aliases).
    std::unique_ptr<std::vector<std::string>> topics_;
};

}  // namespace wv::gate
