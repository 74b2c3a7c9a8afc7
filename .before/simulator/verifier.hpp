#pragma once
// --verify: an observer of wv/+/1/# that checks, per device, that every report arrived (report_id sequences; QoS 1 redeliveries counted apart as duplicates), that every
// payload decodes with the reference decoder, and that the will of every killed device fired.
//
// It observes in one of two ways: against an external endpoint (--host) it is an MQTT
// subscriber of its own (connect_and_subscribe(), then receive()); with the embedded gateway,
// the gateway's trusted observer hands it every matching message (on_publish(), posted to the
// verifier's io_context), with no login for an authorizer to refuse.
//
// Threading: runs on one io_context (the MQTT subscriber's, or where on_publish() is posted);
// read results only after that context has stopped or from its thread.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "identity.hpp"
#include "report.hpp"
#include "tls/client_context.hpp"

namespace wv::sim {

struct verifier_settings {
    std::string host;
    boost::asio::ip::tcp::endpoint address;
    const tls::client_context* tls = nullptr;
    std::string client_id = "wvsimverify";
    std::string username, password;  // the wire user name (with any authorizer query)
    std::string filter = "wv/+/1/#";
};

class verifier {
public:
    verifier(verifier_settings s, const std::vector<device_identity>& fleet);

    // Connects and subscribes; returns an empty string once SUBACK granted the filter, else why not.
    boost::asio::awaitable<std::string> connect_and_subscribe();
    // Then keeps receiving until stop(); spawn it after connect_and_subscribe succeeded.
    boost::asio::awaitable<void> receive();
    void stop();
    // One message seen on the filter (called by receive(), or by the embedded gateway's observer).
    void on_publish(std::string_view topic, std::span<const std::byte> payload);

    std::uint64_t reports_seen() const { return distinct_; }
    std::uint64_t wills_seen() const { return wills_; }
    std::uint64_t report_ends_seen() const { return closed_; }

    // last_sent[i]: the last report_id device i sent; killed[i]: it was dropped on purpose;
    // acked: PUBACKed reports over the fleet (each must have arrived).
    verify_result result(const std::vector<std::uint64_t>& last_sent, const std::vector<bool>& killed,
                         std::uint64_t acked) const;

private:

    struct per_device {
        std::vector<bool> seen;  // index report_id - 1
        bool will = false;
    };
    verifier_settings s_;
    std::unordered_map<std::string, std::uint32_t> index_;
    std::vector<per_device> devices_;
    std::uint64_t distinct_ = 0, duplicates_ = 0, undecodable_ = 0, wills_ = 0, closed_ = 0;
    struct conn;
    std::shared_ptr<conn> c_;
};

}  // namespace wv::sim
