#include "support/corpus.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace wv::test {

std::vector<corpus_file> read_corpus(std::string_view name) {
    const auto dir = std::filesystem::path(WV_SOURCE_DIR_PATH) / "tests/fuzz/corpus" / name;
    if (!std::filesystem::is_directory(dir)) throw std::runtime_error("no corpus directory " + dir.string());
    std::vector<corpus_file> files;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        std::ifstream in{e.path(), std::ios::binary};
        files.push_back({e.path(), std::string{std::istreambuf_iterator<char>(in), {}}});
    }
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    return files;
}

std::size_t replay_corpus(std::string_view name, int (*target)(const std::uint8_t*, std::size_t)) {
    const auto files = read_corpus(name);
    for (const auto& f : files) {
        CAPTURE(f.path.string());
        CHECK(target(f.u8().data(), f.u8().size()) == 0);
    }
    return files.size();
}

}  // namespace wv::test
