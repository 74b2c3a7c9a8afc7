#include "control_plane_client.hpp"

#include <chrono>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "sigv4/sigv4.hpp"

namespace wv::sim {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

std::string api_result::describe() const {
    std::string m = body.is_object() && body.contains("message") && body["message"].is_string()
                        ? body["message"].get<std::string>()
                        : body.dump();
    return std::to_string(status) + (error_type.empty() ? "" : " " + error_type) + ": " + m;
}

std::optional<sigv4::credentials> optional_credentials() {
    try {
        return sigv4::load_credentials();
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

struct control_plane_client::connection {
    asio::io_context io;
    tcp::socket socket{io};
    boost::beast::flat_buffer buffer;
};

control_plane_client::control_plane_client(control_plane_target t) : t_(std::move(t)) {
    std::string rest = t_.url;
    if (!rest.starts_with("http://")) throw std::runtime_error("control plane " + t_.url + ": expected http://host:port");
    rest = rest.substr(7);
    if (const auto slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
    const auto colon = rest.rfind(':');
    host_ = colon == std::string::npos ? rest : rest.substr(0, colon);
    port_ = colon == std::string::npos ? "80" : rest.substr(colon + 1);
}

control_plane_client::~control_plane_client() = default;

api_result control_plane_client::call(const std::string& method, const std::string& path,
                                      const std::vector<std::pair<std::string, std::string>>& query,
                                      const nlohmann::json& body,
                                      const std::vector<std::pair<std::string, std::string>>& headers) {
    const std::string text = body.is_null() ? std::string{} : body.dump();
    std::string target = path;
    for (std::size_t i = 0; i < query.size(); ++i)
        target += (i ? "&" : "?") + sigv4::uri_encode(query[i].first, false) + "=" + sigv4::uri_encode(query[i].second, false);
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    const std::string host = host_ + ":" + port_;
    req.set(http::field::host, host);
    req.set(http::field::content_type, "application/x-amz-json-1.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = text;
    req.keep_alive(true);
    req.prepare_payload();
    if (t_.credentials) {
        sigv4::http_request s{.method = method, .path = path, .query = query, .headers = {{"host", host}}, .body = text};
        for (const auto& [k, v] : headers) s.headers.emplace_back(k, v);
        const auto signed_req =
            sigv4::sign(s, *t_.credentials, {.region = t_.region, .service = "iot", .at = std::chrono::system_clock::now()});
        for (const auto& [k, v] : signed_req.added) req.set(k, v);
    }
    // A kept-alive connection the server closed meanwhile (its idle timeout): one new one.
    for (int attempt = 0;; ++attempt) {
        boost::system::error_code ec;
        const bool reused = conn_ != nullptr;
        if (!conn_) {
            conn_ = std::make_unique<connection>();
            tcp::resolver res(conn_->io);
            const auto eps = res.resolve(host_, port_, ec);
            if (!ec) asio::connect(conn_->socket, eps, ec);
            if (ec) {
                conn_.reset();
                throw std::runtime_error("control plane " + t_.url + ": cannot connect: " + ec.message());
            }
        }
        http::write(conn_->socket, req, ec);
        http::response<http::string_body> res;
        if (!ec) http::read(conn_->socket, conn_->buffer, res, ec);
        if (ec) {
            conn_.reset();
            if (reused && attempt == 0) continue;
            throw std::runtime_error("control plane " + t_.url + ": " + method + " " + path + ": " + ec.message());
        }
        ++calls_;
        api_result r;
        r.status = res.result_int();
        if (const auto it = res.find("x-amzn-ErrorType"); it != res.end()) {
            r.error_type = std::string(it->value());
            if (const auto c = r.error_type.find(':'); c != std::string::npos) r.error_type.resize(c);
        }
        if (!res.body().empty()) r.body = nlohmann::json::parse(res.body(), nullptr, false);
        if (!res.keep_alive()) conn_.reset();
        return r;
    }
}

}  // namespace wv::sim
