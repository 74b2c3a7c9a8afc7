#pragma once
// When a simulated device connects again, as a real one would (both engines):
// - never sooner than 1 s after its previous connect attempt ended (CONNACK or close): AWS IoT
//   Core accepts one CONNECT per second per client id (not adjustable) and closes a faster one
//   without CONNACK (THROTTLED), and wvgate enforces the same. Counting from the server's answer
//   rather than from our CONNECT keeps the gap over 1 s at the server too;
// - after a failed reconnect, again after a backoff (--retry-backoff INITIAL,MAX): attempt k
//   waits a delay drawn between half and all of min(MAX, INITIAL * 2^k) ("equal jitter", so a
//   fleet that lost its connections together does not come back in lock-step), until the run
//   ends. Draws are a pure function of (seed, device, attempt), like the rest of the timetable.
// A device's *first* connect is not retried: its outcome is the finding (a denied credential,
// a wrong CA), and the expected-vs-actual check reads it.
#include <chrono>
#include <cstdint>
#include <string>

namespace wv::sim {

inline constexpr std::chrono::seconds min_connect_spacing{1};

struct retry_backoff {
    bool enabled = true;
    std::chrono::milliseconds initial{1000};
    std::chrono::milliseconds max{30'000};
};

// "off", or "INITIAL,MAX" in seconds (e.g. "1,30", "0.5,10"). Throws std::invalid_argument
// saying what is wrong.
retry_backoff parse_retry_backoff(const std::string& text);

// The delay before retry `attempt` (0 for the first retry) of the device with global index
// `device`.
std::chrono::milliseconds retry_delay(const retry_backoff& b, std::uint64_t seed, std::uint32_t device,
                                      std::uint32_t attempt) noexcept;

}  // namespace wv::sim
