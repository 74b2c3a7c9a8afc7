#pragma once
// A Wavelet decoder Lambda written for these tests in plain python (no protobuf module), so the
// validate tests run everywhere and check our reference against an independent implementation.
// The BUG environment variable turns it into the broken decoders users write:
//   drop_field          leaves channelType out of every sample
//   numeric_timestamps  returns timestamps as numbers instead of protobuf's strings
//   raise               raises on every report
//   hang                never returns
//   log_only            logs its event, then its result as "<client>:Lambda Output:{json}", and
//                       returns nothing (as Ayyeka's original decoder does)
#include <string_view>

namespace wv::rules_engine_test {

inline constexpr std::string_view plain_python_decoder = R"PY(
import base64, json, math, os, struct, time

BUG = os.environ.get("BUG", "")
TYPES = ["ADC_4_20", "ADC_0_5", "PCNT", "VBAT", "TEMP", "HEALTH_COUNTERS", "GSM_SIGNAL", "GPS",
         "BLOB", "GPIO", "MODBUS_UINT32", "MODBUS_SINT32", "MODBUS_F32", "ADC_S32", "TOUCH",
         "LORA_SIGNAL"]


def varint(buf, i):
    result = shift = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, i


def fields(buf):
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(buf, i)
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 2:
            n, i = varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wt)
        yield num, v


def zigzag(n):
    return (n >> 1) ^ -(n & 1)


def real(x):
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def gps(b):
    g = {"latitude": 0, "longitude": 0, "altitude": 0, "hdop": 0, "numberOfSatellites": 0, "isValidFix": False}
    names = {1: "latitude", 2: "longitude", 3: "altitude", 4: "hdop", 5: "numberOfSatellites"}
    for num, v in fields(b):
        if num in (1, 2, 3):
            g[names[num]] = zigzag(v & 0xFFFFFFFF)
        elif num in (4, 5):
            g[names[num]] = v & 0xFFFFFFFF
        elif num == 6:
            g["isValidFix"] = v != 0
    return g


def jpg(b):
    j = {"width": 0, "height": 0, "compressionRatio": 0, "totalSize": 0, "colorChannels": 0, "imageData": ""}
    names = {1: "width", 2: "height", 3: "compressionRatio", 4: "totalSize", 5: "colorChannels"}
    for num, v in fields(b):
        if num in names:
            j[names[num]] = v & 0xFFFFFFFF
        elif num == 6:
            j["imageData"] = base64.b64encode(v).decode()
    return j


def sample_value(b):
    value = None
    for num, v in fields(b):
        if num == 1:
            value = str(v)
        elif num == 2:
            value = str(zigzag(v))
        elif num == 3:
            value = real(struct.unpack("<f", v)[0])
        elif num == 4:
            value = real(struct.unpack("<d", v)[0])
        elif num == 5:
            value = v != 0
        elif num == 6:
            value = gps(v)
        elif num == 7:
            value = jpg(v)
    return value


def entry(b, out):
    channel, periodic, sparse = None, None, None
    for num, v in fields(b):
        if num == 2:
            channel = {"channelNumber": 0, "channelType": TYPES[0] + "_CHANNEL_TYPE"}
            for n2, v2 in fields(v):
                if n2 == 1:
                    channel["channelNumber"] = v2 & 0xFFFFFFFF
                elif n2 == 2:
                    channel["channelType"] = TYPES[v2] + "_CHANNEL_TYPE" if v2 < len(TYPES) else v2
        elif num == 3:
            periodic, sparse = v, None
        elif num == 4:
            sparse, periodic = v, None
    stamped = []
    if periodic is not None:
        first, interval, data = 0, 0, []
        for num, v in fields(periodic):
            if num == 1:
                first = v
            elif num == 2:
                interval = v
            elif num == 3:
                data.append(sample_value(v))
        stamped = [(first + i * interval, d) for i, d in enumerate(data)]
    if sparse is not None:
        for num, v in fields(sparse):
            if num == 1:
                ts, d = 0, None
                for n2, v2 in fields(v):
                    if n2 == 1:
                        ts = v2
                    elif n2 == 2:
                        d = sample_value(v2)
                stamped.append((ts, d))
    for ts, d in stamped:
        s = {"timestamp": str(ts), "value": d}
        s.update(channel)
        if BUG == "drop_field":
            del s["channelType"]
        if BUG == "numeric_timestamps":
            s["timestamp"] = ts
        out.append(s)


def lambda_handler(event, context):
    if BUG == "raise":
        raise ValueError("decoder bug")
    if BUG == "hang":
        time.sleep(3600)
    if BUG == "log_only":
        print(json.dumps(event))
    topic = event["topic"]
    if "samp" not in topic:
        return None
    raw = base64.b64decode(event["data"])
    report_id, samples = 0, []
    for num, v in fields(raw):
        if num == 1:
            report_id = v - (1 << 64) if v >= (1 << 63) else v
        elif num == 2:
            entry(v, samples)
    result = {"thingMetadata": {"mqtt_clientid": event["client_id"], "mqtt_topic": topic,
                                "timestamp": event.get("timestamp")},
              "data_samples": {"reportId": str(report_id), "totalSamples": len(samples), "samples": samples}}
    if BUG == "log_only":
        print("%s:Lambda Output:%s" % (event["client_id"], json.dumps(result)))
        print("done")
        return None
    return result
)PY";

}  // namespace wv::rules_engine_test
