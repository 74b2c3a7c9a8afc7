#!/usr/bin/env python3
"""The repository's Dockerfile builds what config/k8s runs (no Docker engine needed).

usage: dockerfile_test.py --source SRC --build BUILD

Checks, each printed:
  - two stages on Debian 12: a build stage and a runtime stage that copies from it;
  - the build stage builds every program the Job's command calls, and those CMake targets exist;
  - the runtime stage puts each of them on the default PATH (/usr/local/bin), from the path the
    build stage's `build/` folder has it at (the same relative path as in BUILD);
  - the handler runners are copied to where the build stage's source tree had them (the handler
    backend looks there: WV_HANDLER_RUNNER_DIR);
  - every shared library the programs link here (ldd on BUILD's binaries) comes from a package
    the runtime stage installs or from debian:12-slim itself (dpkg -S), and every package it
    installs exists in Debian 12 (apt-cache, when this machine is Debian);
  - the Job's image name is the tag the Dockerfile's and config/k8s/README.md's `docker build`
    give, and its pods run as the image's user.
Exit 0 all held, 1 one did not (each failure says which and why).
"""
import argparse
import os
import re
import shlex
import subprocess
import sys

# In debian:12-slim already (Priority: required and what apt itself needs).
SLIM_BASE = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g", "libzstd1", "liblzma5", "libbz2-1.0", "libcrypt1",
             "libselinux1", "libpcre2-8-0", "libgnutls30", "libsystemd0", "libudev1", "libtinfo6"}

failures = []


def check(ok, what, why=""):
    print("%s %s%s" % ("ok  " if ok else "FAIL", what, "" if ok else ": " + why), flush=True)
    if not ok:
        failures.append(what)


def stages(dockerfile):
    """[(name, base image, [(instruction, argument text)])], continuation lines joined."""
    out, logical, pending = [], [], ""
    for line in open(dockerfile, encoding="utf-8").read().splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    for line in logical:
        instr, _, arg = line.partition(" ")
        instr = instr.upper()
        if instr == "FROM":
            m = re.match(r"(\S+)(?:\s+AS\s+(\S+))?", arg.strip(), re.I)
            out.append((m.group(2) or str(len(out)), m.group(1), []))
        elif out:
            out[-1][2].append((instr, arg.strip()))
    return out


