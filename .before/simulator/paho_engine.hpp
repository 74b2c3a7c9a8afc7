#pragma once
// --engine paho: the same scenario on Eclipse Paho MQTT C++ (one async_client per device), an
// independent implementation of MQTT and TLS to cross-check the default engine's outcomes.
// It follows the same timetable (ramp, reports, --churn, --kill) and fills the same
// fleet_stats. TCP and TLS times are not visible through Paho: the report leaves them out,
// and CONNACK counts from the connect call (so it includes TCP and TLS). --kill drops a
// device's TCP connection under Paho (see paho_socket.hpp); a kill that cannot find the
// socket is counted and reported, never silently turned into a clean stop.
//
// Threading: Paho runs its own threads; a scheduler thread of ours drives the timetable.
// Paho callbacks never block (they only update counters and post to the scheduler).
#include <memory>
#include <vector>

#include "device_result.hpp"
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
    // Per local device, once finished.
    std::vector<device_result> results() const;
    // Kills that found no socket to drop (the device then stopped cleanly instead).
    std::uint64_t kills_failed() const;

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace wv::sim
