#!/usr/bin/python3
"""wvsim benchmark: against a local mosquitto over TLS (ECDSA P-256 server key), QoS 1, 60-byte
reports, 1 report/s per device. For each fleet size and engine it measures RSS per device
above the process baseline, connects/s while the fleet ramps up, and CPU per message in steady
state (sampled from /proc after every device is connected, so connect cost is not counted).

Usage: bench_wvsim.py BUILD_DIR [--sizes 1000,5000,10000] [--paho-sizes 1000,5000]
                      [--steady 20] [--json out.json]
Prints a table; --json writes the same figures. Not a test: figures vary with the machine.
"""
import argparse, json, os, re, resource, shutil, socket, subprocess, sys, tempfile, time

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def make_ca(d):
    def run(*a): subprocess.run(a, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=d)
    run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key")
    run("openssl", "req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=wvsim bench CA", "-days", "2", "-out", "ca.crt")
    run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "server.key")
    run("openssl", "req", "-new", "-key", "server.key", "-subj", "/CN=localhost", "-out", "server.csr")
    with open(os.path.join(d, "ext.cnf"), "w") as f: f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "2", "-extfile", "ext.cnf", "-out", "server.crt")

def start_mosquitto(d, port):
    conf = os.path.join(d, "mosquitto.conf")
    with open(conf, "w") as f:
        f.write("per_listener_settings false\npersistence false\nallow_anonymous true\nmax_keepalive 65535\n"
                "log_dest none\nmax_connections -1\n")
        if os.geteuid() == 0: f.write("user root\n")
        f.write(f"listener {port} 127.0.0.1\ncertfile {d}/server.crt\nkeyfile {d}/server.key\n")
    p = subprocess.Popen(["/usr/sbin/mosquitto", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close(); return p
        except OSError: time.sleep(0.05)
    raise SystemExit("mosquitto did not start")

def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f: fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def run_one(wvsim, d, port, devices, engine, steady, connect_rate):
    out = os.path.join(d, f"{engine}-{devices}.json")
    ramp_budget = devices / (connect_rate or 100) + 30  # generous: a loaded machine connects slowly
    args = [wvsim, "--host", "localhost", "--port", str(port), "--cafile", f"{d}/ca.crt", "--authorizer", "",
            "--devices", str(devices), "--interval", "1", "--qos", "1", "--jitter", "0",
            "--duration", str(ramp_budget + steady), "--engine", engine, "--json", out,
            "--connect-rate", str(connect_rate)]
    t0 = time.monotonic()
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    connected_at = cpu0 = sent0 = None
    cpu1 = sent1 = t1 = None
    for line in p.stderr:
        m = re.search(r"\[\s*(\d+)s\] connected (\d+),.*sent (\d+)/s", line)
        if not m: continue
        sec, conn = int(m.group(1)), int(m.group(2))
        if connected_at is None and conn >= devices * 0.995:
            connected_at = time.monotonic() - t0
            cpu0, tc0 = cpu_seconds(p.pid), time.monotonic()
            sent_lines = 0
        elif connected_at is not None and cpu1 is None:
            sent_lines += int(m.group(3))
            if time.monotonic() - tc0 >= steady:
                cpu1, t1, sent1 = cpu_seconds(p.pid), time.monotonic(), sent_lines
                p.send_signal(2)  # clean stop: ReportEnd + DISCONNECT, then the report
    p.wait()
    rep = json.load(open(out))
    base, peak = rep["process"]["rss_baseline_kib"], rep["process"]["rss_peak_kib"]
    res = {"engine": engine, "devices": devices,
           "connected": rep["connect_outcomes"].get("connected", 0),
           "rss_kib_per_device": round((peak - base) / devices, 2),
           "rss_peak_mib": round(peak / 1024, 1),
           "connects_per_s": round(devices / connected_at, 1) if connected_at else None,
           "connack_p99_ms": rep["latency_us"]["connack"]["p99"] / 1000,
           "puback_p99_ms": rep["latency_us"]["puback"]["p99"] / 1000,
           "session_ends": rep["session_ends"]}
    if cpu1 is not None:
        dt = t1 - tc0
        res["steady_msgs_per_s"] = round(sent1 / dt, 1)
        res["steady_cpu_pct_of_core"] = round(100 * (cpu1 - cpu0) / dt, 1)
        res["cpu_us_per_msg"] = round(1e6 * (cpu1 - cpu0) / max(1, sent1), 1)
    return res

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build"); ap.add_argument("--sizes", default="1000,5000,10000")
    ap.add_argument("--paho-sizes", default="1000,5000"); ap.add_argument("--steady", type=float, default=20)
    ap.add_argument("--connect-rate", type=float, default=0, help="wvsim --connect-rate (0: unpaced)")
    ap.add_argument("--json")
    a = ap.parse_args()
    wvsim = os.path.join(a.build, "simulator", "wvsim")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # inherited by mosquitto and wvsim
    d = tempfile.mkdtemp(prefix="wvsim-bench-")
    os.chmod(d, 0o755)
    make_ca(d)
    port = free_port()
    broker = start_mosquitto(d, port)
    rows = []
    try:
        plan = [("asio", int(n)) for n in a.sizes.split(",") if n] + [("paho", int(n)) for n in a.paho_sizes.split(",") if n]
        for engine, n in plan:
            if n + 200 > hard:
                print(f"skip {engine} {n}: the open-file limit is {hard}", file=sys.stderr); continue
            r = run_one(wvsim, d, port, n, engine, a.steady, a.connect_rate)
            rows.append(r); print(json.dumps(r), file=sys.stderr)
    finally:
        broker.terminate(); broker.wait(); shutil.rmtree(d, ignore_errors=True)
    cols = ["engine", "devices", "connected", "rss_kib_per_device", "connects_per_s", "steady_msgs_per_s",
            "steady_cpu_pct_of_core", "cpu_us_per_msg", "connack_p99_ms", "puback_p99_ms"]
    print(" | ".join(cols)); print(" | ".join("---" for _ in cols))
    for r in rows: print(" | ".join(str(r.get(c, "")) for c in cols))
    if a.json: json.dump({"bench": "wvsim", "rows": rows}, open(a.json, "w"), indent=1)

if __name__ == "__main__":
    main()
