#pragma once
// Where the registry's state lasts: one SQLite table of (kind, key) -> JSON body.
//
// The registry keeps its index in memory and writes every change through here before it
// answers, one transaction per API call. The file runs in WAL mode with synchronous=FULL: a
// change apply() has returned from survives a crash of the process or of the machine.
// An empty path keeps everything in memory (nothing survives the process).
//
// Threading: one writer at a time (the registry's exclusive lock); not safe to share
// unguarded. Errors: the constructor throws std::runtime_error naming the file and SQLite's
// message; apply() reports a failed transaction (rolled back) as a string.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
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
    ~sqlite_store();
    sqlite_store(const sqlite_store&) = delete;
    sqlite_store& operator=(const sqlite_store&) = delete;

    // All ops in one transaction; empty on success, else SQLite's message (nothing applied).
    std::optional<std::string> apply(const std::vector<store_op>& ops);
    // Every (key, body) of one kind, in key order.
    std::vector<std::pair<std::string, std::string>> load(std::string_view kind) const;
    const std::filesystem::path& file() const { return file_; }

private:
    std::filesystem::path file_;
    sqlite3* db_ = nullptr;
};

}  // namespace wv::registry
