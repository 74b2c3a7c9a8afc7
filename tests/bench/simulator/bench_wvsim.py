#!/usr/bin/python3
"""wvsim benchmark: one process simulating a fleet against a local mosquitto 2.0 over TLS 1.3
(ECDSA P-256 server key, password file, no connection cap, open files raised), QoS 1, 60-byte
reports, 1 report/s per device. Per fleet size and engine it measures

  rss_kib_per_device  (VmRSS with every device connected, in steady state - wvsim's RSS before
                      its first device) / devices
  connects_per_s      0.995 x devices / time from the start of the ramp until 99.5% of the fleet
                      was connected (interpolated in wvsim's 1 s timeline); connects_peak_s is
                      the best single second of the ramp
  cpu_us_per_msg      utime+stime of wvsim from /proc over a steady window (every device
                      connected, a settle time after the ramp) / reports sent in it, and the
                      broker's CPU over the same window
  wire_up/down_b_per_msg  TCP payload bytes (TLS records) the fleet's sockets sent / received over
                      the steady window (the kernel's tcp_info bytes_sent / bytes_received
                      summed over every socket to the broker's port, `ss -ti`) / reports sent

  ctx_switches_per_msg context switches of all of wvsim's threads over that window / reports: its
                      wake-ups, which the machine's load moves much less than CPU time

Usage: bench_wvsim.py BUILD_DIR [--sizes 1000,5000,10000,15000] [--paho-sizes 1000,5000]
         [--steady 20] [--settle 5] [--connect-rate 0] [--max-connecting 100]
         [--variant LABEL=WVSIM[,extra args]]... [--x509] [--probe MQTT_TLS_PROBE] [--mqtt5] [--json out.json]
       bench_wvsim.py BUILD_DIR --floor --probe MQTT_TLS_PROBE [--before WVSIM] [--variant LABEL=WVSIM]...
         [--quick] [--floor-part all|5000|15000] [--json out.json]
--mqtt5 adds two rows per size in the same run: `mqtt5` (wvsim --mqtt 5: the report topic as
Topic Alias 1 after the first report of a connection) and `mqtt5-noalias` (--mqtt 5
--topic-alias off), beside the default MQTT 3.1.1 row (`asio`).
--floor runs issue 18's client-side floor in one run and prints a goal table after the rows: at
5,000 devices the probe publishing (CPU and RSS), the probe's full-handshake rate (`probe-connect`:
mqtt_tls_probe --mode=rate, one thread, --max-connecting in flight), wvsim (default flags:
resumed handshakes on loopback) and `full` (wvsim --resumption off); with --before the same two
for that binary and for each --variant (e.g. main's build: LABEL and LABEL_full); and 15,000
devices for wvsim, the variants and --before. --quick: settle 3 s, steady 8 s, and --floor
without the 15,000-device rows (a few minutes in all). --floor-part 5000 or 15000 runs one
half (a long run split in two; the goal table then has that half's goals).
--x509 adds, per size, X.509 rows in the same run: `x509-mosquitto` (wvsim --auth x509, each
device its own ECDSA P-256 certificate generated at start from the bench CA, against a second
mosquitto listener with require_certificate true and use_identity_as_username true) and
`x509-wvgate` (the same fleet against wvgate's aws-8883 listener, every certificate of the CA
ACTIVE with an allow-all policy: the static certificate_policies config), and `custom-wvgate`
(wvgate with its static custom authorizer) beside mosquitto's password-file row.
--probe adds a `probe` row per size: ../shared/probes' bare TLS MQTT client (mqtt_tls_probe
--mode=publish --impl=fd, one thread, a timer and a wake-up per connection: the naive floor)
with the same fleet size, report rate, settle and steady window against the same mosquitto
(which then also allows anonymous logins, as the probe sends no user name; wvsim's rows still
log in with the password file). ratio_cpu_vs_probe in every row of that size is its CPU per
message over the probe's.
--variant adds a row per size for another wvsim binary or flags (e.g. before/after a change,
or `off=build/simulator/wvsim,--resumption,off`), measured in the same run as the default rows.
Prints a table; --json writes the same figures. Not a test: figures vary with the machine.
"""
import argparse, json, os, re, resource, shutil, socket, subprocess, sys, tempfile, threading, time

