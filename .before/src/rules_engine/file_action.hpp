#pragma once
// The `file` action: one JSON line per matched message (output_json_text), appended to a file
// opened once at start-up. Lines from concurrent workers never interleave; each is flushed so
// `tail -f` and tests see it as soon as the action reports success.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>

#include "rules_engine/action.hpp"
#include "rules_engine/engine_config.hpp"

namespace wv::rules_engine {

class file_action final : public action {
public:
    // Throws std::runtime_error naming the path when it cannot be opened for appending.
    explicit file_action(file_action_config cfg);
    ~file_action() override;
    void run(input_ptr in, completion done) override;
    std::string describe() const override;

private:
    file_action_config cfg_;
    std::mutex m_;
    std::FILE* f_ = nullptr;
};

}  // namespace wv::rules_engine
