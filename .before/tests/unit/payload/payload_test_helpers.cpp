#include "payload_test_helpers.hpp"

#include <doctest/doctest.h>
#include <google/protobuf/text_format.h>

#include "samples_message.pb.h"
#include "support/child_process.hpp"

namespace wv::payload::test {

std::vector<std::byte> bytes(std::string_view s) {
    const auto b = std::as_bytes(std::span(s.data(), s.size()));
    return {b.begin(), b.end()};
}

std::vector<std::byte> bytes(std::initializer_list<int> v) {
    std::vector<std::byte> out;
    for (int x : v) out.push_back(std::byte{static_cast<unsigned char>(x)});
    return out;
}

std::string str(const std::vector<std::byte>& b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

std::string protoc_encode(std::string_view message, std::string_view text) {
    const std::string proto_dir = std::string(WV_SOURCE_DIR_PATH) + "/proto";
    const std::string file = message == "ReportEndMessage" ? "report_end_message.proto" : "samples_message.proto";
    auto r = wv::test::run({WV_PROTOC, "--encode=akproto1." + std::string(message), "-I", proto_dir, file},
                           std::string(text));
    INFO("protoc stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
}

std::string libprotobuf_text(std::string_view wire) {
    akproto1::SamplesBatchMessage m;
    if (!m.ParseFromString(std::string(wire))) return {};
    std::string text;
    google::protobuf::TextFormat::PrintToString(m, &text);
    return text;
}

std::string libprotobuf_reserialize(std::string_view wire) {
    akproto1::SamplesBatchMessage m;
    if (!m.ParseFromString(std::string(wire))) return {};
    return m.SerializeAsString();
}

}  // namespace wv::payload::test