USER, PASSWORD = "bench", "bench-secret-123"

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

def start_mosquitto(d, port, x509_port=None, anonymous=False):
    pw = os.path.join(d, "passwd")
    with open(pw, "w") as f: f.write(f"{USER}:{PASSWORD}\n")
    subprocess.run(["/usr/bin/mosquitto_passwd", "-U", pw], check=True)  # hashes the file in place
    conf = os.path.join(d, "mosquitto.conf")
    with open(conf, "w") as f:
        f.write("per_listener_settings false\npersistence false\nmax_keepalive 65535\nlog_dest none\n"
                f"allow_anonymous {'true' if anonymous else 'false'}\npassword_file {pw}\nmax_connections -1\n")
        if os.geteuid() == 0: f.write("user root\n")
        f.write(f"listener {port} 127.0.0.1\ncertfile {d}/server.crt\nkeyfile {d}/server.key\ntls_version tlsv1.3\n")
        if x509_port:  # mutual TLS: the bench CA signs the devices too
            f.write(f"listener {x509_port} 127.0.0.1\ncertfile {d}/server.crt\nkeyfile {d}/server.key\n"
                    f"tls_version tlsv1.3\ncafile {d}/ca.crt\nrequire_certificate true\nuse_identity_as_username true\n")
    p = subprocess.Popen(["/usr/sbin/mosquitto", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close(); return p
        except OSError: time.sleep(0.05)
    raise SystemExit("mosquitto did not start")

def start_wvgate(build, d, port, x509_port):
    """wvgate with a custom-auth listener (ALPN mqtt, static authorizer) and an aws-8883 listener
    trusting the bench CA (every certificate it signed ACTIVE, allow-all policy)."""
    allow = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]}'
    conf = os.path.join(d, "wvgate.yaml")
    with open(conf, "w") as f:
        f.write(f"""listeners:
  - {{name: custom, kind: aws-443, address: 127.0.0.1, port: {port}, cert: {d}/server.crt, key: {d}/server.key, client_ca: {d}/ca.crt}}
  - {{name: x509, kind: aws-8883, address: 127.0.0.1, port: {x509_port}, cert: {d}/server.crt, key: {d}/server.key, client_ca: {d}/ca.crt}}
authorizers:
  - name: bench
    backend: static
    credentials: [{{username: {USER}, password: {PASSWORD}}}]
    default_policies: ['{allow}']
default_authorizer: bench
certificate_policies: ['{allow}']
threads: 1
lifecycle_events: false
log: {{level: error}}
limits: {{publish_rate_per_s: 0, max_connections: 1000000, connects_per_s_per_client_id: 0}}
""")
    return launch_wvgate(build, conf, x509_port)

