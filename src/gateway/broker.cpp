#include "gateway/broker.hpp"

#include <algorithm>
#include <deque>
#include <map>

#include "gateway/aws_topics.hpp"
#include "gateway/lazy_deque.hpp"

namespace wv::gate {

namespace {
// A subscription's byte in the tables: the granted QoS and the MQTT 5 options.
constexpr std::uint8_t qos_bits = 0x03;
constexpr std::uint8_t no_local_bit = 0x04;
constexpr std::uint8_t retain_as_published_bit = 0x08;

std::uint8_t pack_subscription(std::uint8_t qos, subscription_options o) {
    return static_cast<std::uint8_t>((qos & qos_bits) | (o.no_local ? no_local_bit : 0) |
                                     (o.retain_as_published ? retain_as_published_bit : 0));
}
}  // namespace

std::optional<shared_filter> parse_shared(std::string_view filter) noexcept {
    constexpr std::string_view prefix = "$share/";
    if (!filter.starts_with(prefix)) return std::nullopt;
    const auto rest = filter.substr(prefix.size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size()) return std::nullopt;
    const auto group = rest.substr(0, slash);
    if (group.find_first_of("+#") != std::string_view::npos) return std::nullopt;
    return shared_filter{group, rest.substr(slash + 1)};
}

struct broker::shared_group {
    std::string filter;                                       // the filter inside $share/<group>/
    std::vector<std::pair<std::string, std::uint8_t>> members;  // client id, packed options
    std::size_t next = 0;                                      // whose turn it is
};

struct broker::session {  // one per client id (the key of sessions_, not repeated here)
    bool persistent = false;
    std::optional<std::chrono::steady_clock::duration> expiry;  // MQTT 5's own; else opts_.session_expiry
    std::shared_ptr<subscriber> owner;       // null while offline
    std::map<std::string, std::uint8_t> subscriptions;
    lazy_deque<message_ptr> offline;         // QoS 1 while offline (persistent only), bounded
    std::chrono::steady_clock::time_point expires_at{};
};

broker::broker(broker_options opts) : opts_(opts) {}
broker::~broker() = default;

attach_result broker::attach(const std::string& client_id, bool clean_session, std::shared_ptr<subscriber> who,
                             std::chrono::steady_clock::time_point now,
                             std::optional<std::chrono::steady_clock::duration> expiry) {
    std::shared_ptr<subscriber> previous;
    attach_result out;
    {
        std::lock_guard lock(mu_);
        delayed_wills_.erase(client_id);  // MQTT 5: a new connection before the Will Delay cancels it
        auto it = sessions_.find(client_id);
        if (it != sessions_.end()) {
            previous = std::move(it->second->owner);
            const bool expired = !previous && it->second->persistent && now >= it->second->expires_at;
            // AWS resumes a persistent session only in the MQTT version that made it (spec 5.1).
            const bool other_version = it->second->expiry.has_value() != expiry.has_value();
            if (clean_session || !it->second->persistent || expired || other_version) {
                remove_session_locked(client_id);
                it = sessions_.end();
            }
        }
        if (it == sessions_.end()) {
            it = sessions_.emplace(client_id, std::make_shared<session>()).first;
        } else {
            out.session_present = true;
            if (!it->second->offline.empty())
                out.replay.assign(it->second->offline.begin(), it->second->offline.end());
            it->second->offline.clear();
        }
        it->second->persistent = expiry ? expiry->count() > 0 : !clean_session;
        it->second->expiry = expiry;
        it->second->owner = std::move(who);
    }
    // Kicked outside the lock: kick() only posts, but the old connection's close path will
    // call detach(), and keeping lock scopes small keeps that obviously deadlock-free.
    if (previous) previous->kick(disconnect_reason::duplicate_clientid);
    return out;
}

void broker::detach(const std::string& client_id, const subscriber* who, std::chrono::steady_clock::time_point now,
                    std::optional<std::chrono::steady_clock::duration> expiry) {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(client_id);
    if (it == sessions_.end() || it->second->owner.get() != who) return;
    if (expiry) it->second->expiry = expiry;
    if (!it->second->persistent || (it->second->expiry && it->second->expiry->count() <= 0)) {
        remove_session_locked(client_id);
        return;
    }
    it->second->owner.reset();
    it->second->expires_at = now + (it->second->expiry ? *it->second->expiry : opts_.session_expiry);
}

void broker::requeue_unacked(const std::string& client_id, const subscriber* who, std::vector<message_ptr> unacked) {
    if (unacked.empty()) return;
    std::shared_ptr<subscriber> taker;
    {
        std::lock_guard lock(mu_);
        auto it = sessions_.find(client_id);
        if (it == sessions_.end() || !it->second->persistent) return;
        auto& s = *it->second;
        if (s.owner && s.owner.get() != who) {
            taker = s.owner;
        } else {
            s.offline.insert(s.offline.begin(), unacked.begin(), unacked.end());
            while (s.offline.size() > opts_.max_offline_messages) {
                s.offline.pop_front();  // the same rule as publish(): the newest are kept
                ++dropped_offline_;
            }
        }
    }
    if (taker)
        for (auto& m : unacked) taker->deliver(std::move(m), 1, false);
}

std::size_t broker::kick_all(disconnect_reason why) {
    std::vector<std::shared_ptr<subscriber>> online;
    {
        std::lock_guard lock(mu_);
        for (const auto& [cid, s] : sessions_)
            if (s->owner) online.push_back(s->owner);
    }
    for (const auto& o : online) o->kick(why);
    return online.size();
}

void broker::remove_session_locked(const std::string& client_id) {
    auto it = sessions_.find(client_id);
    if (it == sessions_.end()) return;
    for (const auto& [filter, qos] : it->second->subscriptions) erase_subscription_locked(client_id, filter);
    sessions_.erase(it);
}

void broker::erase_subscription_locked(const std::string& client_id, const std::string& filter) {
    if (auto g = shared_.find(filter); g != shared_.end()) {
        std::erase_if(g->second->members, [&](const auto& m) { return m.first == client_id; });
        if (g->second->members.empty()) shared_.erase(g);
        return;
    }
    auto& table = has_wildcard(filter) ? wildcard_ : exact_;
    if (auto f = table.find(filter); f != table.end()) {
        f->second.erase(client_id);
        if (f->second.empty()) table.erase(f);
    }
}

subscribe_result broker::subscribe(const std::string& client_id, const subscriber* who, const std::string& filter,
                                   std::uint8_t qos, subscription_options opts) {
    subscribe_result out;
    std::lock_guard lock(mu_);
    auto it = sessions_.find(client_id);
    if (it == sessions_.end() || it->second->owner.get() != who) return out;
    const auto packed = pack_subscription(qos, opts);
    out.existed = it->second->subscriptions.contains(filter);
    it->second->subscriptions[filter] = packed;
    if (const auto share = parse_shared(filter)) {
        // No retained messages for a shared subscription (AWS, spec 5.5).
        auto& g = shared_[filter];
        if (!g) g = std::make_shared<shared_group>(shared_group{std::string(share->filter), {}, 0});
        auto m = std::find_if(g->members.begin(), g->members.end(), [&](const auto& x) { return x.first == client_id; });
        if (m == g->members.end()) g->members.emplace_back(client_id, packed);
        else m->second = packed;
        return out;
    }
    const bool wild = has_wildcard(filter);
    (wild ? wildcard_ : exact_)[filter][client_id] = packed;
    // AWS: retained messages are sent on subscribe only for an exact-topic filter.
    if (!wild) {
        if (auto r = retained_.find(filter); r != retained_.end()) out.retained.push_back(r->second);
    }
    return out;
}

void broker::unsubscribe(const std::string& client_id, const subscriber* who, const std::string& filter) {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(client_id);
    if (it == sessions_.end() || it->second->owner.get() != who) return;
    if (it->second->subscriptions.erase(filter) == 0) return;
    erase_subscription_locked(client_id, filter);
}

std::size_t broker::subscription_count(const std::string& client_id) const {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(client_id);
    return it == sessions_.end() ? 0 : it->second->subscriptions.size();
}

std::size_t broker::publish(const message_ptr& m) {
    std::lock_guard lock(mu_);
    if (m->retain) {
        // A zero-byte retained publish deletes the stored one and is still delivered.
        if (m->payload.empty()) {
            retained_.erase(m->topic);
        } else if (retained_.size() < opts_.max_retained || retained_.contains(m->topic)) {
            retained_[m->topic] = m;
        }
    }
    // One delivery per session, at the highest QoS any of its matching filters granted (and
    // the retain flag as published if any of them asked for it). No Local leaves out the
    // publisher's own session.
    std::unordered_map<std::string, std::uint8_t> targets;
    const auto add_one = [&](const std::string& cid, std::uint8_t o) {
        if ((o & no_local_bit) && cid == m->client_id) return;
        o &= qos_bits | retain_as_published_bit;
        auto [t, inserted] = targets.emplace(cid, o);
        if (!inserted)
            t->second = static_cast<std::uint8_t>(std::max(t->second & qos_bits, o & qos_bits) |
                                                  ((t->second | o) & retain_as_published_bit));
    };
    const auto add = [&](const std::unordered_map<std::string, std::uint8_t>& subs) {
        for (const auto& [cid, o] : subs) add_one(cid, o);
    };
    if (auto e = exact_.find(m->topic); e != exact_.end()) add(e->second);
    for (const auto& [filter, subs] : wildcard_)
        if (aws_filter_matches(filter, m->topic)) add(subs);
    // A shared group: one member, in turn, a connected one if there is one.
    for (auto& [key, g] : shared_) {
        if (g->members.empty() || !aws_filter_matches(g->filter, m->topic)) continue;
        const auto n = g->members.size();
        std::size_t pick = g->next % n;
        for (std::size_t i = 0; i < n; ++i) {
            const auto& cand = g->members[(g->next + i) % n];
            if (auto s = sessions_.find(cand.first); s != sessions_.end() && s->second->owner) {
                pick = (g->next + i) % n;
                break;
            }
        }
        g->next = pick + 1;
        add_one(g->members[pick].first, g->members[pick].second & ~no_local_bit);
    }

    for (const auto& o : observers_)
        if (aws_filter_matches(o.filter, m->topic)) o.fn(m);

    std::size_t handed = 0;
    for (const auto& [cid, granted] : targets) {
        auto s = sessions_.find(cid);
        if (s == sessions_.end()) continue;
        const std::uint8_t qos = std::min<std::uint8_t>(granted & qos_bits, m->qos);
        if (s->second->owner) {
            const bool retain = (granted & retain_as_published_bit) && m->retain;
            if (s->second->owner->deliver(m, qos, retain)) ++handed;
        } else if (qos == 1) {
            if (s->second->offline.size() >= opts_.max_offline_messages) {
                s->second->offline.pop_front();  // keep the newest, as a bounded queue must drop one
                ++dropped_offline_;
            }
            s->second->offline.push_back(m);
        }
    }
    return handed;
}

bool broker::deliver_to(const std::string& client_id, const subscriber* who, const message_ptr& m) {
    std::lock_guard lock(mu_);
    for (const auto& o : observers_)
        if (aws_filter_matches(o.filter, m->topic)) o.fn(m);
    const auto s = sessions_.find(client_id);
    if (s == sessions_.end() || !s->second->owner || s->second->owner.get() != who) return false;
    int granted = -1;
    for (const auto& [filter, qos] : s->second->subscriptions)
        if (aws_filter_matches(filter, m->topic)) granted = std::max<int>(granted, qos & qos_bits);
    if (granted < 0) return false;
    return s->second->owner->deliver(m, std::min<std::uint8_t>(static_cast<std::uint8_t>(granted), m->qos), false);
}

std::uint64_t broker::observe(std::string filter, observer_fn fn) {
    std::lock_guard lock(mu_);
    const auto id = next_observer_++;
    observers_.push_back({id, std::move(filter), std::move(fn)});
    return id;
}

void broker::unobserve(std::uint64_t id) {
    std::lock_guard lock(mu_);  // publish() calls observers under this lock: none is running after it
    std::erase_if(observers_, [id](const observer& o) { return o.id == id; });
}

void broker::delay_will(const std::string& client_id, message_ptr will, std::chrono::steady_clock::time_point due) {
    std::lock_guard lock(mu_);
    delayed_wills_[client_id] = {std::move(will), due};
}

void broker::expire(std::chrono::steady_clock::time_point now) {
    std::vector<message_ptr> wills;
    {
        std::lock_guard lock(mu_);
        std::vector<std::string> gone;
        for (const auto& [cid, s] : sessions_)
            if (!s->owner && s->persistent && now >= s->expires_at) gone.push_back(cid);
        for (const auto& cid : gone) remove_session_locked(cid);
        for (auto it = delayed_wills_.begin(); it != delayed_wills_.end();) {
            if (now >= it->second.second) {
                wills.push_back(std::move(it->second.first));
                it = delayed_wills_.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (const auto& w : wills) publish(w);
}

broker_counts broker::counts() const {
    std::lock_guard lock(mu_);
    broker_counts c;
    c.sessions = sessions_.size();
    for (const auto& [cid, s] : sessions_) {
        if (s->owner) ++c.online;
        c.subscriptions += s->subscriptions.size();
    }
    c.retained = retained_.size();
    c.dropped_offline = dropped_offline_;
    return c;
}

}  // namespace wv::gate
