#!/usr/bin/env python3
"""Runs one AWS Lambda python handler file, unchanged, for wvgate/wvauthz's handler backend.

usage: wv_runner.py FILE FUNCTION FUNCTION_NAME MEMORY_MB

Protocol (see PROTOCOL.md): JSON lines over fd 3 (a socketpair), one call at a time.
  -> runner: {"ready": true, "logs": [...]}  or  {"ready": false, "error": {...}, "logs": [...]}
  <- backend: {"id": N, "request_id": "...", "remaining_ms": M, "event": {...}}
  -> runner: {"id": N, "ok": true, "result": ..., "logs": [...]}
             {"id": N, "ok": false, "error": {"errorType", "errorMessage", "stackTrace"}, "logs": [...]}
The function's print()s and logging go to a capture that is returned with the call, never to
the protocol; fd 1 and 2 are a pipe the backend reads as stray output.
"""
import importlib.util
import json
import logging
import os
import socket
import sys
import time
import traceback


class Capture:
    """A stand-in for sys.stdout/sys.stderr that collects whole lines for the current call.

    One persistent object: handlers often create logging.StreamHandler() once and keep the
    stream they saw, so swapping objects per call would send later calls' logs to an old one.
    """

    def __init__(self):
        self.lines = []
        self.partial = ""

    def write(self, s):
        if not isinstance(s, str):
            s = str(s)
        self.partial += s
        while "\n" in self.partial:
            line, self.partial = self.partial.split("\n", 1)
            if len(self.lines) < 1000:
                self.lines.append(line)
        return len(s)

    def flush(self):
        pass

    def isatty(self):
        return False

    def fileno(self):
        return 2  # writes through the fd land in the stray-output pipe

    @property
    def encoding(self):
        return "utf-8"

    def take(self):
        if self.partial:
            self.lines.append(self.partial)
            self.partial = ""
        out, self.lines = self.lines, []
        return out


class LambdaContext:
    """The attributes of the context object AWS's python runtime passes."""

    def __init__(self, function_name, memory_mb, request_id, remaining_ms):
        self.function_name = function_name
        self.function_version = "$LATEST"
        region = os.environ.get("AWS_REGION", "us-east-1")
        self.invoked_function_arn = "arn:aws:lambda:%s:000000000000:function:%s" % (region, function_name)
        self.memory_limit_in_mb = str(memory_mb)
        self.aws_request_id = request_id
        self.log_group_name = "/aws/lambda/" + function_name
        self.log_stream_name = time.strftime("%Y/%m/%d") + "/[$LATEST]wvlocal"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + remaining_ms / 1000.0

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))


current_request_id = [""]


class LambdaLogHandler(logging.Handler):
    """Root logger output in the Lambda runtime's format: [LEVEL] time request-id message."""

    def __init__(self, capture):
        super().__init__()
        self.capture = capture

    def emit(self, record):
        try:
            ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            self.capture.write("[%s]\t%s.%03dZ\t%s\t%s\n" % (record.levelname, ts, int(record.msecs),
                                                           current_request_id[0], record.getMessage()))
        except Exception:  # noqa: BLE001 - logging must never break the call
            self.handleError(record)


def patch_boto3_for_local_registry(url):
    """Points boto3 'iot' clients at the local things registry (boto3 1.26 ignores AWS_ENDPOINT_URL_IOT).

    Adds dummy credentials when the caller gave none and the environment has none, so an
    authorizer that calls iot.list_things(...) runs offline without edits.
    """
    try:
        import boto3.session
    except ImportError:
        return
    original = boto3.session.Session.client

    def client(self, *args, **kwargs):
        service = kwargs.get("service_name", args[0] if args else None)
        if service == "iot":
            kwargs.setdefault("endpoint_url", url)
            if "aws_access_key_id" not in kwargs and not os.environ.get("AWS_ACCESS_KEY_ID"):
                kwargs["aws_access_key_id"] = "wvlocal"
                kwargs["aws_secret_access_key"] = "wvlocal"
        return original(self, *args, **kwargs)

    boto3.session.Session.client = client


def error_object(exc, error_type=None):
    return {
        "errorType": error_type or type(exc).__name__,
        "errorMessage": str(exc),
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }


def main():
    if len(sys.argv) != 5:
        sys.stderr.write(__doc__)
        return 2
    path, function, function_name, memory_mb = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    channel = socket.socket(fileno=3)
    rx = channel.makefile("rb")
    tx = channel.makefile("wb")

    def send(obj, raw_result=None):
        data = json.dumps(obj, default=str)
        if raw_result is not None:
            # The result was serialised once already: splice it in rather than encode it twice.
            data = data[:-1] + ',"result":' + raw_result + "}"
        tx.write(data.encode("utf-8") + b"\n")
        tx.flush()

    capture = Capture()
    sys.stdout = capture
    sys.stderr = capture
    logging.getLogger().addHandler(LambdaLogHandler(capture))

    # botocore refuses an empty profile name; an empty variable from config means "none".
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        if os.environ.get(name) == "":
            del os.environ[name]
    if os.environ.get("WV_IOT_ENDPOINT_URL"):
        patch_boto3_for_local_registry(os.environ["WV_IOT_ENDPOINT_URL"])

    # Like Lambda: the task root is on sys.path, so the handler's sibling modules import.
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    module_name = os.path.splitext(os.path.basename(path))[0]
    try:
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - any import failure is the function's init error
        err = error_object(exc, "Runtime.ImportModuleError")
        err["errorMessage"] = "Unable to import module '%s': %s" % (module_name, exc)
        send({"ready": False, "error": err, "logs": capture.take()})
        return 1
    handler = getattr(module, function, None)
    if not callable(handler):
        send({"ready": False, "logs": capture.take(),
              "error": {"errorType": "Runtime.HandlerNotFound",
                        "errorMessage": "Handler '%s' missing on module '%s'" % (function, module_name)}})
        return 1
    send({"ready": True, "logs": capture.take()})

    for line in rx:
        try:
            call = json.loads(line)
        except ValueError:
            return 3
        current_request_id[0] = call.get("request_id", "")
        context = LambdaContext(function_name, memory_mb, current_request_id[0], call.get("remaining_ms", 5000))
        try:
            result = handler(call.get("event"), context)
        except Exception as exc:  # noqa: BLE001 - the function raised: report it as Lambda does
            send({"id": call["id"], "ok": False, "logs": capture.take(), "error": error_object(exc)})
            continue
        try:
            raw = json.dumps(result)
        except (TypeError, ValueError) as exc:
            send({"id": call["id"], "ok": False, "logs": capture.take(),
                  "error": error_object(exc, "Runtime.MarshalError")})
            continue
        send({"id": call["id"], "ok": True, "logs": capture.take()}, raw_result=raw)
    return 0


if __name__ == "__main__":
    sys.exit(main())