def launch_wvgate(build, conf, port):
    """wvgate of `build` with the config file `conf`, once it accepts connections on `port`."""
    p = subprocess.Popen([os.path.join(build, "src", "gateway", "main", "wvgate"), "--config", conf],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close(); return p
        except OSError: time.sleep(0.05)
    raise SystemExit("wvgate did not start")

def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f: fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def context_switches(pid):
    """Voluntary + involuntary context switches of every thread of pid: its wake-ups, a figure the
    machine's load moves much less than CPU time."""
    n = 0
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{t}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")): n += int(line.split()[1])
        except OSError: pass  # the thread ended
    return n

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"): return int(line.split()[1])
    return 0

def loadavg():
    with open("/proc/loadavg") as f: return f.read().split()[0]

def wire_bytes(port):
    """(sent, received) TCP payload bytes of every established socket to 127.0.0.1:port."""
    out = subprocess.run(["ss", "-tinH", "state", "established", f"( dport = :{port} )"],
                         capture_output=True, text=True).stdout
    sent = sum(int(x) for x in re.findall(r"bytes_sent:(\d+)", out))
    received = sum(int(x) for x in re.findall(r"bytes_received:(\d+)", out))
    return sent, received

def ramp(timeline, target):
    """Seconds from the start until `target` devices were connected (linear between samples)."""
    prev_t, prev_c = 0.0, 0
    for s in timeline:
        if s["connected"] >= target:
            span = s["connected"] - prev_c
            return prev_t + (s["t"] - prev_t) * ((target - prev_c) / span if span else 1)
        prev_t, prev_c = s["t"], s["connected"]
    return None

def ramp_cost(res, connects, wall, client_cpu, broker_cpu, reports):
    """What the ramp cost, up to the first progress line at 99.5% connected: the client's CPU
    (from its start, so its set-up too) and the broker's, per connect and as cores used, and the
    reports the connected devices sent meanwhile. 2 cores: client + broker CPU per connect bounds
    the rate at 2,000,000 / (client + broker us) connects/s."""
    n = max(1, connects)
    res["ramp_client_us_per_connect"] = round(1e6 * client_cpu / n)
    res["ramp_broker_us_per_connect"] = round(1e6 * broker_cpu / n)
    res["ramp_client_cores"] = round(client_cpu / wall, 2)
    res["ramp_broker_cores"] = round(broker_cpu / wall, 2)
    res["ramp_reports_per_connect"] = round(reports / n, 2)

def run_one(wvsim, extra, label, d, port, broker, devices, engine, a, connect_only=False):
    out = os.path.join(d, f"{label}-{devices}.json")
    if label.startswith("x509"):  # each device its own certificate, generated at start
        login = ["--auth", "x509", "--device-ca", f"{d}/ca.crt", "--device-ca-key", f"{d}/ca.key"]
    elif label == "custom-wvgate":
        login = ["--authorizer", "bench", "--username", USER, "--password", PASSWORD]
    else:
        login = ["--authorizer", "", "--username", USER, "--password", PASSWORD]
    args = [wvsim, "--host", "localhost", "--port", str(port), "--cafile", f"{d}/ca.crt"] + login + [
            "--devices", str(devices), "--interval", "1", "--qos", "1", "--jitter", "0",
            "--duration", "3600", "--engine", engine, "--json", out, "--connect-rate", str(a.connect_rate),
            "--max-connecting", str(a.max_connecting)] + extra
    ramp_budget = devices / 50 + 60  # a loaded machine connects slowly; past this the row says so
    t0 = time.monotonic()
    broker_cpu_start = cpu_seconds(broker.pid)
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    def stop():  # a clean stop (ReportEnd + DISCONNECT), and a second SIGINT (at once) if it hangs
        p.send_signal(2)
        threading.Timer(60, lambda: p.poll() is None and p.send_signal(2)).start()
    res = {"engine": engine, "variant": label, "devices": devices, "load_start": loadavg()}
    state, sent, ramp_sent = "ramp", 0, 0
    for line in p.stderr:
        g = re.search(r"(\d+) device certificates .* in ([\d.]+) s", line)
        if g: res["cert_generation_s"] = float(g.group(2))
        m = re.search(r"\[\s*(\d+)s\] connected (\d+),.*sent (\d+)/s", line)
        if not m: continue
        conn, now = int(m.group(2)), time.monotonic()
        if state == "ramp":
            ramp_sent += int(m.group(3))
            if conn >= devices * 0.995:
                ramp_cost(res, conn, now - t0, cpu_seconds(p.pid), cpu_seconds(broker.pid) - broker_cpu_start, ramp_sent)
                state, settle_until = "settle", now + a.settle
                if connect_only: state = "done"; stop()
            elif now - t0 > ramp_budget: state = "gave_up"; stop()
        elif state == "settle" and now >= settle_until:
            state, sent, tc0 = "steady", 0, now
            cpu0, bcpu0, cs0 = cpu_seconds(p.pid), cpu_seconds(broker.pid), context_switches(p.pid)
            wire0 = wire_bytes(port)
        elif state == "steady":
            sent += int(m.group(3))
            if now - tc0 >= a.steady:
                dt = time.monotonic() - tc0
                cpu1, bcpu1, cs1 = cpu_seconds(p.pid), cpu_seconds(broker.pid), context_switches(p.pid)
                res["ctx_switches_per_msg"] = round((cs1 - cs0) / max(1, sent), 3)
                wire1 = wire_bytes(port)
                res["wire_up_b_per_msg"] = round((wire1[0] - wire0[0]) / max(1, sent), 1)
                res["wire_down_b_per_msg"] = round((wire1[1] - wire0[1]) / max(1, sent), 1)
                res["rss_steady_kib"] = rss_kib(p.pid)
                res["steady_connected"] = conn
                res["steady_window_s"] = round(dt, 1)
                res["steady_msgs_per_s"] = round(sent / dt, 1)
                res["steady_cpu_pct_of_core"] = round(100 * (cpu1 - cpu0) / dt, 1)
                res["cpu_us_per_msg"] = round(1e6 * (cpu1 - cpu0) / max(1, sent), 1)
                res["broker_cpu_pct_of_core"] = round(100 * (bcpu1 - bcpu0) / dt, 1)
                state = "done"; stop()
    p.wait()
    res["load_end"] = loadavg()
    rep = json.load(open(out))
    if a.keep: shutil.copy(out, a.keep)
    base = rep["process"]["rss_baseline_kib"]
    res["connected"] = rep["connect_outcomes"].get("connected", 0)
    res["rss_baseline_kib"] = base
    res["rss_peak_kib"] = rep["process"]["rss_peak_kib"]
    if "rss_steady_kib" in res:
        res["rss_kib_per_device"] = round((res["rss_steady_kib"] - base) / devices, 2)
    cols = rep["timeline_columns"]
    timeline = [dict(zip(cols, row)) for row in rep["timeline"]]
    t = ramp(timeline, devices * 0.995)
    if t: res["connects_per_s"] = round(devices * 0.995 / t, 1)
    res["connects_peak_s"] = max((s["connects"] for s in timeline), default=0)
    res["connack_p50_ms"] = rep["latency_us"]["connack"]["p50"] / 1000
    res["connack_p99_ms"] = rep["latency_us"]["connack"]["p99"] / 1000
    res["tls_handshake_p50_ms"] = rep["latency_us"]["tls_handshake"]["p50"] / 1000
    res["puback_p99_ms"] = rep["latency_us"]["puback"]["p99"] / 1000
    res["session_ends"] = rep["session_ends"]
    res["connect_outcomes"] = rep["connect_outcomes"]
    if state != "done": res["note"] = "ramp did not reach 99.5% connected" if state in ("ramp", "gave_up") else state
    return res

def run_probe(probe, d, port, broker, devices, a):
    """The bare client (../shared/probes) publishing like the fleet: one connection per device,
    60 bytes QoS 1 once a second, its CPU over a window of --steady seconds after --settle."""
    args = [probe, "--host=127.0.0.1", f"--port={port}", f"--ca={d}/ca.crt", "--sni=localhost", "--mode=publish",
            "--impl=fd", "--tls=1.3", "--release=1", f"--levels={devices}", "--rate=1000",
            f"--max-inflight={a.max_connecting}", f"--settle={int(a.settle)}", f"--window={int(a.steady)}",
            f"--server-pid={broker.pid}", "--quickack=1"]
    res = {"engine": "probe", "variant": "probe", "devices": devices, "load_start": loadavg()}
    budget = devices / 50 + 120 + a.settle + a.steady
    try:
        out = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=budget).stdout
    except subprocess.TimeoutExpired:  # a loaded machine: the row says so, the run goes on
        out = ""
    for line in out.splitlines():
        if not line.startswith(f"RESULT level={devices} "): continue
        kv = dict(x.split("=", 1) for x in line.split()[1:])
        msgs, cpu = float(kv["msgs_per_s"]), float(kv["cpu_pct"])
        res.update({"connected": int(kv["connacks"]), "rss_kib_per_device": float(kv["kib_per_conn"]),
                    "steady_msgs_per_s": msgs, "steady_cpu_pct_of_core": cpu,
                    "cpu_us_per_msg": round(cpu / 100 * 1e6 / msgs, 1) if msgs else None,
                    "broker_cpu_pct_of_core": float(kv["srv_cpu_pct"]),
                    "connects_per_s": round(devices / float(kv["ramp_s"]), 1) if float(kv["ramp_s"]) else None,
                    "steady_window_s": float(kv["window_s"])})
    if "connected" not in res: res["note"] = "the probe printed no result (or ran past its time budget)"
    res["load_end"] = loadavg()
    return res

