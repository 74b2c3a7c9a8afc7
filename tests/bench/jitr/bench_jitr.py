#!/usr/bin/python3
"""JITR benchmark: a fleet onboards itself by just-in-time registration against wvsim's embedded
wvgate running the example activation Lambda (config/jitr: python, boto3 against the gateway's
control plane, asn1crypto) through the handler backend.

Per row it runs `wvsim --onboard jitr` (device certificates generated from a fresh CA, the
first attempt of each refused, retries with the device's backoff) and reports, from wvsim's
--json report: devices active, time to active p50/p90/p99/max (a device's first attempt to its
CONNACK 0), connect attempts per device, the wall time of the onboarding phase, and the
machine's load average before and after (uptime).

Usage: bench_jitr.py BUILD_DIR [--devices 1000] [--workers 2,4] [--connect-rate 100]
         [--retry-backoff 1,8] [--timeout 300] [--json out.json]
--workers: one row per Lambda worker-pool size (the rule's `workers:`), in the same run.
Not a test: figures vary with the machine and its load.
"""
import argparse, json, os, re, shutil, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def config_with_workers(src, dst, workers):
    with open(src) as f:
        text = f.read()
    text = re.sub(r"workers: \d+", "workers: %d" % workers, text)
    # The Lambda file stays where the config says, relative to config/jitr.
    text = text.replace('"python:jitr_activate.py"', '"python:%s"' % os.path.join(SOURCE, "config", "jitr", "jitr_activate.py"))
    with open(dst, "w") as f:
        f.write(text)


def run_row(a, work, workers):
    ca = os.path.join(work, "ca")
    subprocess.run([os.path.join(a.build, "tools", "wvca", "wvca"), "init", ca], check=True, stdout=subprocess.DEVNULL)
    cfg = os.path.join(work, "wvgate-jitr-%d.yaml" % workers)
    config_with_workers(os.path.join(SOURCE, "config", "jitr", "wvgate-jitr.yaml"), cfg, workers)
    report = os.path.join(work, "report-%d.json" % workers)
    cmd = [os.path.join(a.build, "simulator", "wvsim"), "--onboard", "jitr", "--gateway-config", cfg,
           "--device-ca", os.path.join(ca, "ca.crt"), "--device-ca-key", os.path.join(ca, "ca.key"),
           "--devices", str(a.devices), "--connect-rate", str(a.connect_rate), "--retry-backoff", a.retry_backoff,
           "--onboard-timeout", str(a.timeout), "--duration", "1",
           "--topic", "devices/{akid}/samp", "--will-topic", "devices/{akid}/end", "--json", report, "--quiet"]
    before = loadavg()
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.time() - t0
    after = loadavg()
    if not os.path.exists(report):
        sys.exit("wvsim wrote no report (exit %d):\n%s" % (p.returncode, p.stderr[-3000:]))
    with open(report) as f:
        ob = json.load(f)["onboarding"]
    t = ob["time_to_active_us"]
    at = ob.get("attempt_us", {})
    return {"workers": workers, "devices": ob["devices"], "active": ob["active"],
            "attempts_per_device": ob["attempts"] / max(1, ob["devices"]),
            "p50_s": t["p50"] / 1e6, "p90_s": t["p90"] / 1e6, "p99_s": t["p99"] / 1e6, "max_s": t["max"] / 1e6,
            "onboarding_s": ob["seconds"], "attempt_p50_s": at.get("p50", 0) / 1e6, "attempt_p99_s": at.get("p99", 0) / 1e6,
            "attempt_outcomes": ob["attempt_outcomes"], "activations_per_s": ob["active"] / max(1e-9, ob["seconds"]),
            "device_outcomes": ob["device_outcomes"], "wvsim_exit": p.returncode, "wall_s": wall,
            "load_before": before, "load_after": after}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("build")
    p.add_argument("--devices", type=int, default=1000)
    p.add_argument("--workers", default="2,4")
    p.add_argument("--connect-rate", type=float, default=100)
    p.add_argument("--retry-backoff", default="1,8")
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("--json")
    a = p.parse_args()
    a.build = os.path.abspath(a.build)
    rows = []
    work = tempfile.mkdtemp(prefix="bench-jitr-")
    try:
        for w in [int(x) for x in a.workers.split(",") if x]:
            rows.append(run_row(a, work, w))
            r = rows[-1]
            print("workers %d: %d/%d active, time to active p50 %.2f s p90 %.2f s p99 %.2f s max %.2f s, "
                  "%.2f attempts/device (one attempt p50 %.2f s p99 %.2f s), %.1f activations/s, onboarding %.1f s "
                  "(load %s -> %s)"
                  % (w, r["active"], r["devices"], r["p50_s"], r["p90_s"], r["p99_s"], r["max_s"],
                     r["attempts_per_device"], r["attempt_p50_s"], r["attempt_p99_s"], r["activations_per_s"], r["onboarding_s"], r["load_before"],
                     r["load_after"]), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"devices": a.devices, "connect_rate": a.connect_rate, "retry_backoff": a.retry_backoff,
                       "rows": rows}, f, indent=2)


if __name__ == "__main__":
    main()
