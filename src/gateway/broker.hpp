#pragma once
// The broker's shared state: sessions by client id, subscriptions, retained messages, and
// fan-out of published messages to the connections that own the matching sessions.
//
// It knows nothing about sockets: a connection registers a `subscriber` (an object that can
// take a message or a kick from any thread, by posting to its own executor). AWS's rules
// apply (spec 5): `#` does not match its parent level, retained messages go only to
// exact-topic subscriptions, a second connection with a client id takes the session over.
//
// Threading: every member function is thread-safe (one mutex; the work under it is hash
// lookups and posting, never I/O). subscriber callbacks are called with the mutex held and
// must only enqueue (post) work; they must not call back into the broker.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gateway/disconnect_reason.hpp"
#include "gateway/message.hpp"

namespace wv::gate {

class subscriber {
public:
    virtual ~subscriber() = default;
    // A message for this connection. `qos` is min(published, granted); `retained` is true only
    // for a retained message sent because of a new subscription. Returns false when the
    // connection refused it (its queue is full: counted as dropped).
    virtual bool deliver(message_ptr m, std::uint8_t qos, bool retained) = 0;
    // Another connection took over this client id (or the session expired): close with `why`.
    virtual void kick(disconnect_reason why) = 0;
};

struct broker_options {
    std::size_t max_offline_messages = 100;
    std::chrono::steady_clock::duration session_expiry = std::chrono::hours(1);
    std::size_t max_retained = 100'000;  // retained topics; beyond: new ones are not stored
};

struct attach_result {
    bool session_present = false;           // CONNACK's flag
    std::vector<message_ptr> replay;         // QoS 1 messages kept while offline, in order
};

struct subscribe_result {
    std::vector<message_ptr> retained;       // to send now with RETAIN=1 (exact filters only)
    bool existed = false;                    // the session had this filter already (MQTT 5 Retain Handling 1)
};

// MQTT 5 subscription options the broker applies (5.0 3.8.3.1); all off for 3.1.1.
struct subscription_options {
    bool no_local = false;             // not to the connection that published it
    bool retain_as_published = false;  // RETAIN as published, not 0, on live deliveries
};

// `$share/<group>/<filter>` (spec 5.2, MQTT 5 4.8.2; AWS also takes it from 3.1.1 clients): the
// group and the filter; nullopt for any other filter.
struct shared_filter {
    std::string_view group;
    std::string_view filter;
};
std::optional<shared_filter> parse_shared(std::string_view filter) noexcept;

struct broker_counts {
    std::size_t sessions = 0, online = 0, subscriptions = 0, retained = 0;
    std::uint64_t dropped_offline = 0;
};

class broker {
public:
    explicit broker(broker_options opts = {});
    ~broker();

    // Binds client_id to `who`. A previous owner is kicked with DUPLICATE_CLIENTID. With
    // clean_session, any stored session is discarded; otherwise it is resumed and its offline
    // messages returned. `persistent` = !clean_session.
    //
    // MQTT 5 (`expiry` set): clean_session is Clean Start (discard a stored session) and the
    // session outlives the connection by `expiry` (0: not at all) instead of the broker's default.
    attach_result attach(const std::string& client_id, bool clean_session, std::shared_ptr<subscriber> who,
                         std::chrono::steady_clock::time_point now,
                         std::optional<std::chrono::steady_clock::duration> expiry = std::nullopt);
    // The connection of `who` ended. A clean session is discarded; a persistent one keeps its
    // subscriptions and collects QoS 1 messages until expiry. No-op if `who` no longer owns it.
    // `expiry`: an MQTT 5 DISCONNECT's new Session Expiry Interval (0: discard now).
    void detach(const std::string& client_id, const subscriber* who, std::chrono::steady_clock::time_point now,
                std::optional<std::chrono::steady_clock::duration> expiry = std::nullopt);

