// Encode and decode rates of the packets on the device hot path: a QoS 1 PUBLISH with a 60-byte
// payload and its PUBACK, at MQTT 3.1.1 and at MQTT 5 (the PUBLISH with a Topic Alias and a User
// Property, as wvsim's v5 reports carry; the PUBACK with reason 0x10). Each row runs next to a
// memcpy of the same bytes in the same process, because on a shared machine only ratios within
// one run mean much.
//
//   bench_mqtt_codec [--json] [--seconds S]
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "mqtt/mqtt.hpp"

namespace {

using namespace wv::mqtt;
using clock_type = std::chrono::steady_clock;

// Keeps the optimizer from deleting the measured work.
volatile std::uint64_t sink;

struct row {
    std::string name;
    std::size_t bytes;       // wire bytes handled per operation
    double ns_per_op;
    double memcpy_ns;        // memcpy of the same byte count, same run
};

// Runs op in batches until `seconds` have passed, three times; returns the best ns/op.
template <class Op>
double measure(Op op, double seconds) {
    double best = 1e300;
    for (int rep = 0; rep < 3; ++rep) {
        std::uint64_t n = 0;
        const auto start = clock_type::now();
        const auto until = start + std::chrono::duration<double>(seconds / 3);
        auto now = start;
        do {
            for (int i = 0; i < 1024; ++i) op();
            n += 1024;
            now = clock_type::now();
        } while (now < until);
        best = std::min(best, std::chrono::duration<double, std::nano>(now - start).count() / static_cast<double>(n));
    }
    return best;
}

double measure_memcpy(const byte_buffer& wire, double seconds) {
    byte_buffer dst(wire.size());
    return measure(
        [&] {
            // The source pointer is laundered through an asm barrier so each copy really happens.
            const std::byte* src = wire.data();
            asm volatile("" : "+r"(src));
            std::memcpy(dst.data(), src, wire.size());
            asm volatile("" ::"r"(dst.data()) : "memory");
        },
        seconds);
}

}  // namespace

