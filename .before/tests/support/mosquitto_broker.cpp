#include "support/mosquitto_broker.hpp"

#include <algorithm>
#include <sstream>

#include <unistd.h>
#include <stdexcept>

#include "support/ports.hpp"

namespace wv::test {

bool have_mosquitto() { return std::filesystem::exists(WV_MOSQUITTO); }

mosquitto_broker::mosquitto_broker(mosquitto_options o) {
    std::ostringstream conf;
    conf << "per_listener_settings false\n"
         << "log_dest file " << (dir_ / "mosquitto.log").string() << "\n"
         << "log_type all\n"
         << "persistence false\n"
         << "max_keepalive 65535\n";
    // Started as root, mosquitto switches to the user "mosquitto", which cannot read the
    // files of this test's temp dir; stay root instead (it ignores this when not root).
    // mosquitto refuses a second `user` line, so a caller's own one wins.
    const bool caller_sets_user = std::any_of(o.extra_config.begin(), o.extra_config.end(),
                                              [](const std::string& l) { return l.rfind("user ", 0) == 0; });
    if (::geteuid() == 0 && !caller_sets_user) conf << "user root\n";
    if (o.users.empty()) {
        conf << "allow_anonymous true\n";
    } else {
        std::ostringstream users;
        for (const auto& [u, p] : o.users) users << u << ":" << p << "\n";
        const auto pw = dir_.write("passwd", users.str());
        // mosquitto_passwd -U hashes a plain "user:password" file in place.
        const auto r = run({"/usr/bin/mosquitto_passwd", "-U", pw.string()});
        if (r.exit_code != 0) throw std::runtime_error("mosquitto_passwd -U failed: " + r.err);
        conf << "allow_anonymous false\npassword_file " << pw.string() << "\n";
    }
    if (!o.acl_lines.empty()) {
        std::ostringstream acl;
        for (const auto& l : o.acl_lines) acl << l << "\n";
        conf << "acl_file " << dir_.write("acl", acl.str()).string() << "\n";
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
        port_ = free_tcp_port();
        std::ostringstream full;
        full << conf.str() << "listener " << port_ << " 127.0.0.1\n";
        if (!o.cert_file.empty()) {
            full << "certfile " << o.cert_file.string() << "\nkeyfile " << o.key_file.string() << "\n";
            if (!o.ca_file.empty()) full << "cafile " << o.ca_file.string() << "\n";
            if (o.require_certificate) full << "require_certificate true\n";
        }
        for (const auto& l : o.extra_config) full << l << "\n";
        const auto path = dir_.write("mosquitto.conf", full.str());
        proc_ = std::make_unique<child_process>(std::vector<std::string>{WV_MOSQUITTO, "-c", path.string()});
        if (wait_for_port(port_, std::chrono::seconds(10))) return;
        proc_->stop();  // the port was taken between free_tcp_port() and bind: try another
    }
    throw std::runtime_error("mosquitto did not start; log:\n" + log());
}

mosquitto_broker::~mosquitto_broker() {
    if (proc_) proc_->stop();
}

std::string mosquitto_broker::log() const { return read_file(dir_ / "mosquitto.log"); }

}  // namespace wv::test