def run_probe_connects(probe, d, port, broker, devices, a):
    """The bare client's full-handshake rate: mqtt_tls_probe --mode=rate (one thread, TCP + TLS 1.3
    + CONNECT/CONNACK, --max-connecting in flight, connections kept open) for the same fleet size."""
    args = [probe, "--host=127.0.0.1", f"--port={port}", f"--ca={d}/ca.crt", "--sni=localhost", "--mode=rate",
            "--impl=fd", "--tls=1.3", "--release=1", f"--total={devices}", f"--concurrency={a.max_connecting}",
            f"--server-pid={broker.pid}", "--quickack=1"]
    res = {"engine": "probe", "variant": "probe-connect", "devices": devices, "load_start": loadavg()}
    try:
        out = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                             timeout=devices / 20 + 120).stdout
    except subprocess.TimeoutExpired:
        out = ""
    for line in out.splitlines():
        if not line.startswith("RESULT mode=rate "): continue
        kv = dict(x.split("=", 1) for x in line.split()[1:])
        res.update({"connected": int(kv["connacks"]), "connects_per_s": float(kv["handshakes_per_s"]),
                    "connect_cpu_pct_of_core": float(kv["cpu_pct"]), "broker_cpu_pct_of_core": float(kv["srv_cpu_pct"])})
        wall = float(kv["wall_s"])
        ramp_cost(res, int(kv["connacks"]), wall, float(kv["cpu_pct"]) / 100 * wall,
                  float(kv["srv_cpu_pct"]) / 100 * wall, 0)
    if "connected" not in res: res["note"] = "the probe printed no result"
    res["load_end"] = loadavg()
    return res

