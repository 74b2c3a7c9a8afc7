#pragma once
// --engine paho: the same scenario on Eclipse Paho MQTT C++ (one async_client per device), an
// independent implementation of MQTT and TLS to cross-check the default engine's outcomes.
// It follows the same timetable and fills the same fleet_stats; TCP/TLS times are not
// visible through Paho, so only CONNACK (connect call to success) and PUBACK are measured.
//
// Threading: Paho runs its own threads; a scheduler thread of ours drives the timetable.
// Paho callbacks never block (they only update counters and post to the scheduler).
#include <memory>
#include <vector>

#include "fleet_stats.hpp"
#include "identity.hpp"
#include "options.hpp"
#include "payload/report_profile.hpp"
#include "timetable.hpp"
#include "worker.hpp"

namespace wv::sim {

class paho_engine {
public:
    paho_engine(const engine_settings& es, const timetable& tt, fleet_stats& stats, const payload::report_profile& profile,
                clock::time_point start, const std::vector<device_identity>& ids, const sim_options& o);
    ~paho_engine();

    void start();
    void request_stop();
    void abort();
    bool finished() const;
    void join();
    // Per local device: last report_id sent, killed on purpose, first connect outcome, ever connected.
    void results(std::vector<std::uint64_t>& last_sent, std::vector<bool>& killed, std::vector<outcome>& first,
                 std::vector<bool>& ever) const;

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace wv::sim
