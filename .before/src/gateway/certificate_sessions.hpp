#pragma once
// The live X.509 MQTT connections by certificate id (and CA id), so that a certificate (or its
// CA) leaving ACTIVE closes the connections using it, as AWS does after UpdateCertificate
// ("AWS IoT disconnects all devices that used that certificate to connect"; AWS within a few
// minutes, here at once). The gateway feeds on_status_change() from the certificate
// directory's subscription.
//
//   auto token = sessions.add(cert_id, ca_id, self);   // when the CONNECT is accepted
//   sessions.remove(token);                             // when the connection closes
//
// Kicked connections close as AUTH_ERROR (lifecycle event, Will). Threading: every member is
// thread-safe (one mutex, no I/O or kick under it: subscriber::kick only posts).
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "gateway/broker.hpp"
#include "gateway/certificate_directory.hpp"

namespace wv::gate {

class certificate_sessions {
public:
    std::uint64_t add(const std::string& certificate_id, const std::string& ca_id, std::weak_ptr<subscriber> s);
    void remove(std::uint64_t token);
    // Kicks the connections the change concerns when the new status is not ACTIVE; returns how many.
    std::size_t on_status_change(const certificate_status_change& c);
    std::size_t size() const;

private:
    struct entry {
        std::string certificate_id, ca_id;
        std::weak_ptr<subscriber> s;
    };
    mutable std::mutex mu_;
    std::uint64_t next_ = 1;
    std::unordered_map<std::uint64_t, entry> entries_;
};

}  // namespace wv::gate
