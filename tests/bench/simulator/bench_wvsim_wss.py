#!/usr/bin/python3
"""MQTT over WebSocket and HTTPS publish vs MQTT over TLS, side by side in one run: the same
wvsim fleet against the same wvgate (one aws-443 listener: ALPN mqtt for the TLS rows, no ALPN +
GET /mqtt for the WebSocket rows, no ALPN + POST /topics/... for the HTTPS rows; the static custom
authorizer, allow-all policy), QoS 1, 60-byte reports, 1 report/s per device. Variants
(--variants, default tls,wss):

  tls           MQTT over TLS, the authorizer once per connection (CONNECT)
  wss           MQTT over WebSocket, the same
  https         HTTPS publish with custom auth: one kept-alive connection per device, the token in
                a header, the authorizer invoked for every request
  https-cached  the same with the authorizer's enable_caching_for_http (AWS's enableCachingForHttp):
                one invocation per connection Each row starts a fresh wvgate, so its memory per connection is not hidden by what an
earlier row left in the allocator. Per transport and size it reports (bench_wvsim.py's method):

  client_us_per_msg    wvsim's utime+stime over the steady window / reports sent in it
  gate_us_per_msg      wvgate's CPU over the same window / reports
  client_kib_per_dev   wvsim's VmRSS in steady state minus its baseline, per device
  gate_kib_per_conn    wvgate's VmRSS in steady state minus before the ramp, per connection
  connects_per_s       99.5% of the fleet / the time it took (wvsim's timeline)
  connect_cpu_us       wvgate's CPU during the ramp / devices (the TLS handshake, the upgrade, CONNECT)

For HTTPS a "message" is one POST (its 200 is the acknowledgement), a "connection" the device's
kept-alive HTTPS connection (made at its first report).

Usage: bench_wvsim_wss.py BUILD_DIR [--sizes 1000,5000] [--variants tls,wss,https,https-cached] [--steady 20]
                          [--settle 5] [--rounds 1] [--json out.json]
Rows alternate the variants per size (and per round), so load drifts hit all alike; quote `uptime`.
Not a test: figures vary with the machine.
"""
import argparse, json, os, resource, shutil, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_wvsim as b  # noqa: E402  (its CA, wvgate start-up, /proc readers and run_one)


def start_gate(build, d, port, cache_http):
    """wvgate with one aws-443 listener on `port`: bench_wvsim's static authorizer, which also finds
    the token (the device's password) under the `token` header of an HTTPS publish."""
    allow = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]}'
    conf = os.path.join(d, "wvgate-wss.yaml")
    with open(conf, "w") as f:
        f.write(f"""listeners:
  - {{name: custom, kind: aws-443, address: 127.0.0.1, port: {port}, cert: {d}/server.crt, key: {d}/server.key}}
authorizers:
  - name: bench
    backend: static
    token_key_name: token
    enable_caching_for_http: {"true" if cache_http else "false"}
    credentials: [{{username: {b.USER}, password: {b.PASSWORD}}}]
    default_policies: ['{allow}']
default_authorizer: bench
threads: 1
lifecycle_events: false
log: {{level: error}}
limits: {{publish_rate_per_s: 0, max_connections: 1000000, connects_per_s_per_client_id: 0}}
""")
    return b.launch_wvgate(build, conf, port)


EXTRA = {"tls": [], "wss": ["--transport", "wss"], "https": ["--protocol", "https"],
         "https-cached": ["--protocol", "https"]}


def run_row(build, d, transport, devices, a):
    port = b.free_port()
    gate = start_gate(build, d, port, transport == "https-cached")
    try:
        gate_rss0, gate_cpu0 = b.rss_kib(gate.pid), b.cpu_seconds(gate.pid)
        extra = EXTRA[transport]
        # wvgate's peak RSS while the fleet is up (sampled; the steady value is what matters).
        peak = {"rss": gate_rss0, "ramp_cpu": None}
        stop = threading.Event()

        def sample():
            while not stop.wait(0.5):
                try: peak["rss"] = max(peak["rss"], b.rss_kib(gate.pid))
                except OSError: return
        t = threading.Thread(target=sample, daemon=True); t.start()
        r = b.run_one(os.path.join(build, "simulator", "wvsim"), extra, "custom-wvgate", d, port, gate, devices,
                      "asio", a)
        stop.set(); t.join()
        r["variant"] = transport
        msgs = r.get("steady_msgs_per_s")
        if msgs:
            r["client_us_per_msg"] = r.get("cpu_us_per_msg")
            r["gate_us_per_msg"] = round(r["broker_cpu_pct_of_core"] / 100 * 1e6 / msgs, 1)
        r["gate_kib_per_conn"] = round((peak["rss"] - gate_rss0) / devices, 2)
        r["gate_cpu_s_total"] = round(b.cpu_seconds(gate.pid) - gate_cpu0, 2)
        return r
    finally:
        gate.terminate(); gate.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build"); ap.add_argument("--sizes", default="1000,5000")
    ap.add_argument("--steady", type=float, default=20); ap.add_argument("--settle", type=float, default=5)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--variants", default="tls,wss", help="comma-separated: " + ",".join(EXTRA))
    ap.add_argument("--connect-rate", type=float, default=0); ap.add_argument("--max-connecting", type=int, default=100)
    ap.add_argument("--json"); ap.add_argument("--keep", help="directory to copy each wvsim --json report to")
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    d = tempfile.mkdtemp(prefix="wvsim-wss-bench-")
    os.chmod(d, 0o755)
    b.make_ca(d)
    meta = {"bench": "wvsim_wss", "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "load_start": b.loadavg(), "argv": sys.argv[1:]}
    rows = []
    try:
        for _ in range(a.rounds):
            for n in [int(x) for x in a.sizes.split(",") if x]:
                for transport in [v for v in a.variants.split(",") if v]:
                    if transport not in EXTRA: raise SystemExit(f"--variants: unknown {transport} ({','.join(EXTRA)})")
                    r = run_row(a.build, d, transport, n, a)
                    rows.append(r); print(json.dumps(r), file=sys.stderr)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    meta["load_end"] = b.loadavg()
    cols = ["variant", "devices", "connected", "connects_per_s", "steady_msgs_per_s", "client_us_per_msg",
            "gate_us_per_msg", "rss_kib_per_device", "gate_kib_per_conn", "connack_p50_ms", "puback_p99_ms",
            "load_start", "load_end"]
    print(" | ".join(cols)); print(" | ".join("---" for _ in cols))
    for r in rows: print(" | ".join(str(r.get(c, "-")) for c in cols) + (f"  ({r['note']})" if "note" in r else ""))
    if a.json: json.dump(dict(meta, rows=rows), open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
