#include "client/client_errc.hpp"

#include <string>

namespace wv::client {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "wv.client"; }
    std::string message(int v) const override {
        switch (static_cast<client_errc>(v)) {
            case client_errc::connack_timeout: return "no CONNACK before the deadline";
            case client_errc::unexpected_packet: return "the server sent a packet MQTT 3.1.1 does not allow here";
            case client_errc::refused_protocol_version: return "CONNACK 1: unacceptable protocol version";
            case client_errc::refused_identifier_rejected: return "CONNACK 2: identifier rejected";
            case client_errc::refused_server_unavailable: return "CONNACK 3: server unavailable";
            case client_errc::refused_bad_user_name_or_password: return "CONNACK 4: bad user name or password";
            case client_errc::refused_not_authorized: return "CONNACK 5: not authorized";
            case client_errc::pingresp_timeout: return "no PINGRESP before the deadline";
            case client_errc::queue_full: return "write queue full";
            case client_errc::too_many_in_flight: return "all packet identifiers in use";
            case client_errc::not_connected: return "not connected";
            case client_errc::connection_lost: return "connection lost before the operation completed";
            case client_errc::subscription_refused: return "subscription refused (SUBACK 0x80)";
            case client_errc::disconnected: return "disconnected by the client";
            case client_errc::packet_too_large:
                return "packet larger than the server's Maximum Packet Size (MQTT 5 CONNACK): not sent";
        }
        return "unknown wv.client error " + std::to_string(v);
    }
};

}  // namespace

const std::error_category& client_category() noexcept {
    static const category c;
    return c;
}

std::error_code make_error_code(client_errc e) noexcept { return {static_cast<int>(e), client_category()}; }

}  // namespace wv::client
