#pragma once
// The server's side of MQTT over WebSocket (layer.hpp): the opening handshake of RFC 6455 4.2
// over the inner machine (the gateway's MQTT connection).
//
//   request   parsed with Beast's request_parser fed by put() (headers <= max_header_bytes);
//             check_upgrade() (handshake.hpp): a failed check is answered with its status
//             (400, 404, 405, 426) and a JSON body, then the connection closes
//   verdict   with an upgrade_judge, the owner decides (authentication, asynchronously): the
//             layer reads nothing meanwhile; the owner calls accept() or refuse() through
//             driver::act(). Without one, every valid request is accepted at once (the MQTT
//             CONNECT's username and password then authenticate, as AWS allows on WSS).
//   101       switching_protocols(); then frames (layer.hpp). Client frames must be masked.
// A refused or timed-out handshake never reaches the inner machine's bytes; it hears
// on_transport_closed(ws_errc::handshake_refused or handshake_timeout).
#include <memory>
#include <string>

#include "websocket/handshake.hpp"
#include "websocket/layer.hpp"

namespace wv::websocket {

struct server_options {
    std::string path = "/mqtt";
    std::size_t max_header_bytes = 8 * 1024;
    // A frame's payload may hold several MQTT packets; twice AWS's 128 KB message size lets
    // the largest PUBLISH through with room to spare, and bounds what one header announces.
    std::uint64_t max_frame_bytes = 256 * 1024;
    std::chrono::milliseconds handshake_timeout{10'000};
};

// Decides a valid upgrade request (authentication). Called once, inside the layer's input;
// the answer comes later through server_layer::accept() or refuse() (or at once, from inside).
class upgrade_judge {
public:
    virtual void judge(const http::request_header<>& request, clock::time_point now) = 0;

protected:
    ~upgrade_judge() = default;
};

class server_layer final : public layer {
public:
    server_layer(net::protocol_machine& inner, server_options o, clock::time_point now, upgrade_judge* judge = nullptr);
    ~server_layer();

    // The judge's answers (through driver::act, not wrap()).
    void accept(clock::time_point now, net::effects& fx);
    void refuse(unsigned status, std::string_view message, std::string_view error_type, clock::time_point now,
                net::effects& fx);

    // The upgrade request (valid while the handshake runs and the judge decides; null after).
    const http::request_header<>* request() const noexcept;
    // The status the upgrade was refused with (0: not refused).
    unsigned refused_status() const noexcept { return refused_status_; }

private:
    std::span<const std::byte> on_handshake_bytes(std::span<const std::byte> in, clock::time_point now,
                                                  net::effects& fx) override;
    bool handshake_wants_input() const override { return !judging_; }
    std::optional<mask_key> next_mask() override { return std::nullopt; }

    struct pending;                    // the parser and the bytes read so far (handshake only)
    server_options opts_;
    upgrade_judge* judge_;
    std::unique_ptr<pending> p_;
    unsigned refused_status_ = 0;
    bool judging_ = false;
};

}  // namespace wv::websocket
