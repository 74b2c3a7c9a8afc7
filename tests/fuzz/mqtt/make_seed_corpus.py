#!/usr/bin/env python3
"""Writes the seed corpora for fuzz_mqtt_stream (tests/fuzz/corpus/mqtt/) and fuzz_mqtt5_stream
(tests/fuzz/corpus/mqtt5/).

Seeds are the hand-derived vectors of tests/unit/mqtt (valid packets of every type, streams of
several, and one of each malformed kind), so the fuzzers start from every decoder's accepting
path and every rejection. The mqtt5 seeds are read at MQTT 5 from the first byte (a client's
view); the mqtt corpus also gets v5 sessions that begin with a level 5 CONNECT (a server's view).
Rerun after adding vectors; file names are stable.
"""
import pathlib

OUT = pathlib.Path(__file__).resolve().parents[1] / "corpus" / "mqtt"
OUT5 = pathlib.Path(__file__).resolve().parents[1] / "corpus" / "mqtt5"


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


def props(block: bytes) -> bytes:
    return varint(len(block)) + block


def connect5(flags: int, client_id: bytes, properties: bytes = b"\x00", rest: bytes = b"", keep_alive=60) -> bytes:
    return packet(0x10, s(b"MQTT") + bytes([5, flags]) + keep_alive.to_bytes(2, "big") + properties + s(client_id) + rest)


USER_KV = b"\x26" + s(b"k") + s(b"v")
REASON_DENIED = b"\x1f" + s(b"denied")

VALID5 = {
    "connect5_min": connect5(0x02, b"d1"),
    "connect5_full": connect5(
        0xEC, b"d1",
        props(b"\x11\x00\x00\x0e\x10" + b"\x21\x00\x14" + b"\x27\x00\x02\x00\x00" + b"\x22\x00\x08" + USER_KV),
        props(b"\x18\x00\x00\x00\x05" + b"\x01\x01" + b"\x03" + s(b"text") + b"\x08" + s(b"r")
              + b"\x09" + s(b"\x01\x02") + b"\x02\x00\x00\x00\x3c") + s(b"a/b") + s(b"hi") + s(b"u") + s(b"p"),
        keep_alive=300),
    "connect5_password_only": connect5(0x42, b"", rest=s(b"tk"), keep_alive=0),
    "connack5_aws": packet(0x20, b"\x00\x00" + props(
        b"\x22\x00\x08" + b"\x12" + s(b"abc") + b"\x13\x00\x1e" + b"\x24\x01" + b"\x25\x01" + b"\x29\x00"
        + b"\x2a\x01" + b"\x27\x00\x02\x00\x00")),
    "connack5_refused": packet(0x20, b"\x00\x87" + props(REASON_DENIED)),
    "publish5_alias_user_subids": packet(0x32, s(b"a/b") + b"\x00\x07" + props(
        b"\x23\x00\x01" + USER_KV + b"\x26" + s(b"k") + s(b"w") + b"\x0b\x01" + b"\x0b\x80\x01") + b"hi"),
    "publish5_empty_topic_alias": packet(0x30, s(b"") + props(b"\x23\x00\x01") + b"x"),
    "publish5_min": packet(0x30, s(b"t") + b"\x00hi"),
    "puback5_short": packet(0x40, b"\x00\x01"),
    "puback5_reason": packet(0x40, b"\x00\x01\x10"),
    "puback5_empty_props": packet(0x40, b"\x00\x01\x87\x00"),
    "puback5_full": packet(0x40, b"\x00\x01\x87" + props(REASON_DENIED)),
    "pubrec5_full": packet(0x50, b"\x00\x01\x97" + props(REASON_DENIED)),
    "pubrel5_full": packet(0x62, b"\x00\x01\x92" + props(REASON_DENIED)),
    "pubcomp5_full": packet(0x70, b"\x00\x01\x92" + props(REASON_DENIED)),
    "subscribe5": packet(0x82, b"\x00\x0a" + props(b"\x0b\x05") + s(b"a/b") + b"\x2d" + s(b"$share/g/c/#") + b"\x10"),
    "suback5": packet(0x90, b"\x00\x0a" + props(REASON_DENIED) + b"\x01\x87\xa1"),
    "unsubscribe5": packet(0xA2, b"\x00\x0b" + props(USER_KV) + s(b"a/+")),
    "unsuback5": packet(0xB0, b"\x00\x0b\x00\x00\x11"),
    "pingreq5": packet(0xC0, b""),
    "disconnect5_normal": packet(0xE0, b""),
    "disconnect5_taken_over": packet(0xE0, b"\x8e"),
    "disconnect5_full": packet(0xE0, b"\x04" + props(b"\x11\x00\x00\x00\x00" + b"\x1f" + s(b"by"))),
    "auth5_success": packet(0xF0, b""),
    "auth5_continue": packet(0xF0, b"\x18" + props(b"\x15" + s(b"SCRAM") + b"\x16" + s(b"\x01\x02"))),
}

INVALID5 = {
    "bad5_duplicate_alias": packet(0x30, s(b"t") + props(b"\x23\x00\x01\x23\x00\x02") + b"x"),
    "bad5_not_allowed": packet(0x30, s(b"t") + props(b"\x11\x00\x00\x00\x01") + b"x"),
    "bad5_unknown_property": packet(0x30, s(b"t") + props(b"\x04\x01") + b"x"),
    "bad5_alias_zero": packet(0x30, s(b"t") + props(b"\x23\x00\x00") + b"x"),
    "bad5_user_property_utf8": packet(0x30, s(b"t") + props(b"\x26" + s(b"k") + s(b"\xc0\xaf")) + b"x"),
    "bad5_property_overrun": packet(0x30, s(b"t") + b"\x02\x23\x00\x01x"),
    "bad5_props_not_minimal": packet(0x30, s(b"t") + b"\x80\x00x"),
    "bad5_puback_reason": packet(0x40, b"\x00\x01\x04"),
    "bad5_connack_reason": packet(0x20, b"\x00\x8e\x00"),
    "bad5_retain_handling": packet(0x82, b"\x00\x01\x00" + s(b"a") + b"\x30"),
    "bad5_no_local_shared": packet(0x82, b"\x00\x01\x00" + s(b"$share/g/a") + b"\x04"),
    "bad5_auth_no_method": packet(0xF0, b"\x18"),
    "bad5_empty_topic": packet(0x30, s(b"") + b"\x00x"),
    "bad5_rl_not_minimal": b"\xc0\x80\x00",
    "bad5_subid_zero": packet(0x82, b"\x00\x01" + props(b"\x0b\x00") + s(b"a") + b"\x00"),
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

    # MQTT 5: single packets read at 5, and sessions.
    OUT5.mkdir(parents=True, exist_ok=True)
    for name, data in {**VALID5, **INVALID5}.items():
        (OUT5 / name).write_bytes(data)
    (OUT5 / "stream5_all").write_bytes(b"".join(VALID5.values()))
    session5 = (VALID5["connect5_full"] + VALID5["subscribe5"] + VALID5["publish5_alias_user_subids"]
                + VALID5["puback5_full"] + VALID5["pingreq5"] + VALID5["disconnect5_full"])
    (OUT5 / "stream5_session").write_bytes(session5)
    # The server's view: 3.1.1 framing until the level 5 CONNECT, then 5.
    (OUT / "stream5_session").write_bytes(session5)
    (OUT / "stream5_short_acks").write_bytes(
        VALID5["connect5_min"] + VALID5["puback5_reason"] + VALID5["disconnect5_taken_over"] + VALID5["auth5_success"])


if __name__ == "__main__":
    main()
