#!/usr/bin/env python3
"""Serves a Lambda python handler file over Lambda's Invoke API, for wvauthz/wvgate's lambda
backend (and anything else that speaks Invoke): a local stand-in for AWS Lambda.

  lambda_invoke_shim.py --handler lambda_function.py[:lambda_handler] [--port 0] [--port-file F]

  POST /2015-03-31/functions/<name>/invocations   body: the event JSON
    200                          the handler's return value as JSON
    200 + X-Amz-Function-Error   the handler raised: {"errorMessage", "errorType", "stackTrace"}
    429 TooManyRequestsException more than --max-concurrency invocations in flight
    404 ResourceNotFoundException <name> is not --function-name (when given)
    403 InvalidSignatureException --verify-sigv4 is set and the request's SigV4 signature is wrong

HTTP/1.1 keep-alive, one thread per connection. --record FILE appends one JSON line per
request (method, path, headers, peer port) for tests. X-Amz-Log-Type: Tail returns the
handler's printed output base64-encoded in X-Amz-Log-Result, as Lambda does.
"""
import argparse
import base64
import contextlib
import importlib.util
import io
import json
import os
import socket
import sys
import threading
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Context:
    def __init__(self, name):
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = "arn:aws:lambda:%s:000000000000:function:%s" % (
            os.environ.get("AWS_REGION", "us-east-1"), name)
        self.memory_limit_in_mb = "128"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = "/aws/lambda/" + name
        self.log_stream_name = "wvshim"

    def get_remaining_time_in_millis(self):
        return 5000


def load_handler(spec):
    path, _, fn = spec.partition(":")
    fn = fn or "lambda_handler"
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    name = os.path.splitext(os.path.basename(path))[0]
    module_spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return getattr(module, fn), name


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--handler", required=True, help="FILE.py[:FUNCTION]")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", help="write the bound port here once listening")
    ap.add_argument("--function-name", help="answer 404 for any other function name")
    ap.add_argument("--max-concurrency", type=int, default=0, help="429 beyond this many in flight (0: no limit)")
    ap.add_argument("--record", help="append one JSON line per request")
    ap.add_argument("--verify-sigv4", metavar="KEY_ID:SECRET", help="check SigV4 (service lambda) with botocore")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--tls-cert", help="serve https with this PEM certificate (chain)")
    ap.add_argument("--tls-key", help="the certificate's PEM private key")
    args = ap.parse_args()

    handler, default_name = load_handler(args.handler)
    in_flight = [0]
    lock = threading.Lock()
    record_lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Buffer each response and send it in one write (flushed after each request), with
        # Nagle off: headers and body in separate small writes meet the client's delayed ACK
        # and cost 40 ms a call on keep-alive connections.
        wbufsize = -1

        def setup(self):
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, *a):
            pass

        def answer(self, status, body, headers=()):
            data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def error(self, status, kind, message):
            self.answer(status, json.dumps({"Type": "User", "message": message}), [("x-amzn-ErrorType", kind)])

        def signature_ok(self, body):
            """Recomputes the signature with botocore (an independent SigV4) over the headers the client signed."""
            from botocore.auth import SigV4Auth
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
            key, _, secret = args.verify_sigv4.partition(":")
            got = self.headers.get("Authorization", "")
            if "SignedHeaders=" not in got:
                return False
            signed = got.split("SignedHeaders=")[1].split(",")[0].split(";")
            skip = ("host", "x-amz-date", "x-amz-security-token")
            scheme = "https" if args.tls_cert else "http"
            req = AWSRequest(method="POST", url="%s://%s%s" % (scheme, self.headers.get("Host"), self.path), data=body,
                             headers={h: self.headers[h] for h in signed if h not in skip and h in self.headers})
            req.context["timestamp"] = self.headers.get("X-Amz-Date", "")
            signer = SigV4Auth(Credentials(key, secret, self.headers.get("X-Amz-Security-Token")), "lambda", args.region)
            signer._modify_request_before_signing(req)  # adds X-Amz-Date from the timestamp, and the token
            signature = signer.signature(signer.string_to_sign(req, signer.canonical_request(req)), req)
            return got.endswith("Signature=" + signature)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if args.record:
                with record_lock, open(args.record, "a") as f:
                    f.write(json.dumps({"method": "POST", "path": self.path, "headers": dict(self.headers.items()),
                                        "peer_port": self.client_address[1], "body": body.decode("utf-8", "replace")})
                            + "\n")
            parts = self.path.split("?")[0].split("/")
            if len(parts) != 5 or parts[1] != "2015-03-31" or parts[2] != "functions" or parts[4] != "invocations":
                return self.error(404, "UnknownOperationException", "no such operation: " + self.path)
            name = parts[3]
            if args.function_name and name != args.function_name:
                return self.error(404, "ResourceNotFoundException", "Function not found: " + name)
            if args.verify_sigv4 and not self.signature_ok(body):
                return self.error(403, "InvalidSignatureException",
                                  "The request signature we calculated does not match the signature you provided.")
            with lock:
                if args.max_concurrency and in_flight[0] >= args.max_concurrency:
                    return self.error(429, "TooManyRequestsException", "Rate Exceeded.")
                in_flight[0] += 1
            try:
                out = io.StringIO()
                headers = []
                try:
                    event = json.loads(body or b"null")
                    with contextlib.redirect_stdout(out):
                        result = handler(event, Context(name or default_name))
                    payload = json.dumps(result)
                except Exception as exc:  # noqa: BLE001 - reported as Lambda reports a function error
                    payload = json.dumps({"errorMessage": str(exc), "errorType": type(exc).__name__,
                                          "stackTrace": traceback.format_tb(exc.__traceback__)})
                    headers.append(("X-Amz-Function-Error", "Unhandled"))
                if self.headers.get("X-Amz-Log-Type") == "Tail":
                    headers.append(("X-Amz-Log-Result", base64.b64encode(out.getvalue()[-4096:].encode()).decode()))
                headers.append(("X-Amz-Executed-Version", "$LATEST"))
                self.answer(200, payload, headers)
            finally:
                with lock:
                    in_flight[0] -= 1

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    if args.tls_cert:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.rename(tmp, args.port_file)  # atomic: readers never see a half-written port
    sys.stderr.write("lambda shim on %s://%s:%d\n" % ("https" if args.tls_cert else "http", args.host, port))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
