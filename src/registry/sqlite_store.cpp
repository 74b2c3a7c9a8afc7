#include "registry/sqlite_store.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace wv::registry {
namespace {

struct stmt {
    sqlite3_stmt* s = nullptr;
    stmt(sqlite3* db, const char* sql) {
        if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) s = nullptr;
    }
    ~stmt() { sqlite3_finalize(s); }
    stmt(const stmt&) = delete;
    stmt& operator=(const stmt&) = delete;
    void bind(int i, std::string_view v) { sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT); }
};

std::string column_text(sqlite3_stmt* s, int i) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : std::string{};
}

}  // namespace

sqlite_store::sqlite_store(const std::filesystem::path& file) : file_(file) {
    const std::string name = file.empty() ? ":memory:" : file.string();
    if (sqlite3_open_v2(name.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
        const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        throw std::runtime_error("registry state " + name + ": cannot open: " + msg);
    }
    sqlite3_busy_timeout(db_, 5000);
    // WAL + FULL: a committed transaction is on disk before it is acknowledged, so an answered
    // API call survives a crash (NORMAL could lose the last ones on power loss). Group commit
    // (run()) is what makes FULL affordable.
    const char* setup =
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=FULL;"
        "CREATE TABLE IF NOT EXISTS objects(kind TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL,"
        " PRIMARY KEY(kind, key)) WITHOUT ROWID;";
    char* err = nullptr;
    if (sqlite3_exec(db_, setup, nullptr, nullptr, &err) != SQLITE_OK) {
        const std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        sqlite3_close(db_);
        db_ = nullptr;
        throw std::runtime_error("registry state " + name + ": " + msg + " (is it an SQLite file wvgate wrote?)");
    }
    writer_ = std::thread([this] { run(); });
}

sqlite_store::~sqlite_store() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    work_.notify_all();
    writer_.join();
    sqlite3_close(db_);
}

std::uint64_t sqlite_store::submit(std::vector<store_op> ops, on_durable done) {
    std::uint64_t seq;
    {
        std::lock_guard lock(mu_);
        seq = next_seq_++;
        queue_.push_back({seq, std::move(ops), std::move(done)});
    }
    work_.notify_one();
    return seq;
}

std::optional<std::string> sqlite_store::apply(std::vector<store_op> ops) {
    const auto seq = submit(std::move(ops));
    std::unique_lock lock(mu_);
    written_.wait(lock, [&] { return durable_ >= seq; });
    if (broken_ && broken_from_ <= seq) return broken_;
    return std::nullopt;
}

std::optional<std::string> sqlite_store::broken() const {
    std::lock_guard lock(mu_);
    return broken_;
}

std::uint64_t sqlite_store::transactions() const {
    std::lock_guard lock(mu_);
    return transactions_;
}

void sqlite_store::run() {
    std::unique_lock lock(mu_);
    for (;;) {
        work_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, everything written
        std::vector<queued> group;
        group.swap(queue_);
        const bool refuse = broken_.has_value();
        lock.unlock();
        std::optional<std::string> failed = refuse ? std::nullopt : write(group);
        lock.lock();
        if (failed && !broken_) {
            broken_ = "the registry's state file " + (file_.empty() ? std::string(":memory:") : file_.string()) +
                      " could not be written (" + *failed + "); restart to reload what was saved";
            broken_from_ = group.front().seq;
        }
        if (!refuse && !failed) ++transactions_;
        durable_ = group.back().seq;
        const auto error = broken_;
        lock.unlock();
        written_.notify_all();
        for (auto& q : group)
            if (q.done) q.done(error);
        lock.lock();
    }
}

std::optional<std::string> sqlite_store::write(const std::vector<queued>& group) {
    bool any = false;
    for (const auto& q : group) any = any || !q.ops.empty();
    if (!any) return std::nullopt;
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) return sqlite3_errmsg(db_);
    stmt put(db_, "INSERT OR REPLACE INTO objects(kind, key, body) VALUES(?1, ?2, ?3)");
    stmt del(db_, "DELETE FROM objects WHERE kind = ?1 AND key = ?2");
    std::optional<std::string> failed;
    if (!put.s || !del.s) failed = sqlite3_errmsg(db_);
    for (const auto& q : group)
        for (const auto& op : q.ops) {
            if (failed) break;
            stmt& s = op.body ? put : del;
            sqlite3_reset(s.s);
            sqlite3_clear_bindings(s.s);
            s.bind(1, op.kind);
            s.bind(2, op.key);
            if (op.body) s.bind(3, *op.body);
            if (sqlite3_step(s.s) != SQLITE_DONE) failed = sqlite3_errmsg(db_);
        }
    if (failed || sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
        if (!failed) failed = sqlite3_errmsg(db_);
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    return failed;
}

std::vector<std::pair<std::string, std::string>> sqlite_store::load(std::string_view kind) const {
    std::vector<std::pair<std::string, std::string>> out;
    stmt s(db_, "SELECT key, body FROM objects WHERE kind = ?1 ORDER BY key");
    if (!s.s) throw std::runtime_error("registry state: " + std::string(sqlite3_errmsg(db_)));
    s.bind(1, kind);
    int rc;
    while ((rc = sqlite3_step(s.s)) == SQLITE_ROW) out.emplace_back(column_text(s.s, 0), column_text(s.s, 1));
    if (rc != SQLITE_DONE) throw std::runtime_error("registry state: " + std::string(sqlite3_errmsg(db_)));
    return out;
}

}  // namespace wv::registry
