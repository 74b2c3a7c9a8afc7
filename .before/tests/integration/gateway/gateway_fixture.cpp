#include "gateway_fixture.hpp"

#include <thread>

#include "support/child_process.hpp"

namespace wv::test {

std::string wv_policy() {
    return R"({"Version":"2012-10-17","Statement":[)"
           R"({"Effect":"Allow","Action":"iot:Connect","Resource":"arn:aws:iot:*:*:client/*"},)"
           R"({"Effect":"Allow","Action":["iot:Publish","iot:Receive","iot:RetainPublish"],"Resource":"arn:aws:iot:*:*:topic/wv/*"},)"
           R"({"Effect":"Allow","Action":"iot:Subscribe","Resource":"arn:aws:iot:*:*:topicfilter/wv/*"}]})";
}

std::string own_policy() { return wv::gate::own_topics_policy("wv"); }

gateway_fixture::gateway_fixture(void (*tweak)(wv::gate::gateway_config&)) {
    using namespace wv::gate;
    gateway_config cfg;
    listener_config l;
    l.name = "aws-443";
    l.kind = listener_kind::aws_443;
    l.port = 0;
    cfg.listeners = {l};
    authorizer_config a;
    a.name = "auth";
    static_credential d1, d2;
    d1.username = "dev1";
    d1.password = "pw1";
    d2.username = "dev2";
    d2.password = "pw2";
    d2.policy_documents = {own_policy()};
    a.credentials = {d1, d2};
    a.default_policies = {wv_policy()};
    cfg.authorizers = {a};
    cfg.default_authorizer = "auth";
    cfg.generated_ca_dir = dir / "ca";
    cfg.log_file = (dir / "gw.log").string();
    cfg.level = log_level::debug;
    cfg.threads = 2;
    if (tweak) tweak(cfg);
    gw = std::make_unique<gateway>(std::move(cfg));
    gw->start();
}

gateway_fixture::~gateway_fixture() { gw->stop(); }

std::string gateway_fixture::log() const { return read_file(dir / "gw.log"); }

void gateway_fixture::poll_pause() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

bool gateway_fixture::wait_for_log(const std::vector<std::string>& parts, std::chrono::milliseconds timeout) const {
    const auto end = std::chrono::steady_clock::now() + timeout;
    do {
        const auto text = log();
        std::size_t pos = 0;
        while (pos < text.size()) {
            const auto eol = text.find('\n', pos);
            const auto line = text.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
            bool all = true;
            for (const auto& p : parts) all = all && line.find(p) != std::string::npos;
            if (all) return true;
            if (eol == std::string::npos) break;
            pos = eol + 1;
        }
        poll_pause();
    } while (std::chrono::steady_clock::now() < end);
    return false;
}

std::vector<std::string> gateway_fixture::mosquitto_args(const std::string& tool, const std::string& client_id,
                                                         const std::string& user, const std::string& password) const {
    return {tool, "-h", "localhost", "-p", std::to_string(port()), "--cafile", ca(), "--tls-alpn", "mqtt",
            "-i", client_id, "-u", user + "?x-amz-customauthorizer-name=auth", "-P", password};
}

}  // namespace wv::test
