#include "rules_engine/file_action.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "util/base64.hpp"

namespace wv::rules_engine {

std::string output_json_text(const rules::rule_output& out) {
    if (out.raw) return rules::json{{"base64", util::base64_encode(std::string_view(*out.raw))}}.dump();
    return out.value.dump(-1, ' ', false, rules::json::error_handler_t::replace);
}

file_action::file_action(file_action_config cfg) : cfg_(std::move(cfg)) {
    f_ = std::fopen(cfg_.path.c_str(), "ae");
    if (!f_) throw std::runtime_error("file action: " + cfg_.path.string() + ": cannot open for appending: " + std::strerror(errno));
}

file_action::~file_action() {
    if (f_) std::fclose(f_);
}

void file_action::run(input_ptr in, completion done) {
    auto line = output_json_text(in->output);
    line += '\n';
    std::string error;
    {
        std::lock_guard lock(m_);
        if (std::fwrite(line.data(), 1, line.size(), f_) != line.size() || std::fflush(f_) != 0)
            error = "write " + cfg_.path.string() + ": " + std::strerror(errno);
    }
    done(std::move(error));
}

std::string file_action::describe() const { return "file " + cfg_.path.string(); }

}  // namespace wv::rules_engine
