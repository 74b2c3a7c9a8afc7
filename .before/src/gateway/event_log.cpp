#include "gateway/event_log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace wv::gate {
namespace {

// AWS IoT's log timestamp: "YYYY-MM-DD hh:mm:ss.mmm" in UTC.
std::string utc_timestamp() {
    const auto now = std::chrono::system_clock::now();
    const auto t = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
    return buf;
}

}  // namespace

const char* to_string(log_level l) noexcept {
    switch (l) {
        case log_level::debug: return "DEBUG";
        case log_level::info: return "INFO";
        case log_level::warn: return "WARN";
        case log_level::error: return "ERROR";
        case log_level::off: return "OFF";
    }
    return "INFO";
}

event_log::event_log(log_level min_level, std::string account)
    : event_log(min_level, std::move(account), [](std::string_view line) {
          std::fwrite(line.data(), 1, line.size(), stderr);
          std::fputc('\n', stderr);
      }) {}

event_log::event_log(log_level min_level, std::string account, writer w)
    : min_(min_level), account_(std::move(account)), write_(std::move(w)) {}

void event_log::emit(log_level l, nlohmann::json fields) {
    if (!enabled(l)) return;
    nlohmann::json line = {{"timestamp", utc_timestamp()}, {"logLevel", to_string(l)}, {"accountId", account_}};
    line.update(fields);
    // Bytes from devices (client ids, topics) may not be valid UTF-8; replace, never throw.
    const auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::lock_guard lock(mu_);
    write_(text);
}

}  // namespace wv::gate
