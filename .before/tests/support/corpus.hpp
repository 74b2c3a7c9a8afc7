#pragma once
// The seed corpora of the fuzz targets (tests/fuzz/corpus/<name>), for replay tests that run
// every seed through the fuzz property under g++ and the sanitizers, where libFuzzer is absent.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wv::test {

struct corpus_file {
    std::filesystem::path path;
    std::string bytes;

    std::span<const std::uint8_t> u8() const {
        return {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()};
    }
    std::span<const std::byte> as_bytes() const {
        return std::as_bytes(std::span(bytes.data(), bytes.size()));
    }
};

// Every regular file of tests/fuzz/corpus/<name>, sorted by file name so that a failure
// repeats in the same order. Throws std::runtime_error when the directory is missing, so a
// moved corpus fails the test instead of replaying nothing.
std::vector<corpus_file> read_corpus(std::string_view name);

// Calls `target(data, size)` (a libFuzzer entry point's shape) for each file of the corpus and
// returns how many it replayed; each non-zero return is a test failure naming the file.
std::size_t replay_corpus(std::string_view name, int (*target)(const std::uint8_t*, std::size_t));

}  // namespace wv::test
