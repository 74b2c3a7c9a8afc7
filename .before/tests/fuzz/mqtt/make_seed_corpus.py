#!/usr/bin/env python3
"""Writes the seed corpus for fuzz_mqtt_stream into tests/fuzz/corpus/mqtt/.

Seeds are the hand-derived vectors of tests/unit/mqtt (valid packets of all fourteen types,
streams of several, and one of each malformed kind), so the fuzzer starts from every decoder's
accepting path and every rejection. Rerun after adding vectors; file names are stable.
"""
import pathlib

OUT = pathlib.Path(__file__).resolve().parents[1] / "corpus" / "mqtt"


def s(text: bytes) -> bytes:
    return len(text).to_bytes(2, "big") + text


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def packet(first: int, body: bytes) -> bytes:
    return bytes([first]) + varint(len(body)) + body


def connect(flags: int, client_id: bytes, rest: bytes = b"", name=b"MQTT", level=4, keep_alive=60) -> bytes:
    return packet(0x10, s(name) + bytes([level, flags]) + keep_alive.to_bytes(2, "big") + s(client_id) + rest)


VALID = {
    "connect_min": connect(0x02, b"d1"),
    "connect_full": connect(0xEC, b"d1", s(b"a/b") + s(b"\x00\xff") + s(b"u") + s(b"p\x00"), keep_alive=300),
    "connect_will_qos2": connect(0x96, b"", s(b"w") + s(b"") + s(b"u"), keep_alive=0),
    "connack": packet(0x20, b"\x01\x00"),
    "connack_5": packet(0x20, b"\x00\x05"),
    "publish_qos0": packet(0x30, s(b"a/b") + b"hello"),
    "publish_qos1": packet(0x3B, s(b"d/1/up") + b"\x12\x34" + b"x" * 60),
    "publish_qos2": packet(0x35, s(b"t") + b"\xff\xff"),
    "publish_utf8": packet(0x30, s("caf\u00e9/\u20ac/\U0001d11e".encode()) + b"p"),
    "puback": packet(0x40, b"\x01\x02"),
    "pubrec": packet(0x50, b"\x01\x02"),
    "pubrel": packet(0x62, b"\x01\x02"),
    "pubcomp": packet(0x70, b"\x01\x02"),
    "subscribe": packet(0x82, b"\x00\x0a" + s(b"a/b") + b"\x00" + s(b"c/#") + b"\x01" + s(b"+") + b"\x02"),
    "suback": packet(0x90, b"\x00\x0a\x00\x01\x02\x80"),
    "unsubscribe": packet(0xA2, b"\x00\x0b" + s(b"a/+") + s(b"/#")),
    "unsuback": packet(0xB0, b"\x01\x02"),
    "pingreq": packet(0xC0, b""),
    "pingresp": packet(0xD0, b""),
    "disconnect": packet(0xE0, b""),
    "publish_2byte_length": packet(0x30, s(b"t") + b"x" * 200),
}

INVALID = {
    "bad_type0": b"\x00\x00",
    "bad_flags_pubrel": b"\x60\x02\x00\x01",
    "bad_rl_5_bytes": b"\x30\x80\x80\x80\x80\x01",
    "bad_oversize": b"\x30\xff\xff\xff\x7f\x00\x01t",
    "bad_protocol_name": connect(0x02, b"d1", name=b"MQTX"),
    "bad_level5": connect(0x02, b"", b"\x00", level=5),
    "bad_mqisdp": connect(0x02, b"d1", name=b"MQIsdp", level=3),
    "bad_connect_reserved": connect(0x03, b"d1"),
    "bad_will_qos_no_will": connect(0x0A, b"d1"),
    "bad_will_qos3": connect(0x1E, b"d1", s(b"w") + s(b"")),
    "bad_password_no_user": connect(0x42, b"d1", s(b"p")),
    "bad_empty_id_persistent": connect(0x00, b""),
    "bad_utf8_null": packet(0x30, s(b"a\x00")),
    "bad_utf8_surrogate": packet(0x82, b"\x00\x01" + s(b"\xed\xa0\x80") + b"\x00"),
    "bad_utf8_overlong": packet(0xA2, b"\x00\x01" + s(b"\xc0\xaf")),
    "bad_wildcard_topic": packet(0x30, s(b"a/+")),
    "bad_dup_qos0": packet(0x38, s(b"t")),
    "bad_zero_id": packet(0x32, s(b"t") + b"\x00\x00"),
    "bad_subscribe_empty": packet(0x82, b"\x00\x01"),
    "bad_subscribe_qos3": packet(0x82, b"\x00\x01" + s(b"a") + b"\x03"),
    "bad_filter_hash": packet(0x82, b"\x00\x01" + s(b"a#") + b"\x00"),
    "bad_suback_code": packet(0x90, b"\x00\x01\x03"),
    "bad_connack_session": packet(0x20, b"\x01\x05"),
    "bad_trailing": connect(0x02, b"d1", b"\x00"),
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in {**VALID, **INVALID}.items():
        (OUT / name).write_bytes(data)
    # Streams: a device session, and every valid packet back to back.
    (OUT / "stream_session").write_bytes(
        VALID["connect_full"] + VALID["subscribe"] + VALID["publish_qos1"] + VALID["puback"]
        + VALID["pingreq"] + VALID["disconnect"])
    (OUT / "stream_all").write_bytes(b"".join(VALID.values()))
    (OUT / "stream_then_garbage").write_bytes(VALID["connect_min"] + VALID["publish_qos0"] + b"\xf0\x00")


if __name__ == "__main__":
    main()
