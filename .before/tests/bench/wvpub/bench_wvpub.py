#!/usr/bin/python3
"""wvpub against mosquitto_pub: wall time of one QoS 1 publish over TLS, as a shell loop runs it.

Starts mosquitto 2.0 on 127.0.0.1 as bench_wvsim.py does (TLS 1.3, an ECDSA P-256 server key
generated per run, a password file), then runs each program --runs times, alternating (mosquitto_pub, wvpub, any
--variant, then again), each run one process: connect, publish one message at QoS 1, wait for
the PUBACK, disconnect. Prints per program the median, p10, p90 and mean wall time, the median
of the paired differences against mosquitto_pub, the load average before and after, and the
command lines.

Usage: bench_wvpub.py WVPUB [--runs 31] [--variant LABEL=PATH[,extra,args]]... [--qos 1]
         [--v5] [--json out.json]
--variant adds another binary or flags to the same alternation (e.g. before=/tmp/wvpub_before,
or v5=build/tools/wvpub/wvpub,-V,5). --v5 runs every program with -V 5.
Not a test: figures vary with the machine; compare only rows of one run.
"""
import argparse, json, os, shutil, socket, statistics, subprocess, sys, tempfile, time

# The simulator benchmark's lab: a per-run ECDSA CA, mosquitto with TLS 1.3 and a password file.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "simulator"))
from bench_wvsim import PASSWORD, USER, free_port, make_ca, start_mosquitto  # noqa: E402


def pct(xs, q):
    xs = sorted(xs); return xs[min(len(xs) - 1, int(q * len(xs)))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("wvpub")
    ap.add_argument("--runs", type=int, default=31)
    ap.add_argument("--qos", default="1")
    ap.add_argument("--v5", action="store_true")
    ap.add_argument("--variant", action="append", default=[])
    ap.add_argument("--json")
    a = ap.parse_args()
    mosquitto_pub = shutil.which("mosquitto_pub") or sys.exit("mosquitto_pub not installed (apt-get install mosquitto-clients)")

    d = tempfile.mkdtemp(prefix="bench_wvpub-")
    make_ca(d)
    port = free_port()
    broker = start_mosquitto(d, port)
    common = ["-h", "127.0.0.1", "-p", str(port), "--cafile", f"{d}/ca.crt", "-u", USER, "-P", PASSWORD,
              "-t", "bench/wvpub", "-m", "hello", "-q", a.qos] + (["-V", "5"] if a.v5 else [])
    programs = [("mosquitto_pub", [mosquitto_pub] + common), ("wvpub", [a.wvpub] + common)]
    for v in a.variant:
        label, _, rest = v.partition("=")
        path, *extra = rest.split(",")
        programs.append((label, [path] + common + extra))
    times = {label: [] for label, _ in programs}
    load_before = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    try:
        for cmd in [c for _, c in programs]:  # one warm-up each (page cache, broker)
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        for i in range(a.runs):
            order = programs if i % 2 == 0 else list(reversed(programs))  # neither always goes first
            for label, cmd in order:
                t0 = time.perf_counter()
                r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                dt = time.perf_counter() - t0
                if r.returncode != 0: sys.exit(f"{label} failed ({r.returncode}): {r.stderr.decode()}")
                times[label].append(dt * 1000)
    finally:
        broker.terminate(); broker.wait()
        shutil.rmtree(d, ignore_errors=True)
    load_after = os.getloadavg()

    base = times["mosquitto_pub"]
    rows = []
    print(f"{started}, {a.runs} alternating runs each, QoS {a.qos}{', MQTT 5' if a.v5 else ''}, TLS to mosquitto on 127.0.0.1")
    print(f"load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
          f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    print(f"{'program':<16}{'median ms':>10}{'p10':>8}{'p90':>8}{'mean':>8}{'paired diff vs mosquitto_pub (median)':>40}")
    for label, cmd in programs:
        t = times[label]
        diff = statistics.median([x - y for x, y in zip(t, base)])
        rows.append({"program": label, "command": cmd, "median_ms": statistics.median(t), "p10_ms": pct(t, 0.1),
                     "p90_ms": pct(t, 0.9), "mean_ms": statistics.mean(t), "paired_diff_median_ms": diff})
        print(f"{label:<16}{statistics.median(t):>10.1f}{pct(t, 0.1):>8.1f}{pct(t, 0.9):>8.1f}{statistics.mean(t):>8.1f}"
              f"{diff:>+40.1f}")
    for label, cmd in programs: print(f"  {label}: {' '.join(cmd)}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"started": started, "runs": a.runs, "load_before": load_before, "load_after": load_after,
                       "rows": rows}, f, indent=2)


if __name__ == "__main__":
    main()
