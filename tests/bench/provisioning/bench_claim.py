#!/usr/bin/python3
"""Fleet provisioning by claim, end to end: a fleet of wvsim devices onboards itself through
its embedded wvgate with the example template and the python pre-provisioning hook (handler
backend), and the table says how many devices per second, each step's p50/p99, the hook's
share, and (--perf) where the CPU goes.

Per row it runs `wvsim --onboard claim:fleet` against config/provisioning/wvgate-fleet.yaml
(a copy with absolute paths, the hook's `workers:` and `issued_key_type` set per row, the
registry in a SQLite file unless --state memory): every
device connects with the one claim certificate, subscribes to the reply topics, sends
CreateCertificateFromCsr with an EC P-256 key it generated (row kind `csr`) or
CreateKeysAndCertificate (kinds `keys-rsa`: RSA-2048 as AWS issues, `keys-ec`: EC P-256),
RegisterThing (the hook runs, the template is applied, the registry's SQLite file written),
and reconnects with its new certificate. Devices whose serial ends in 13 are refused by the
hook, as --provision-refuse expects. From wvsim's --json report: devices provisioned per
second over the phase, each step's p50/p99 (connect = TCP + TLS with the claim + CONNECT +
SUBSCRIBE; create; register incl. the hook; reconnect), the hook's own time in the gateway.

--perf runs each row under `perf record` (all CPUs, call graphs) and sorts the samples of the
onboarding phase (first to last sample of wvsim's onboarding code) by what they were doing:
TLS handshakes on either side, decoding keys and certificates, the device's key and CSR, the
gateway's CSR check and signing, RSA key generation, the hook (python workers and the
gateway's side of the call), SQLite, the template, MQTT and the rest. Shares are of the CPU
samples in that window, CPU ms per provisioned device from the sample count.

Usage: bench_claim.py BUILD_DIR [--devices 5000] [--rows csr] [--max-connecting 100]
         [--hook-workers 2] [--keys-devices 300] [--state sqlite|memory] [--perf] [--perf-freq 200]
         [--before WVSIM] [--json out.json]
--before WVSIM: every row runs with that wvsim first (e.g. main's build), then with BUILD_DIR's.
--rows: comma-separated kinds (csr, keys-rsa, keys-ec); --max-connecting and --hook-workers take
comma-separated lists too, one row per combination, in the same run (side by side).
Not a test: figures vary with the machine and its load (quoted before and after each row).
"""
import argparse, itertools, json, os, re, shutil, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
STEPS = ["connect", "create", "register", "reconnect"]


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def write_config(dst, workers, key_type, state):
    src_dir = os.path.join(SOURCE, "config", "provisioning")
    with open(os.path.join(src_dir, "wvgate-fleet.yaml")) as f:
        text = f.read()
    text = re.sub(r"workers: \d+", "workers: %d" % workers, text)
    text = re.sub(r"issued_key_type: [a-z0-9-]+", "issued_key_type: %s" % key_type, text)
    text = text.replace("python:../../", "python:%s/" % SOURCE)
    text = text.replace("body_file: fleet-template.json", "body_file: %s" % os.path.join(src_dir, "fleet-template.json"))
    text = text.replace("seed: seed.yaml", "seed: %s" % os.path.join(src_dir, "seed.yaml"))
    if state:  # the registry in a SQLite file, as a gateway that keeps its state
        text += "state: %s\n" % os.path.join(os.path.dirname(dst), "registry.db")
    text = text.replace("generated_ca_dir: ../../wvgate-ca", "generated_ca_dir: %s" % os.path.join(os.path.dirname(dst), "ca"))
    with open(dst, "w") as f:
        f.write(text)


# --- where the time goes (perf) -------------------------------------------------------------

# First match wins, tested against the whole call chain of a sample (leaf first).
CATEGORIES = [
    ("hook: python worker", lambda comm, st: comm.startswith("python")),
    ("device: key + CSR (EC P-256)", lambda c, st: "make_device_csr" in st),
    ("device: decode its certificate + key", lambda c, st: "client_identity::" in st),
    ("gateway: RSA/EC key generation (CreateKeys)", lambda c, st: "create_keys_and_certificate" in st),
    ("gateway: CSR check + signing", lambda c, st: "sign_csr" in st or "parse_csr_pem" in st),
    ("gateway: certificate parse (registry)", lambda c, st: "parse_certificate_pem" in st),
    ("TLS handshake: gateway side", lambda c, st: "drive_handshake" in st and "gate::" in st),
    ("TLS handshake: device side", lambda c, st: "drive_handshake" in st or "tls::connect" in st),
    ("database: SQLite", lambda c, st: "sqlite3" in st),
    ("gateway: template + plan", lambda c, st: "finish_register" in st or "apply_plan" in st),
    ("gateway: registry (memory)", lambda c, st: "registry::" in st),
    ("gateway: hook call (queue, pipe)", lambda c, st: "authorizer_service" in st or "functions::" in st
                                                        or "handler_" in st),
    ("gateway: MQTT, TLS records, other", lambda c, st: "gate::" in st or "provisioning::" in st),
    ("device: MQTT, TLS records, other", lambda c, st: "sim::" in st or "client::" in st),
]


