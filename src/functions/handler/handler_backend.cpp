#include "functions/handler/handler_backend.hpp"

#include <unistd.h>

#include <array>
#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <deque>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <thread>

#include "functions/handler/worker_process.hpp"

extern char** environ;

namespace wv::handler {
namespace {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;
using auth::backend_errc;
using auth::backend_reply;

// Lambda's synchronous response limit; a longer line is a broken worker, not a reply.
constexpr std::size_t max_reply_bytes = 6 * 1024 * 1024;
constexpr std::size_t max_stray_lines = 200;
constexpr std::size_t recent_lines_kept = 20;

std::filesystem::path find_in_path(const std::filesystem::path& prog) {
    if (prog.empty() || prog.is_absolute() || prog.has_parent_path()) return prog;
    const char* path = std::getenv("PATH");
    std::string_view rest = path ? path : "/usr/bin:/bin";
    while (!rest.empty()) {
        const auto colon = rest.find(':');
        const auto candidate = std::filesystem::path(rest.substr(0, colon)) / prog;
        if (access(candidate.c_str(), X_OK) == 0) return candidate;
        if (colon == std::string_view::npos) break;
        rest = rest.substr(colon + 1);
    }
    return {};
}

struct worker;

struct call_state {
    explicit call_state(asio::io_context& io) : timer(io) {}
    std::uint64_t id = 0;
    std::string event;  // compact JSON, one line
    steady::time_point started, deadline;
    auth::authorizer_backend::completion done;
    asio::steady_timer timer;
    bool finished = false;
    std::shared_ptr<worker> on;  // the worker running it, if any
    std::vector<std::string> stray;
};

struct worker {
    enum class state { starting, idle, busy, dead };
    std::unique_ptr<worker_process> proc;
    state st = state::starting;
    std::shared_ptr<call_state> call;
    asio::streambuf rx{max_reply_bytes};
    std::string tx;
    std::array<char, 4096> out_buf{};
    std::string out_partial;
    std::deque<std::string> recent;  // last lines of raw output, for crash reports
};

std::string describe_error(const nlohmann::json& err) {
    const std::string type = err.value("errorType", "Error");
    const std::string msg = err.value("errorMessage", "");
    return msg.empty() ? type : type + ": " + msg;
}

std::vector<std::string> string_lines(const nlohmann::json& j, const char* key) {
    std::vector<std::string> out;
    if (auto it = j.find(key); it != j.end() && it->is_array())
        for (const auto& l : *it)
            if (l.is_string()) out.push_back(l.get<std::string>());
    return out;
}

// Everything that runs on the I/O thread. Shared by the handle and the thread itself, so it
// outlives every handler even when the handle is dropped from inside a completion.
class handler_pool {
public:
    using completion = auth::authorizer_backend::completion;

    handler_pool(handler_options opts, handler_spec spec)
        : opts_(std::move(opts)),
          spec_(std::move(spec)),
          guard_(io_.get_executor()),
          rng_(std::random_device{}()) {
        build_spawn_request();
        want_warm_ = opts_.prestart;
        if (want_warm_) asio::post(io_, [this] { dispatch(); });
    }

    void run() { io_.run(); }

    // Fails what is pending, kills the workers, lets run() return once the last handler is done.
    void stop() {
        asio::post(io_, [this] { shutdown(); });
        guard_.reset();
    }

    void invoke(std::string event_json, steady::time_point deadline, completion done) {
        auto c = std::make_shared<call_state>(io_);
        c->deadline = deadline;
        c->started = steady::now();
        c->done = std::move(done);
        // One line on the wire: re-serialise compactly (an event file may be pretty-printed).
        auto parsed = nlohmann::json::parse(event_json, nullptr, false);
        if (parsed.is_discarded()) {
            c->done({backend_errc::transport, {}, "the event is not valid JSON", {}});
            return;
        }
        c->event = parsed.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        asio::post(io_, [this, c] { enqueue(c); });
    }