def job_programs(job_yaml):
    """Programs the Job's container runs: the first word of each shell command line."""
    text = open(job_yaml, encoding="utf-8").read()
    m = re.search(r"args:\s*\n\s*-\s*>-?\s*\n((?:\s{14,}.*\n)+)", text)
    command = " ".join(l.strip() for l in m.group(1).splitlines()) if m else ""
    return sorted({w for w in re.findall(r"(?:^|[;&|]\s*)([a-z][\w-]*)", command)}), text


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--source", required=True)
    p.add_argument("--build", required=True)
    a = p.parse_args()
    src, build = os.path.abspath(a.source), os.path.abspath(a.build)
    st = stages(os.path.join(src, "Dockerfile"))

    check(len(st) >= 2, "two stages or more", "found %d" % len(st))
    if len(st) < 2:
        return 1
    build_name, build_base, build_steps = st[0]
    run_name, run_base, run_steps = st[-1]
    check(re.fullmatch(r"debian:(12|bookworm)(-slim)?(@.*)?", build_base) is not None, "build stage on Debian 12",
          build_base)
    check(re.fullmatch(r"debian:(12|bookworm)(-slim)?(@.*)?", run_base) is not None, "runtime stage on Debian 12",
          run_base)
    workdir = next((arg for i, arg in build_steps if i == "WORKDIR"), "/")
    runs = " ".join(arg for i, arg in build_steps if i == "RUN")
    check("install-deps.sh" in runs, "build stage installs with scripts/install-deps.sh (one package list)")

    programs, job_text = job_programs(os.path.join(src, "config/k8s/wvsim-job.yaml"))
    check("wvsim" in programs, "the Job runs wvsim", "programs found: %s" % programs)
    targets = set(re.findall(r"--target\s+((?:[\w-]+\s*)+)", runs)[0].split()) if "--target" in runs else set()
    copies = [shlex.split(arg) for i, arg in run_steps if i == "COPY"]
    from_build = [c for c in copies if c and c[0] == "--from=" + build_name]
    for prog in sorted(set(programs) | {"wvgate"}):
        check(prog in targets, "build stage builds %s" % prog, "--target list: %s" % sorted(targets))
        cmake_has = subprocess.run(["grep", "-rqs", "--include=CMakeLists.txt", r"add_executable(%s\b" % prog, src])
        check(cmake_has.returncode == 0, "CMake target %s exists" % prog)
        dest = [c for c in from_build if c[-1] in ("/usr/local/bin/" + prog, "/usr/local/bin/")
                and any(os.path.basename(x) == prog for x in c[1:-1])]
        check(bool(dest), "runtime stage puts %s in /usr/local/bin" % prog, "COPY lines: %s" % from_build)
        for c in dest:
            built = [x for x in c[1:-1] if os.path.basename(x) == prog][0]
            rel = os.path.relpath(built, os.path.join(workdir, "build"))
            check(os.path.isfile(os.path.join(build, rel)), "%s is where the build puts %s" % (built, prog),
                  "no %s in %s" % (rel, build))

    runner_src = os.path.join(workdir, "src/functions/handler/runners")
    check(any(c[1:-1] == [runner_src] and c[-1].rstrip("/") == runner_src for c in from_build),
          "handler runners copied to %s (WV_HANDLER_RUNNER_DIR of the build stage)" % runner_src,
          "COPY lines: %s" % from_build)
    check(os.path.isfile(os.path.join(src, "src/functions/handler/runners/wv_runner.py")),
          "the runners exist in the source tree")

    installed = set()
    for i, arg in run_steps:
        if i == "RUN":
            for m in re.finditer(r"apt-get install\s+((?:-\S+\s+)*)([^&|;]+)", arg):
                installed |= {w for w in m.group(2).split() if not w.startswith("-")}
    check(bool(installed), "runtime stage installs packages", "no apt-get install found")
    binaries = [os.path.join(build, "simulator/wvsim"), os.path.join(build, "src/gateway/main/wvgate")]
    linked = []  # (binary, library path)
    for b in binaries:
        if not os.path.isfile(b):
            check(False, "built %s to inspect" % b, "build it first (cmake --build build --target wvsim wvgate)")
            continue
        ldd = subprocess.run(["ldd", b], capture_output=True, text=True).stdout
        linked += [(b, lib) for lib in re.findall(r"=>\s+(\S+)", ldd)]
    # One dpkg -S for all (each call reads the whole database): "pkg:arch: /path" per line.
    owners = {}
    paths = {lib for _, lib in linked} | {os.path.realpath(lib) for _, lib in linked}
    out = subprocess.run(["dpkg", "-S"] + sorted(paths), capture_output=True, text=True).stdout
    for line in out.splitlines():
        pkg, _, path = line.partition(": ")
        owners[path.strip()] = pkg.split(":")[0].strip()
    for b, lib in linked:
        # A sanitizer build (make test-sanitize) links the sanitizer runtimes; the image is never
        # built that way, so they are not the runtime stage's business.
        if re.search(r"/lib(asan|ubsan|tsan|lsan)\.so", lib):
            continue
        # usrmerge and symlinks: dpkg knows one of the path ldd gives and the file it points to
        real = os.path.realpath(lib)
        pkg = (owners.get(lib) or owners.get(real) or owners.get(real.replace("/usr/lib/", "/lib/", 1))
               or owners.get(lib.replace("/usr/lib/", "/lib/", 1)) or "")
        check(pkg in installed or pkg in SLIM_BASE, "%s: %s comes from %s" % (os.path.basename(b), lib, pkg or "?"),
              "package %s is neither installed by the runtime stage (%s) nor in debian:12-slim"
              % (pkg or "unknown", " ".join(sorted(installed))))
    if os.path.exists("/etc/debian_version") and open("/etc/debian_version").read().startswith("12"):
        out = subprocess.run(["apt-cache", "show", "--no-all-versions"] + sorted(installed), capture_output=True,
                             text=True).stdout
        known = set(re.findall(r"^Package: (\S+)$", out, re.M))
        for pkg in sorted(installed):
            check(pkg in known, "Debian 12 has package %s" % pkg, "apt-cache show does not know it")
    else:
        print("skipped: package names not checked (this machine is not Debian 12)", flush=True)

    image = re.search(r"image:\s*(\S+)", job_text).group(1)
    tags = re.findall(r"docker build -t (\S+) \.", open(os.path.join(src, "Dockerfile")).read() +
                      open(os.path.join(src, "config/k8s/README.md")).read())
    check(bool(tags) and all(t == image for t in tags), "the Job's image %s is the tag docker build gives" % image,
          "tags: %s" % tags)
    user = next((arg for i, arg in run_steps if i == "USER"), "root").split(":")[0]
    m = re.search(r"runAsUser:\s*(\d+)", job_text)
    check(m is not None and m.group(1) == user, "the Job's pods run as the image's user %s" % user,
          "runAsUser %s" % (m.group(1) if m else "unset"))

    print("%d check(s) failed" % len(failures) if failures else "all checks held", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