def floor_plan(a, wvsim):
    """--floor: issue 18's client-side goals in one run (see the README): per size the probe's
    publish and connect rows, wvsim (default), wvsim --resumption off, and with --before the same two
    for the build before; 15,000 devices (not --quick) for wvsim and --before only."""
    rows = []
    size = 5000
    # --variant rows (e.g. main's build) get the same pair as wvsim, beside it
    others = [(label, binary or wvsim, extra) for label, binary, extra in a.floor_variants]
    if a.floor_part in ("all", "5000"):
        rows += [("probe", size, ("probe", a.probe, [])), ("probe-connect", size, ("probe-connect", a.probe, []))]
        rows += [("asio", size, ("asio", wvsim, [])), ("asio", size, ("full", wvsim, ["--resumption", "off"]))]
        for label, binary, extra in others:
            rows += [("asio", size, (label, binary, extra)), ("asio", size, (label + "_full", binary, extra + ["--resumption", "off"]))]
        # The probe's connect row opens connections and nothing else; with --connect-rate 0 the
        # fleet's reports are due from t=0, so a device connected at 3 s sends 3 at once and
        # the ramp carries every connected device's reports too. These rows connect the same
        # fleet with no report due during the ramp (the first one is due within an hour).
        idle = ["--resumption", "off", "--interval", "3600"]
        rows += [("connect", size, ("full_idle", wvsim, idle))]
        rows += [("connect", size, (label + "_full_idle", binary, extra + idle)) for label, binary, extra in others]
        if a.before:
            rows += [("asio", size, ("before", a.before, [])), ("asio", size, ("before_full", a.before, ["--resumption", "off"]))]
    if a.floor_part in ("all", "15000") and not a.quick:
        rows += [("asio", 15000, ("asio", wvsim, []))]
        rows += [("asio", 15000, (label, binary, extra)) for label, binary, extra in others]
        if a.before: rows += [("asio", 15000, ("before", a.before, []))]
    return rows