    std::string describe() const {
        return std::string("handler ") + to_string(spec_.rt) + ":" + spec_.file.string() + ":" +
               spec_.function + " workers=" + std::to_string(opts_.workers);
    }

private:
    void build_spawn_request() {
        const auto runner =
            opts_.runner_dir / (spec_.rt == runtime::python ? "wv_runner.py" : "wv_runner.js");
        if (spec_.rt == runtime::python)
            req_.argv = {opts_.interpreter.string(), "-u", runner.string()};
        else
            req_.argv = {opts_.interpreter.string(), runner.string()};
        req_.argv.insert(req_.argv.end(), {spec_.file.string(), spec_.function, opts_.function_name,
                                           std::to_string(opts_.memory_mb)});
        req_.cwd = spec_.file.parent_path();

        std::map<std::string, std::string> env;
        for (char** e = environ; e && *e; ++e) {
            const std::string_view kv(*e);
            const auto eq = kv.find('=');
            if (eq != std::string_view::npos)
                env[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
        }
        env["AWS_LAMBDA_FUNCTION_NAME"] = opts_.function_name;
        env["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST";
        env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = std::to_string(opts_.memory_mb);
        env["AWS_REGION"] = opts_.region;
        env["AWS_DEFAULT_REGION"] = opts_.region;
        env["LAMBDA_TASK_ROOT"] = req_.cwd.string();
        env["PYTHONUNBUFFERED"] = "1";
        env["PYTHONDONTWRITEBYTECODE"] = "1";       // do not litter the user's folder with __pycache__
        env["AWS_EC2_METADATA_DISABLED"] = "true";  // boto3 must not wait on an instance metadata service
        if (!opts_.iot_endpoint_url.empty()) env["WV_IOT_ENDPOINT_URL"] = opts_.iot_endpoint_url;
        for (const auto& [k, v] : opts_.environment) env[k] = v;  // the user's settings win
        for (const auto& [k, v] : env) req_.env.push_back(k + "=" + v);
    }

    void enqueue(const std::shared_ptr<call_state>& c) {
        if (stopping_) return finish(c, {backend_errc::transport, {}, "backend stopped", {}});
        if (queue_.size() >= opts_.max_queue)
            return finish(c, {backend_errc::overloaded,
                              {},
                              std::to_string(queue_.size()) + " calls already wait for a worker",
                              {}});
        c->id = ++next_id_;
        queue_.push_back(c);
        c->timer.expires_at(c->deadline);
        c->timer.async_wait([this, c](boost::system::error_code ec) {
            if (!ec) on_deadline(c);
        });
        dispatch();
    }

    void dispatch() {
        if (stopping_) return;
        for (auto& w : workers_) {
            if (queue_.empty()) break;
            if (w->st == worker::state::idle) {
                auto c = queue_.front();
                queue_.pop_front();
                start_call(w, c);
            }
        }
        std::size_t live = 0;
        for (auto& w : workers_) live += w->st != worker::state::dead;
        while (live < opts_.workers && (want_warm_ || !queue_.empty())) {
            if (!spawn_worker()) break;
            ++live;
        }
    }

    bool spawn_worker() {
        std::error_code ec;
        auto proc = worker_process::spawn(io_, req_, ec);
        if (!proc) {
            want_warm_ = false;
            fail_queue({backend_errc::transport,
                        {},
                        "cannot start a worker (" + req_.argv[0] + "): " + ec.message(),
                        {}});
            return false;
        }
        auto w = std::make_shared<worker>();
        w->proc = std::move(proc);
        workers_.push_back(w);
        read_reply(w);
        read_output(w);
        return true;
    }

    void start_call(const std::shared_ptr<worker>& w, const std::shared_ptr<call_state>& c) {
        w->st = worker::state::busy;
        w->call = c;
        c->on = w;
        const auto remaining =
            std::chrono::duration_cast<std::chrono::milliseconds>(c->deadline - steady::now()).count();
        w->tx = "{\"id\":" + std::to_string(c->id) + ",\"request_id\":\"" + make_request_id() +
                "\",\"remaining_ms\":" + std::to_string(remaining > 0 ? remaining : 0) +
                ",\"event\":" + c->event + "}\n";
        asio::async_write(w->proc->channel(), asio::buffer(w->tx),
                          [this, w](boost::system::error_code ec, std::size_t) {
                              if (ec && w->st != worker::state::dead)
                                  worker_died(w, "writing the event failed: " + ec.message());
                          });
    }

    void read_reply(const std::shared_ptr<worker>& w) {
        asio::async_read_until(
            w->proc->channel(), w->rx, '\n',
            [this, w](boost::system::error_code ec, std::size_t n) { on_reply(w, ec, n); });
    }

    void on_reply(const std::shared_ptr<worker>& w, boost::system::error_code ec, std::size_t n) {
        if (w->st == worker::state::dead) return;
        if (ec) {
            if (ec == asio::error::not_found)
                return worker_died(
                    w, "the worker's reply exceeds " + std::to_string(max_reply_bytes) + " bytes");
            return worker_died(w, "");
        }
        const auto begin = asio::buffers_begin(w->rx.data());
        const std::string line(begin, begin + static_cast<std::ptrdiff_t>(n));
        w->rx.consume(n);
        const auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object())
            return worker_died(w, "the worker broke the protocol (a line that is not a JSON object)");

        if (w->st == worker::state::starting) {
            if (j.value("ready", false)) {
                w->st = worker::state::idle;
                want_warm_ = opts_.prestart;
            } else {
                // The file does not import: every waiting call fails with Lambda's init error,
                // and the pool stays cold until the next call tries again.
                const auto err = j.value("error", nlohmann::json::object());
                w->proc->kill_and_reap();
                w->st = worker::state::dead;
                want_warm_ = false;
                fail_queue(
                    {backend_errc::function_error, err.dump(), describe_error(err), string_lines(j, "logs")});
                reap_dead();
                return;
            }
        } else if (w->st == worker::state::busy) {
            auto c = w->call;
            if (!c || j.value("id", std::uint64_t{0}) != c->id)
                return worker_died(w, "the worker replied to a call it was not given");
            w->call.reset();
            c->on.reset();
            w->st = worker::state::idle;
            backend_reply r;
            r.log_lines = string_lines(j, "logs");
            if (j.value("ok", false)) {
                r.body = j.contains("result") ? j["result"].dump() : "null";
            } else {
                const auto err = j.value("error", nlohmann::json::object());
                r.error = backend_errc::function_error;
                r.detail = describe_error(err);
                r.body = err.dump();
            }
            finish(c, std::move(r));
        } else {
            return worker_died(w, "the worker sent a reply while idle");
        }
        read_reply(w);
        dispatch();
    }

    void read_output(const std::shared_ptr<worker>& w) {
        w->proc->output().async_read_some(asio::buffer(w->out_buf),
                                          [this, w](boost::system::error_code ec, std::size_t n) {
                                              if (ec || w->st == worker::state::dead) return;
                                              w->out_partial.append(w->out_buf.data(), n);
                                              std::size_t nl;
                                              while ((nl = w->out_partial.find('\n')) != std::string::npos) {
                                                  std::string line = w->out_partial.substr(0, nl);
                                                  w->out_partial.erase(0, nl + 1);
                                                  if (w->call && w->call->stray.size() < max_stray_lines)
                                                      w->call->stray.push_back("[stdout] " + line);
                                                  w->recent.push_back(std::move(line));
                                                  if (w->recent.size() > recent_lines_kept)
                                                      w->recent.pop_front();
                                              }
                                              // A line with no end in sight is still output: cut it rather
                                              // than grow without bound.
                                              if (w->out_partial.size() > 64 * 1024) w->out_partial.clear();
                                              read_output(w);
                                          });
    }

    void on_deadline(const std::shared_ptr<call_state>& c) {
        if (c->finished) return;
        const auto waited =
            std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - c->started).count();
        if (auto w = c->on) {
            const int pid = w->proc->pid();
            w->proc->kill_and_reap();
            w->st = worker::state::dead;
            w->call.reset();
            c->on.reset();
            finish(c, {backend_errc::timeout,
                       {},
                       "no return within " + std::to_string(waited) + " ms; worker pid " +
                           std::to_string(pid) + " killed and replaced",
                       {}});
            reap_dead();
            dispatch();
        } else {
            std::erase(queue_, c);
            finish(c, {backend_errc::timeout,
                       {},
                       "waited " + std::to_string(waited) + " ms for a free worker (all " +
                           std::to_string(opts_.workers) + " busy)",
                       {}});
        }
    }

