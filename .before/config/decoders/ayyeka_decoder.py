"""A Wavelet decoder Lambda that does what Ayyeka's data-processing Lambda does.

Event (from the rule in config/rules/wavelet.yaml, SQL version 2016-03-23):
    {"client_id": ..., "topic": ..., "data": <base64 of the SamplesBatchMessage>, "timestamp": <ms>}

Output, logged as "<client_id>:Lambda Output:<json>" (nothing for topics without "samp", as
Ayyeka's decoder ignores them); the function returns nothing, as Ayyeka's does, and the rule's
`validate` action reads the output from the log (config/rules/README.md):
    {"thingMetadata": {"mqtt_clientid", "mqtt_topic", "timestamp"},
     "data_samples": {"reportId": "<int64>", "totalSamples": n,
                      "samples": [{"timestamp": "<ms>", "value": <the set SampleData member>,
                                   "channelNumber": n, "channelType": "<enum name>"}, ...]}}

It parses the message with the python protobuf module, converts it with protobuf's JSON mapping
*including default-valued fields* (MessageToDict), then flattens it: periodic samples get
first_timestamp + i * interval, sparse samples their own timestamp. Difference from Ayyeka's
original, deliberate: it does not look the thing up in the AWS IoT registry (add that where the
comment says).

The _pb2 modules are generated, never committed:
    protoc -I proto --python_out=<folder> proto/*.proto
into this file's folder (Lambda puts it on sys.path), or into $WV_PROTO_PY_DIR.
"""
import base64
import json
import logging
import os
import sys

if os.environ.get("WV_PROTO_PY_DIR"):
    sys.path.insert(0, os.environ["WV_PROTO_PY_DIR"])

from google.protobuf.json_format import MessageToDict  # noqa: E402

import samples_message_pb2  # noqa: E402

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def _to_dict(message):
    # protobuf 4.26 renamed the option; both spellings mean "print fields at their defaults".
    try:
        return MessageToDict(message, including_default_value_fields=True)
    except TypeError:
        return MessageToDict(message, always_print_fields_with_no_presence=True)


def _flatten(msg):
    samples = []
    for entry in msg.get("samplesBatch", []):
        channel = entry["typeAndNumber"]  # KeyError, as Ayyeka's, when a device omits it
        if "sparse" in entry:
            for stamped in entry["sparse"].get("samples", []):
                sample = {"timestamp": stamped["timestamp"], "value": list(stamped["data"].values())[0]}
                sample.update(channel)
                samples.append(sample)
        if "periodic" in entry:
            periodic = entry["periodic"]
            ts = int(periodic["firstTimestamp"])
            interval = int(periodic["interval"])
            for data in periodic.get("data", []):
                sample = {"timestamp": str(ts), "value": list(data.values())[0]}
                sample.update(channel)
                samples.append(sample)
                ts += interval
    return {"reportId": msg.get("reportId"), "totalSamples": len(samples), "samples": samples}


def lambda_handler(event, context):
    topic = event["topic"]
    if "samp" not in topic:
        print("ignoring topic %s: not a samples report" % topic)
        return None
    batch = samples_message_pb2.SamplesBatchMessage()
    batch.ParseFromString(base64.b64decode(event["data"]))
    data_samples = _flatten(_to_dict(batch))
    thing_metadata = {
        "mqtt_clientid": event["client_id"],
        "mqtt_topic": topic,
        "timestamp": event.get("timestamp"),
    }
    # Registry lookups (thingName, thingTypeName, thingArn) go here; validate compares only
    # data_samples and mqtt_clientid by default, so extra metadata is fine.
    output = {"thingMetadata": thing_metadata, "data_samples": data_samples}
    logger.info("%s:Lambda Output:%s", event["client_id"], json.dumps(output))