def perf_breakdown(perf_data, provisioned, freq):
    """Samples of the onboarding window by category: [(name, samples)], window seconds."""
    p = subprocess.run(["perf", "script", "-i", perf_data, "-F", "comm,tid,time,ip,sym"],
                       capture_output=True, text=True)
    samples = []  # (time, comm, stack text)
    comm, t, stack = None, 0.0, []
    head = re.compile(r"^\s*(\S.*?)\s+(\d+)\s+([\d.]+):\s*$")
    for line in p.stdout.splitlines() + [""]:
        if not line.strip():
            if comm is not None:
                samples.append((t, comm, "\n".join(stack)))
            comm, stack = None, []
            continue
        m = head.match(line)
        if m and comm is None:
            comm, t = m.group(1), float(m.group(3))
        elif comm is not None:
            stack.append(line.strip())
    phase = [s[0] for s in samples if "run_claim_onboarding" in s[2]]
    if not phase:
        return [], 0.0, 0, []
    t0, t1 = min(phase), max(phase)
    counts, others = {}, {}
    total = 0
    for t, comm, st in samples:
        if t < t0 or t > t1:
            continue
        if not (comm.startswith("wvsim") or comm.startswith("python")):
            continue  # other processes on the machine
        total += 1
        name = next((n for n, f in CATEGORIES if f(comm, st)), None)
        if name is None:
            # perf cannot unwind out of these libc frames; OpenSSL 3.0 takes a read lock for each
            # algorithm and decoder lookup and allocates much (the flat profile shows its calls).
            frames = st.split("\n")
            leaf = frames[0].split(" ", 1)[-1] if frames else "?"
            outer = next((f.split(" ", 1)[-1] for f in frames if "wv::" in f), "(no wv:: frame)")
            name = "other"
            if outer == "(no wv:: frame)" and re.search(r"malloc|free|rwlock|memcpy|memmove|strcmp|tcache|chunk", leaf):
                name = "libc: malloc/free, rwlocks (callers not unwound; mostly OpenSSL's)"
            key = "%s | %s | %s" % (comm, leaf[:60], outer[:80])
            others[key] = others.get(key, 0) + 1
        counts[name] = counts.get(name, 0) + 1
    rows = sorted(counts.items(), key=lambda kv: -kv[1])
    top_others = sorted(others.items(), key=lambda kv: -kv[1])[:15]
    return rows, t1 - t0, total, top_others


# --- one row ---------------------------------------------------------------------------------

def run_row(a, work, kind, max_connecting, workers, wvsim, label):
    devices = a.devices if kind == "csr" else a.keys_devices
    key_type = {"csr": "ec-p256", "keys-ec": "ec-p256", "keys-rsa": "rsa-2048"}[kind]
    tag = "%s-%s-%d-%d" % (label, kind, max_connecting, workers)
    row_dir = os.path.join(work, tag)
    os.makedirs(row_dir)
    cfg = os.path.join(row_dir, "wvgate-fleet.yaml")
    write_config(cfg, workers, key_type, a.state == "sqlite")
    refuse = os.path.join(row_dir, "refuse.txt")
    with open(refuse, "w") as f:
        for n in range(devices):
            if str(n).endswith("13"):
                f.write("dev%d\n" % n)
    report = os.path.join(row_dir, "report.json")
    cmd = [wvsim, "--gateway-config", cfg, "--onboard", "claim:fleet",
           "--provision-key", "csr" if kind == "csr" else "keys", "--akid", "dev{n}",
           "--provision-param", "SerialNumber={n}", "--provision-refuse", refuse,
           "--devices", str(devices), "--max-connecting", str(max_connecting), "--duration", "1",
           "--json", report, "--quiet"]
    perf_data = os.path.join(row_dir, "perf.data")
    if a.perf:
        cmd = ["perf", "record", "-q", "-a", "-F", str(a.perf_freq), "--call-graph", "dwarf,32768", "-o", perf_data,
               "--"] + cmd
    before = loadavg()
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=row_dir)
    wall = time.time() - t0
    after = loadavg()
    if not os.path.exists(report):
        sys.exit("wvsim wrote no report (exit %d):\n%s" % (p.returncode, p.stderr[-3000:]))
    with open(report) as f:
        ob = json.load(f)["onboarding"]
    st = ob["steps_us"]
    row = {"wvsim": label, "kind": kind, "max_connecting": max_connecting, "hook_workers": workers, "devices": ob["devices"],
           "provisioned": ob["provisioned"], "devices_per_s": ob["devices_per_s"], "phase_s": ob["seconds"],
           "device_outcomes": ob["device_outcomes"], "mismatches": len(ob.get("mismatches", [])),
           "steps_ms": {k: {"p50": st[k]["p50"] / 1e3, "p99": st[k]["p99"] / 1e3} for k in STEPS if k in st},
           "hook_ms": {"p50": ob.get("hook_us", {}).get("p50", 0) / 1e3, "p99": ob.get("hook_us", {}).get("p99", 0) / 1e3},
           "total_ms": {"p50": ob["total_us"]["p50"] / 1e3, "p99": ob["total_us"]["p99"] / 1e3},
           "wvsim_exit": p.returncode, "wall_s": wall, "load_before": before, "load_after": after}
    reg = row["steps_ms"].get("register", {}).get("p50", 0)
    row["hook_share_of_register_p50"] = row["hook_ms"]["p50"] / reg if reg else 0
    if a.perf:
        cats, window, total, top_others = perf_breakdown(perf_data, ob["provisioned"], a.perf_freq)
        row["perf"] = {"window_s": window, "samples": total, "freq_hz": a.perf_freq,
                       "cpu_ms_per_device": total / a.perf_freq * 1e3 / max(1, ob["provisioned"]),
                       "categories": [{"what": n, "samples": c, "share": c / max(1, total)} for n, c in cats],
                       "other_top": [{"comm | leaf | outermost wv:: frame": k, "samples": c} for k, c in top_others]}
        os.remove(perf_data)
    return row