int main(int argc, char** argv) {
    bool json = false;
    double seconds = 1.5;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--json") json = true;
        else if (a == "--seconds" && i + 1 < argc) seconds = std::stod(argv[++i]);
        else if (a == "--help" || a == "-h") {
            std::puts("usage: bench_mqtt_codec [--json] [--seconds S]\n"
                      "Encode/decode rates of a 60-byte QoS 1 PUBLISH and a PUBACK at MQTT 3.1.1 and 5,\n"
                      "with memcpy of the same bytes as the baseline. Exit codes: 0 ok, 2 usage error.");
            return 0;
        } else {
            std::fprintf(stderr, "bench_mqtt_codec: unknown argument %s (try --help)\n", argv[i]);
            return 2;
        }
    }

    const std::string payload(60, 'p');
    const publish pub{.topic = "wavelet/00001234/data",
                      .payload = as_bytes(payload),
                      .qos = qos::at_least_once,
                      .packet_id = 4242};
    const auto pub_wire = encode_to_bytes(pub);
    const auto ack_wire = encode_to_bytes(puback{.packet_id = 4242});

    // 1,000 PUBLISHes back to back: the stream decoder's view of one large socket read.
    byte_buffer stream;
    for (int i = 0; i < 1000; ++i) encode(pub, stream);

    std::vector<row> rows;
    byte_buffer out;
    out.reserve(256);

    const auto decode_publish_op = [&] {
        const auto r = read_frame(pub_wire);
        const auto& f = *std::get_if<frame>(&r);
        const auto p = decode_publish(f.body, f.flags);
        sink = sink + p->packet_id + p->payload.size();
    };
    rows.push_back({"decode PUBLISH (read_frame + decode_publish)", pub_wire.size(),
                    measure(decode_publish_op, seconds), measure_memcpy(pub_wire, seconds)});

    const auto encode_publish_op = [&] {
        out.clear();
        encode(pub, out);
        sink = sink + out.size();
    };
    rows.push_back({"encode PUBLISH", pub_wire.size(), measure(encode_publish_op, seconds),
                    measure_memcpy(pub_wire, seconds)});

    const auto decode_any_op = [&] {
        const auto r = read_frame(pub_wire);
        const auto p = decode_any(*std::get_if<frame>(&r));
        sink = sink + p->index();
    };
    rows.push_back({"decode PUBLISH (read_frame + decode_any)", pub_wire.size(), measure(decode_any_op, seconds),
                    measure_memcpy(pub_wire, seconds)});

    const auto stream_op = [&] {
        stream_decoder dec;
        dec.feed(stream);
        std::uint64_t n = 0;
        for (;;) {
            auto r = dec.next();
            const auto* f = std::get_if<frame>(&r);
            if (!f) break;
            n += decode_publish(f->body, f->flags)->packet_id;
        }
        sink = sink + n;
    };
    const double stream_ns = measure(stream_op, seconds) / 1000.0;
    rows.push_back({"decode PUBLISH (stream_decoder, 1000 per chunk)", pub_wire.size(), stream_ns,
                    measure_memcpy(pub_wire, seconds)});

    const auto decode_puback_op = [&] {
        const auto r = read_frame(ack_wire);
        const auto& f = *std::get_if<frame>(&r);
        sink = sink + decode_puback(f.body, f.flags)->packet_id;
    };
    rows.push_back({"decode PUBACK", ack_wire.size(), measure(decode_puback_op, seconds),
                    measure_memcpy(ack_wire, seconds)});

    const auto encode_puback_op = [&] {
        out.clear();
        encode(puback{.packet_id = 4242}, out);
        sink = sink + out.size();
    };
    rows.push_back({"encode PUBACK", ack_wire.size(), measure(encode_puback_op, seconds),
                    measure_memcpy(ack_wire, seconds)});

    // MQTT 5: the same PUBLISH with a Topic Alias and a User Property, validated on decode.
    property_builder props;
    props.add(property_id::topic_alias, 1).add_user_property("fw", "1.4.2");
    publish pub5 = pub;
    pub5.properties = props.view();
    const auto pub5_wire = encode_to_bytes(pub5, protocol_level::v5);
    const auto decode_publish5_op = [&] {
        const auto r = read_frame(pub5_wire, {}, protocol_level::v5);
        const auto& f = *std::get_if<frame>(&r);
        const auto p = decode_publish(f.body, f.flags, protocol_level::v5);
        sink = sink + p->packet_id + p->payload.size() + p->properties.bytes().size();
    };
    rows.push_back({"MQTT 5: decode PUBLISH (alias + user property)", pub5_wire.size(),
                    measure(decode_publish5_op, seconds), measure_memcpy(pub5_wire, seconds)});
    const auto encode_publish5_op = [&] {
        out.clear();
        encode(pub5, out, protocol_level::v5);
        sink = sink + out.size();
    };
    rows.push_back({"MQTT 5: encode PUBLISH (alias + user property)", pub5_wire.size(),
                    measure(encode_publish5_op, seconds), measure_memcpy(pub5_wire, seconds)});
    const puback ack5{.packet_id = 4242, .reason = reason_code::no_matching_subscribers};
    const auto ack5_wire = encode_to_bytes(ack5, protocol_level::v5);
    const auto decode_puback5_op = [&] {
        const auto r = read_frame(ack5_wire, {}, protocol_level::v5);
        const auto& f = *std::get_if<frame>(&r);
        const auto a = decode_puback(f.body, f.flags, protocol_level::v5);
        sink = sink + a->packet_id + static_cast<unsigned>(a->reason);
    };
    rows.push_back({"MQTT 5: decode PUBACK (reason 0x10)", ack5_wire.size(), measure(decode_puback5_op, seconds),
                    measure_memcpy(ack5_wire, seconds)});

    if (json) {
        std::printf("{\"benchmark\":\"mqtt_codec\",\"publish_bytes\":%zu,\"payload_bytes\":60,\"rows\":[", pub_wire.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const auto& r = rows[i];
            std::printf("%s{\"name\":\"%s\",\"bytes\":%zu,\"ns_per_op\":%.2f,\"ops_per_s\":%.0f,"
                        "\"memcpy_ns_per_op\":%.2f,\"ratio_to_memcpy\":%.2f}",
                        i ? "," : "", r.name.c_str(), r.bytes, r.ns_per_op, 1e9 / r.ns_per_op, r.memcpy_ns,
                        r.ns_per_op / r.memcpy_ns);
        }
        std::printf("]}\n");
    } else {
        std::printf("%-50s %6s %10s %14s %11s %9s\n", "operation", "bytes", "ns/op", "ops/s", "memcpy ns", "x memcpy");
        for (const auto& r : rows)
            std::printf("%-50s %6zu %10.2f %14.0f %11.2f %9.1f\n", r.name.c_str(), r.bytes, r.ns_per_op,
                        1e9 / r.ns_per_op, r.memcpy_ns, r.ns_per_op / r.memcpy_ns);
        std::printf("target: >= 5,000,000 PUBLISH decodes/s on one core\n");
    }
    return 0;
}