    void worker_died(const std::shared_ptr<worker>& w, const std::string& reason) {
        if (w->st == worker::state::dead) return;
        const int pid = w->proc->pid();
        const auto was = w->st;
        const std::string how = w->proc->kill_and_reap();
        w->st = worker::state::dead;
        std::string detail = "worker pid " + std::to_string(pid) + (how.empty() ? " died" : " " + how);
        if (!reason.empty()) detail += ": " + reason;
        if (!w->out_partial.empty()) w->recent.push_back(w->out_partial);
        if (!w->recent.empty()) detail += "; last output: " + w->recent.back();
        std::vector<std::string> tail(w->recent.begin(), w->recent.end());
        if (auto c = w->call) {
            w->call.reset();
            c->on.reset();
            finish(c, {backend_errc::worker_crashed, {}, detail + " (replaced)", tail});
        } else if (was == worker::state::starting) {
            // Dying before "ready" is a broken runtime, not a call's fault: do not respawn in a loop.
            want_warm_ = false;
            fail_queue({backend_errc::worker_crashed, {}, "worker failed to start: " + detail, tail});
        }
        reap_dead();
        dispatch();
    }

    void fail_queue(const backend_reply& r) {
        auto q = std::move(queue_);
        queue_.clear();
        for (auto& c : q) finish(c, r);
    }