def print_row(r):
    s = r["steps_ms"]
    print("%s %-8s max-connecting %4d, hook workers %d: %d of %d provisioned, %.1f devices/s over %.1f s "
          "(load %s -> %s)%s" % (r["wvsim"], r["kind"], r["max_connecting"], r["hook_workers"], r["provisioned"], r["devices"],
                                r["devices_per_s"], r["phase_s"], r["load_before"], r["load_after"],
                                "" if r["mismatches"] == 0 else ", %d MISMATCHES" % r["mismatches"]))
    print("  %-10s %10s %10s" % ("step", "p50 ms", "p99 ms"))
    for k in STEPS:
        if k in s:
            print("  %-10s %10.1f %10.1f" % (k, s[k]["p50"], s[k]["p99"]))
    print("  %-10s %10.1f %10.1f   (in the gateway; %.0f%% of register's p50)" % (
        "hook", r["hook_ms"]["p50"], r["hook_ms"]["p99"], 100 * r["hook_share_of_register_p50"]))
    print("  %-10s %10.1f %10.1f" % ("total", r["total_ms"]["p50"], r["total_ms"]["p99"]))
    if "perf" in r:
        pf = r["perf"]
        print("  where the CPU goes (perf, %.1f s window, %d samples at %d Hz: %.2f CPU ms per provisioned device):"
              % (pf["window_s"], pf["samples"], pf["freq_hz"], pf["cpu_ms_per_device"]))
        for c in pf["categories"]:
            print("    %5.1f%%  %5.2f ms/device  %s" % (100 * c["share"], c["share"] * pf["cpu_ms_per_device"], c["what"]))
    sys.stdout.flush()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("build")
    p.add_argument("--devices", type=int, default=5000)
    p.add_argument("--rows", default="csr")
    p.add_argument("--max-connecting", default="100")
    p.add_argument("--hook-workers", default="2")
    p.add_argument("--keys-devices", type=int, default=300)
    p.add_argument("--state", choices=["sqlite", "memory"], default="sqlite")
    p.add_argument("--perf", action="store_true")
    p.add_argument("--perf-freq", type=int, default=200)
    p.add_argument("--before", help="another wvsim binary: each row runs with it first, side by side")
    p.add_argument("--json")
    a = p.parse_args()
    a.build = os.path.abspath(a.build)
    if a.perf and not shutil.which("perf"):
        sys.exit("bench_claim.py: --perf needs perf (Debian: apt-get install linux-perf)")
    binaries = [("this", os.path.join(a.build, "simulator", "wvsim"))]
    if a.before:
        binaries.insert(0, ("before", os.path.abspath(a.before)))
    rows = []
    work = tempfile.mkdtemp(prefix="bench-claim-")
    try:
        for kind, mc, w in itertools.product([k for k in a.rows.split(",") if k],
                                             [int(x) for x in a.max_connecting.split(",") if x],
                                             [int(x) for x in a.hook_workers.split(",") if x]):
            if kind not in ("csr", "keys-rsa", "keys-ec"):
                sys.exit("bench_claim.py: --rows %s: expected csr, keys-rsa or keys-ec" % kind)
            for label, wvsim in binaries:
                rows.append(run_row(a, work, kind, mc, w, wvsim, label))
                print_row(rows[-1])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"devices": a.devices, "rows": rows}, f, indent=2)


if __name__ == "__main__":
    main()