    // A persistent session's connection (`who`) ends with QoS 1 deliveries unacknowledged
    // (oldest first): AWS sends them again. They go ahead of the offline queue, to be replayed
    // on resume; if another connection has taken the session over already, to it at once.
    // Dropped for a clean session. Call before detach().
    void requeue_unacked(const std::string& client_id, const subscriber* who, std::vector<message_ptr> unacked);
    // Kicks every connected session with `why` (gateway shutdown). Returns how many.
    std::size_t kick_all(disconnect_reason why);

    // Adds or replaces one subscription. Returns retained messages for an exact filter (never
    // for a shared one). A shared filter ($share/<group>/<filter>) hands each matching message
    // to one member of the group, in turn, connected members first (AWS: shared subscriptions).
    subscribe_result subscribe(const std::string& client_id, const subscriber* who, const std::string& filter,
                               std::uint8_t qos, subscription_options opts = {});
    void unsubscribe(const std::string& client_id, const subscriber* who, const std::string& filter);
    std::size_t subscription_count(const std::string& client_id) const;

    // Stores/deletes the retained copy (retain flag; empty payload deletes) and delivers to
    // every matching session once, at the highest granted QoS. Returns the number of
    // connections it was handed to.
    std::size_t publish(const message_ptr& m);

    // A reply meant for one connection (fleet provisioning's accepted/rejected): handed to the
    // session of `client_id` only, only while `who` owns it and only if one of its filters
    // matches the topic (at the highest granted QoS, capped by m->qos), as AWS answers the
    // connection that asked, and only once it has subscribed. Observers see it too; no other
    // session, no retained copy, no offline queue. Returns whether it was handed over.
    bool deliver_to(const std::string& client_id, const subscriber* who, const message_ptr& m);

    // A trusted in-process observer (an embedding program's, e.g. wvsim --verify): sees every
    // message published from now on whose topic matches `filter` (AWS wildcard rules), wills and
    // rule republishes included. It is no session: no client id, no authorizer, no policy, no
    // QoS or flow control, and no connection can kick it. `fn` runs on the publisher's thread
    // with the broker's mutex held, so it must only enqueue (post) work and never call back into
    // the broker. Returns an id for unobserve().
    using observer_fn = std::function<void(const message_ptr&)>;
    std::uint64_t observe(std::string filter, observer_fn fn);
    // After it returns, `fn` of that observer is not running and will not be called again.
    void unobserve(std::uint64_t id);

    // MQTT 5 Will Delay Interval: publish `will` at `due` unless a connection takes the
    // client id again first (attach cancels it). expire() publishes the due ones.
    void delay_will(const std::string& client_id, message_ptr will, std::chrono::steady_clock::time_point due);

    // Drops persistent sessions whose expiry passed; publishes delayed Wills that are due.
    void expire(std::chrono::steady_clock::time_point now);

    broker_counts counts() const;

private:
    struct session;
    struct shared_group;
    void remove_session_locked(const std::string& client_id);
    void erase_subscription_locked(const std::string& client_id, const std::string& filter);

    broker_options opts_;
    mutable std::mutex mu_;
    std::unordered_map<std::string, std::shared_ptr<session>> sessions_;
    // filter -> sessions subscribed to it (client id -> granted QoS). Exact filters are found
    // by hash lookup of the topic; wildcard filters are scanned (fleets subscribe to few).
    std::unordered_map<std::string, std::unordered_map<std::string, std::uint8_t>> exact_;
    std::unordered_map<std::string, std::unordered_map<std::string, std::uint8_t>> wildcard_;
    // Subscription values pack the granted QoS (bits 0-1) with subscription_options (broker.cpp).
    std::unordered_map<std::string, std::shared_ptr<shared_group>> shared_;  // by the whole $share/ filter
    std::unordered_map<std::string, message_ptr> retained_;
    std::unordered_map<std::string, std::pair<message_ptr, std::chrono::steady_clock::time_point>> delayed_wills_;
    struct observer {
        std::uint64_t id;
        std::string filter;
        observer_fn fn;
    };
    std::vector<observer> observers_;
    std::uint64_t next_observer_ = 1;
    std::uint64_t dropped_offline_ = 0;
};

}  // namespace wv::gate