    void reap_dead() {
        std::erase_if(workers_, [](const auto& w) { return w->st == worker::state::dead; });
    }

    void finish(const std::shared_ptr<call_state>& c, backend_reply r) {
        if (c->finished) return;
        c->finished = true;
        c->timer.cancel();
        for (auto& s : c->stray) r.log_lines.push_back(std::move(s));
        auto done = std::move(c->done);
        try {
            if (done) done(std::move(r));
        } catch (...) {
            // A completion must not throw (see the seam); never let one take the I/O thread down.
        }
    }

    void shutdown() {
        stopping_ = true;
        fail_queue({backend_errc::transport, {}, "backend stopped", {}});
        for (auto& w : workers_) {
            w->proc->kill_and_reap();
            w->st = worker::state::dead;
            if (auto c = w->call) {
                w->call.reset();
                c->on.reset();
                finish(c, {backend_errc::transport, {}, "backend stopped", {}});
            }
        }
        workers_.clear();
    }

    std::string make_request_id() {
        // A v4 UUID, like Lambda's aws_request_id.
        std::uniform_int_distribution<std::uint64_t> d;
        std::uint64_t a = d(rng_), b = d(rng_);
        a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
        b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
        char buf[40];
        std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                      static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                      static_cast<unsigned>(b >> 48), static_cast<unsigned long long>(b & 0xffffffffffffULL));
        return buf;
    }

    handler_options opts_;
    handler_spec spec_;
    spawn_request req_;
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_;
    std::vector<std::shared_ptr<worker>> workers_;
    std::deque<std::shared_ptr<call_state>> queue_;
    std::uint64_t next_id_ = 0;
    bool want_warm_ = true;
    bool stopping_ = false;
    std::mt19937_64 rng_;
};

}  // namespace

std::unique_ptr<auth::authorizer_backend> make_handler_backend(handler_options opts) {
    handler_spec spec = parse_handler_spec(opts.spec);
    std::error_code ec;
    spec.file = std::filesystem::absolute(spec.file, ec);
    if (!std::filesystem::is_regular_file(spec.file, ec))
        throw std::invalid_argument("handler '" + opts.spec + "': no such file " + spec.file.string());
    if (opts.workers == 0)
        throw std::invalid_argument("handler '" + opts.spec + "': workers must be at least 1");
    if (opts.interpreter.empty())
        opts.interpreter = spec.rt == runtime::python ? WV_HANDLER_PYTHON : WV_HANDLER_NODE;
    if (opts.interpreter.empty()) opts.interpreter = spec.rt == runtime::python ? "python3" : "node";
    const auto found = find_in_path(opts.interpreter);
    if (found.empty() || access(found.c_str(), X_OK) != 0)
        throw std::invalid_argument("handler '" + opts.spec + "': interpreter " + opts.interpreter.string() +
                                    " not found or not executable");
    opts.interpreter = found;
    if (opts.runner_dir.empty()) opts.runner_dir = WV_HANDLER_RUNNER_DIR;
    const auto runner = opts.runner_dir / (spec.rt == runtime::python ? "wv_runner.py" : "wv_runner.js");
    if (!std::filesystem::is_regular_file(runner, ec))
        throw std::invalid_argument("handler runner " + runner.string() + " is missing (set runner_dir)");
    if (opts.function_name.empty()) opts.function_name = spec.file.stem().string();
    return std::make_unique<auth::engine_thread_backend<handler_pool>>(
        std::make_shared<handler_pool>(std::move(opts), std::move(spec)));
}

}  // namespace wv::handler
