#pragma once
// Where the registry's state lasts: one SQLite table of (kind, key) -> JSON body.
//
// The registry keeps its index in memory and writes every change through here. The file runs
// in WAL mode with synchronous=FULL: a change is acknowledged (apply() returns, or submit()'s
// callback runs) only once its transaction is on disk, so an acknowledged change survives a
// crash of the process or of the machine. An empty path keeps everything in memory (nothing
// survives the process).
//
// Group commit: changes are queued in order and written by the store's own thread, every
// change waiting at that moment in ONE transaction (one fsync), so many writers cost one disk
// flush instead of one each. Order is kept: a change is on disk only if every change submitted
// before it is too.
//
//   auto seq = store.submit(ops, [](std::optional<std::string> err) { ... });  // not blocking
//   auto err = store.apply(ops);                                               // blocking
//
// A transaction that fails (disk full, I/O error) breaks the store: that change and every later
// one are refused with the same message, because the caller's in-memory state may now hold
// changes the file does not; a restart reloads what was acknowledged.
//
// Threading: submit() and apply() from any thread; callbacks run on the store's thread, after
// the transaction, and must not block (nor call apply()). load() only before concurrent use.
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

struct sqlite3;

namespace wv::registry {

struct store_op {
    std::string kind, key;
    std::optional<std::string> body;  // nullopt: delete the row
};

class sqlite_store {
public:
    explicit sqlite_store(const std::filesystem::path& file = {});
    ~sqlite_store();  // writes what is queued, then stops the thread
    sqlite_store(const sqlite_store&) = delete;
    sqlite_store& operator=(const sqlite_store&) = delete;

    using on_durable = std::function<void(std::optional<std::string> error)>;
    // Queues `ops` (may be empty: then `done` just waits for everything queued before it) and
    // returns its sequence number; `done` (optional) runs once it is on disk, or with the error.
    std::uint64_t submit(std::vector<store_op> ops, on_durable done = {});
    // submit() and wait: empty on success, else SQLite's message (nothing of `ops` applied).
    std::optional<std::string> apply(std::vector<store_op> ops);
    // The message a broken store refuses every change with; empty while it works.
    std::optional<std::string> broken() const;
    // Every (key, body) of one kind, in key order.
    std::vector<std::pair<std::string, std::string>> load(std::string_view kind) const;
    const std::filesystem::path& file() const { return file_; }
    // Transactions written so far (each one fsync with a file): how well commits group.
    std::uint64_t transactions() const;

private:
    struct queued {
        std::uint64_t seq;
        std::vector<store_op> ops;
        on_durable done;
    };
    void run();
    std::optional<std::string> write(const std::vector<queued>& group);

    std::filesystem::path file_;
    sqlite3* db_ = nullptr;
    mutable std::mutex mu_;
    std::condition_variable work_, written_;
    std::vector<queued> queue_;
    std::uint64_t next_seq_ = 1, durable_ = 0, transactions_ = 0;
    std::optional<std::string> broken_;
    std::uint64_t broken_from_ = 0;  // the first sequence number refused
    bool stop_ = false;
    std::thread writer_;  // last: started once the rest is ready
};

}  // namespace wv::registry
