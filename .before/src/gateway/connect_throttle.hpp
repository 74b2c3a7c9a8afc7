#pragma once
// AWS IoT Core accepts one CONNECT per second per client id, not adjustable (spec 5.2). A
// device that reconnects faster (a tight retry loop, two devices sharing an id) is throttled:
// the CONNECT is closed without CONNACK (reason THROTTLED) and the earlier connection, if
// any, is left alone. Only admitted CONNECTs start a new interval, so a device retrying every
// 300 ms gets through once a second, as on AWS.
//
// Memory: one entry per client id seen within the last interval; older entries are swept when
// the table doubles, so it stays proportional to the connect rate, not to every id ever seen.
//
// Threading: admit() is thread-safe (one mutex, a hash lookup under it).
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace wv::gate {

class connect_throttle {
public:
    using time_point = std::chrono::steady_clock::time_point;

    // connects_per_s <= 0: never throttles.
    explicit connect_throttle(double connects_per_s = 1.0);

    // True: the CONNECT is admitted and starts a new interval for `client_id`. False: it came
    // within the interval of the last admitted one.
    bool admit(const std::string& client_id, time_point now);
    std::size_t tracked() const;

private:
    std::chrono::steady_clock::duration interval_{0};
    mutable std::mutex mu_;
    std::unordered_map<std::string, time_point> last_;
    std::size_t sweep_at_ = 1024;
};

}  // namespace wv::gate