def goals(rows):
    """The floor goals of issue 18 (client side), from the rows of one run."""
    def row(variant, n):
        return next((r for r in rows if r["variant"] == variant and r["devices"] == n), None)
    out = []
    def add(name, value, goal, ok):
        out.append({"goal": name, "value": value, "target": goal,
                    "met": None if ok is None else bool(ok)})
    w, p, pc, full = row("asio", 5000), row("probe", 5000), row("probe-connect", 5000), row("full", 5000)
    if w and p and w.get("cpu_us_per_msg") and p.get("cpu_us_per_msg"):
        v = round(w["cpu_us_per_msg"] / p["cpu_us_per_msg"], 2); add("CPU per message vs the probe, 5,000 devices", v, "<= 0.7", v <= 0.7)
    if w and w.get("rss_kib_per_device"):
        v = w["rss_kib_per_device"]; add("KiB per device, 5,000 devices", v, "<= 15", v <= 15)
    if full and pc and full.get("connects_per_s") and pc.get("connects_per_s"):
        v = round(full["connects_per_s"] / pc["connects_per_s"], 2); add("full handshakes/s vs the probe's", v, ">= 1.3", v >= 1.3)
    idle = row("full_idle", 5000)
    if idle and pc and idle.get("connects_per_s") and pc.get("connects_per_s"):
        v = round(idle["connects_per_s"] / pc["connects_per_s"], 2)
        add("full handshakes/s vs the probe's, no reports due during the ramp (as the probe)", v, ">= 1.3", v >= 1.3)
    if w and pc and w.get("connects_per_s") and pc.get("connects_per_s"):
        v = round(w["connects_per_s"] / pc["connects_per_s"], 2); add("resumed handshakes/s vs the probe's full ones", v, "held (2.2 before)", None)
    w15, b15 = row("asio", 15000), row("before", 15000)
    if w15 and b15 and w15.get("steady_cpu_pct_of_core") and b15.get("steady_cpu_pct_of_core"):
        v = round(w15["cpu_us_per_msg"] / b15["cpu_us_per_msg"], 2); add("15,000 devices: CPU per message vs the build before", v, "<= 0.7", v <= 0.7)
    return out

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build"); ap.add_argument("--sizes", default="1000,5000,10000,15000")
    ap.add_argument("--paho-sizes", default="1000,5000"); ap.add_argument("--steady", type=float, default=20)
    ap.add_argument("--settle", type=float, default=5, help="seconds after the ramp before the steady window")
    ap.add_argument("--connect-rate", type=float, default=0, help="wvsim --connect-rate (0: unpaced)")
    ap.add_argument("--max-connecting", type=int, default=100)
    ap.add_argument("--variant", action="append", default=[], help="LABEL=WVSIM[,extra,args]: extra rows per size")
    ap.add_argument("--x509", action="store_true", help="X.509 rows against mosquitto and wvgate (see above)")
    ap.add_argument("--probe", help="mqtt_tls_probe binary: a bare-client row per size (see above)")
    ap.add_argument("--floor", action="store_true",
                    help="issue 18's client-side floor in one run: needs --probe; --before adds the build before (see README)")
    ap.add_argument("--before", help="--floor: the wvsim binary of the build before, for its rows")
    ap.add_argument("--quick", action="store_true", help="shorter windows (settle 3 s, steady 8 s); --floor: 5,000 devices only")
    ap.add_argument("--floor-part", choices=["all", "5000", "15000"], default="all",
                    help="--floor: only the 5,000-device rows, or only the 15,000-device ones (to split a long run)")
    ap.add_argument("--mqtt5", action="store_true", help="MQTT 5 rows with and without the topic alias (see above)")
    ap.add_argument("--json"); ap.add_argument("--keep", help="directory to copy each wvsim --json report to")
    a = ap.parse_args()
    if a.quick: a.settle, a.steady = min(a.settle, 3), min(a.steady, 8)
    if a.floor and not a.probe: ap.error("--floor needs --probe MQTT_TLS_PROBE")
    wvsim = os.path.join(a.build, "simulator", "wvsim")
    variants = [("asio", wvsim, [])]
    for v in a.variant:
        label, spec = v.split("=", 1)
        parts = spec.split(",")
        variants.append((label, parts[0] or wvsim, parts[1:]))
    a.floor_variants = variants[1:]
    if a.mqtt5:
        variants += [("mqtt5", wvsim, ["--mqtt", "5"]), ("mqtt5-noalias", wvsim, ["--mqtt", "5", "--topic-alias", "off"])]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # inherited by mosquitto and wvsim
    d = tempfile.mkdtemp(prefix="wvsim-bench-")
    os.chmod(d, 0o755)
    make_ca(d)
    port = free_port()
    x509_port = free_port() if a.x509 else None
    broker = start_mosquitto(d, port, x509_port, anonymous=bool(a.probe))
    gate_port, gate_x509_port = (free_port(), free_port()) if a.x509 else (None, None)
    gate = start_wvgate(a.build, d, gate_port, gate_x509_port) if a.x509 else None
    # label -> (broker process, port) for the extra rows
    targets = {"x509-mosquitto": (broker, x509_port), "x509-wvgate": (gate, gate_x509_port),
               "custom-wvgate": (gate, gate_port)}
    if a.x509: variants += [(l, wvsim, []) for l in ("x509-mosquitto", "custom-wvgate", "x509-wvgate")]
    rows = []
    meta = {"bench": "wvsim", "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "load_start": loadavg(),
            "argv": sys.argv[1:], "nofile": hard}
    try:
        probe_rows = [("probe", n, ("probe", a.probe, [])) for n in a.sizes.split(",") if n] if a.probe else []
        plan = probe_rows + [("asio", n, v) for n in a.sizes.split(",") if n for v in variants] + \
               [("paho", n, ("paho", wvsim, [])) for n in a.paho_sizes.split(",") if n]
        if a.floor: plan = floor_plan(a, wvsim)
        for engine, n, (label, binary, extra) in plan:
            n = int(n)
            if n + 200 > hard:
                print(f"skip {label} {n}: the open-file limit is {hard}", file=sys.stderr); continue
            b, p = targets.get(label, (broker, port))
            if engine == "probe-connect": r = run_probe_connects(binary, d, p, b, n, a)
            elif engine == "probe": r = run_probe(binary, d, p, b, n, a)
            elif engine == "connect": r = run_one(binary, extra, label, d, p, b, n, "asio", a, connect_only=True)
            else: r = run_one(binary, extra, label, d, p, b, n, engine, a)
            rows.append(r); print(json.dumps(r), file=sys.stderr)
    finally:
        broker.terminate(); broker.wait()
        if gate: gate.terminate(); gate.wait()
        shutil.rmtree(d, ignore_errors=True)
    meta["load_end"] = loadavg()
    for r in rows:  # CPU per message over the probe's at the same size, from the same run
        pr = next((q for q in rows if q["variant"] == "probe" and q["devices"] == r["devices"]), None)
        if pr and pr.get("cpu_us_per_msg") and r.get("cpu_us_per_msg"):
            r["ratio_cpu_vs_probe"] = round(r["cpu_us_per_msg"] / pr["cpu_us_per_msg"], 2)
    if a.floor:  # what the ramps cost: client and broker CPU per connect, cores used, reports sent meanwhile
        rc = ["variant", "connects_per_s", "ramp_client_us_per_connect", "ramp_broker_us_per_connect",
              "ramp_client_cores", "ramp_broker_cores", "ramp_reports_per_connect"]
        print(" | ".join(rc)); print(" | ".join("---" for _ in rc))
        for r in rows:
            if "ramp_client_us_per_connect" in r: print(" | ".join(str(r.get(c, "-")) for c in rc))
        print()
    cols = ["variant", "devices", "connected", "rss_kib_per_device", "connects_per_s", "connects_peak_s",
            "steady_msgs_per_s", "steady_cpu_pct_of_core", "cpu_us_per_msg", "broker_cpu_pct_of_core",
            "ratio_cpu_vs_probe", "ctx_switches_per_msg", "wire_up_b_per_msg", "wire_down_b_per_msg", "connack_p50_ms", "connack_p99_ms", "tls_handshake_p50_ms", "puback_p99_ms", "load_start"]
    print(" | ".join(cols)); print(" | ".join("---" for _ in cols))
    for r in rows: print(" | ".join(str(r.get(c, "-")) for c in cols) + (f"  ({r['note']})" if "note" in r else ""))
    g = goals(rows) if a.floor else []
    if g:
        print(f"\ngoal | value | target | met   (load average {meta['load_start']} at the start, {meta['load_end']} at the end)")
        print("--- | --- | --- | ---")
        for x in g: print(f"{x['goal']} | {x['value']} | {x['target']} | {'-' if x['met'] is None else ('yes' if x['met'] else 'NO')}")
    if a.json: json.dump(dict(meta, rows=rows, goals=g), open(a.json, "w"), indent=1)

if __name__ == "__main__":
    main()
