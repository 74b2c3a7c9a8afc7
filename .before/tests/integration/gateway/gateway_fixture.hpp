#pragma once
// An in-process wvgate for integration tests: aws-443 listener on 127.0.0.1 port 0 with a
// generated CA in a temp dir, the static authorizer "auth" (the default authorizer), JSON
// logs captured to a file the test can poll.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "gateway/gateway.hpp"
#include "support/temp_dir.hpp"

namespace wv::test {

// Policy: connect as anything; publish/receive on topic/wv/*, subscribe on topicfilter/wv/*.
std::string wv_policy();
// Policy: only <prefix>/<client id>/... (gateway::own_topics_policy("wv")).
std::string own_policy();

class gateway_fixture {
public:
    // `tweak` may change the config before start.
    explicit gateway_fixture(void (*tweak)(wv::gate::gateway_config&) = nullptr);
    ~gateway_fixture();

    std::uint16_t port(std::size_t listener = 0) const { return gw->listeners().at(listener).port; }
    std::string ca() const { return gw->certificates().ca_cert.string(); }
    std::string log() const;
    // Polls the log until a line contains every one of `parts`; false after `timeout`.
    bool wait_for_log(const std::vector<std::string>& parts,
                      std::chrono::milliseconds timeout = std::chrono::seconds(15)) const;
    // Polls until pred(stats) holds.
    template <class Pred>
    bool wait_for_stats(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(15)) const {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < end) {
            if (pred(gw->stats())) return true;
            poll_pause();
        }
        return pred(gw->stats());
    }
    // mosquitto client arguments for this gateway: host, port, CA, ALPN mqtt, user name with
    // the authorizer, password, client id.
    std::vector<std::string> mosquitto_args(const std::string& tool, const std::string& client_id,
                                            const std::string& user, const std::string& password) const;

    temp_dir dir;
    std::unique_ptr<wv::gate::gateway> gw;

private:
    static void poll_pause();
};

}  // namespace wv::test
