#!/usr/bin/env python3
"""Every command in README.md and the markdown files it links runs as written.

usage: doc_commands.py --source SRC --build BUILD [--list] [--only FILE|FILE:LINE|help-examples]

What it reads: README.md, then every markdown file a relative link leads to, recursively,
inside the repository. In each it
  - checks every relative link (and every `../path` in backticks) names a file inside the
    repository that exists;
  - (and in every config/**/*.yaml, the example configs users copy) checks that each
    `key: some/path.ext` value, commented out or not, names a file that exists (.yaml .yml
    .json .py .js .csv .md; not certificates and keys, which users bring): relative to the
    YAML's folder, as wvgate and the rules engine read them; for wvsim*.yaml, whose values
    are command-line flags, relative to the repository (where its comments say to run it);
  - runs every line of every ```sh / ```bash / ```shell block, in order (a line ending in a
    backslash continues on the next; comment-only lines are skipped).

Where the commands run, so that they run as written (each markdown file, and the --help
examples, in its own process with its own scratch clone and namespace, side by side; a file's
commands in order; README.md's sections each on their own, see SPLIT_BY_SECTION):
  - a scratch copy of the repository's tracked files ("a fresh clone") with `build` pointing
    at BUILD, as the working directory; the tools' build folders on PATH (README.md says so
    too, for the bare `wvgate`, `wvpub`, ... names);
  - a private network namespace (unshare --net --mount, as root or through a user namespace):
    the ports the docs name (4443, 8443, 9464, 443) never meet another test's, and nothing
    reaches the internet;
  - the docs' placeholder AWS IoT endpoints (`<name>-ats.iot.<region>.amazonaws.com`) resolve
    to 127.0.0.1 (a private /etc/hosts), where a stand-in wvgate listens on 443: a certificate
    for every such name, signed by a CA the scratch folder holds as `AmazonRootCA1.pem`, and
    an allow-all authorizer under every authorizer name the docs' commands use.

The "Examples:" of every `TOOL --help` that README.md points to are run the same way (an
example's description, after two or more spaces, is not part of it), except those that read a
file of the user's that the scratch folder does not have (skipped, listed).

A command that starts a server (wvgate with no subcommand, mosquitto, the Lambda Invoke shim)
runs in the background until its port answers; it is stopped (SIGTERM) at the next server
command or at the end of its block, and must then exit 0. Every other command must exit 0
within 60 s.

Shortened, and printed as run (load tests as written take minutes):
  --duration N > 3  -> --duration 3        --devices N > 20 -> --devices 20
  --messages N > 3  -> --messages 3        --connect-rate N > 100 -> --connect-rate 100
Skipped, each listed with its reason at the end: commands matching SKIP below (the build and
the whole test suite, benchmarks, a cluster, Docker, AWS credentials, <placeholders>).

Exit codes: 0 every command ran (skips listed), 1 a command or a link failed, 77 (ctest's
"skipped") no network namespace could be made.
"""
import argparse
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

# (pattern on the command, why it is not run here). First match wins.
SKIP = [
    (r"^(sudo )?make( |$)|(^|\s)(\S*/)?install-deps\.sh", "builds and runs the whole suite (ctest runs this test inside it)"),
    (r"(^|/)bench_\w+|\bbench\.sh\b", "a benchmark: minutes of load, run by hand (make bench)"),
    (r"(^|\s)kubectl\s", "needs a Kubernetes cluster"),
    (r"(^|\s)docker\s", "needs a Docker engine (none on the machine that runs the tests)"),
    (r"(^|\s)aws\s|lambda\.[a-z0-9-]+\.amazonaws\.com", "needs AWS credentials"),
    (r"<[A-Za-z][^<>]*>", "has a <placeholder> for you to fill in"),
    (r"^wvsim merge /reports/", "needs the shard reports of a cluster run"),
]
SHORTEN = [("--duration", 3), ("--devices", 20), ("--messages", 3), ("--connect-rate", 100)]
SERVERS = {"wvgate", "mosquitto", "lambda_invoke_shim.py"}
AWS_HOST = re.compile(r"\b[a-z0-9]+-ats\.iot\.[a-z0-9-]+\.amazonaws\.com\b")
TOOL_DIRS = ["simulator", "src/gateway/main", "authorizer_clients/wvauthz", "tools/wvpub", "tools/wvdecode",
             "tools/wvca"]
COMMAND_TIMEOUT_S = 60
# Files whose sections (## and ### headings) are separate walkthroughs: no file one section's
# commands write is read by another's. Each section is its own unit ("README.md:158", the line of
# its heading), so they run side by side: README.md's commands one after another took 48 s, the
# longest test of the suite. `--only README.md` still runs them all in order.
SPLIT_BY_SECTION = {"README.md"}


def log(*a):
    print(*a, flush=True)


# ---- reading the docs -------------------------------------------------------------------

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
TICKED_UP = re.compile(r"`(\.\./[^`\s]+)`")


def doc_files(source):
    """README.md and the markdown files it links, recursively, in the order found."""
    order, seen, problems = [], set(), []
    todo = ["README.md"]
    while todo:
        rel = todo.pop(0)
        if rel in seen:
            continue
        seen.add(rel)
        order.append(rel)
        path = os.path.join(source, rel)
        text = open(path, encoding="utf-8").read()
        for lineno, line in enumerate(text.splitlines(), 1):
            targets = [m.group(1) for m in LINK.finditer(line)] + [m.group(1) for m in TICKED_UP.finditer(line)]
            for target in targets:
                if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                    continue
                target = target.split("#")[0]
                resolved = os.path.normpath(os.path.join(os.path.dirname(rel), target))
                where = "%s:%d" % (rel, lineno)
                if resolved.startswith(".."):
                    problems.append("%s: links to %s, outside the repository" % (where, target))
                elif not os.path.exists(os.path.join(source, resolved)):
                    problems.append("%s: links to %s, which does not exist" % (where, target))
                elif resolved.endswith(".md"):
                    todo.append(resolved)
    return order, problems


def commands(source, rel):
    """(line number, block number, command) for every shell line in fenced sh blocks."""
    out, block, fence, pending, start = [], 0, None, "", 0
    for lineno, line in enumerate(open(os.path.join(source, rel), encoding="utf-8").read().splitlines(), 1):
        stripped = line.strip()
        if fence is None:
            m = re.match(r"^(```+)\s*(sh|bash|shell)\s*$", stripped)
            if m:
                fence, block = m.group(1), block + 1
            continue
        if stripped.startswith(fence) and stripped.strip("`") == "":
            fence = None
            continue
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if not pending:
            start = lineno
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        out.append((start, block, pending + stripped))
        pending = ""
    return out


def section_starts(source, rel):
    """Line numbers of the ## and ### headings outside fenced blocks (1 stands for the top)."""
    starts, fence = [1], None
    for lineno, line in enumerate(open(os.path.join(source, rel), encoding="utf-8").read().splitlines(), 1):
        stripped = line.strip()
        m = re.match(r"^(```+)", stripped)
        if m and fence is None:
            fence = m.group(1)
        elif fence is not None and stripped.startswith(fence) and stripped.strip("`") == "":
            fence = None
        elif fence is None and re.match(r"^#{2,3} ", line):
            starts.append(lineno)
    return starts


def units_of(source, files):
    """The markdown files, those in SPLIT_BY_SECTION as one unit per section with commands."""
    units = []
    for rel in files:
        if rel not in SPLIT_BY_SECTION:
            units.append(rel)
            continue
        starts = section_starts(source, rel)
        used = sorted({max(s for s in starts if s <= lineno) for lineno, _, _ in commands(source, rel)})
        units += ["%s:%d" % (rel, s) for s in used]
    return units


def unit_file(unit):
    return unit.rsplit(":", 1)[0] if re.search(r":\d+$", unit) else unit


def unit_commands(source, unit):
    """A unit's commands: a whole file's, or (FILE:LINE) those of the section whose heading is there."""
    rel = unit_file(unit)
    cmds = commands(source, rel)
    if rel == unit:
        return cmds
    start = int(unit.rsplit(":", 1)[1])
    later = [s for s in section_starts(source, rel) if s > start]
    end = later[0] if later else float("inf")
    return [c for c in cmds if start <= c[0] < end]


CONFIG_PATH = re.compile(r"^\s*#?\s*-?\s*[A-Za-z_][\w-]*:\s*[\"']?(?:python:|node:)?"
                         r"([\w.-]*/[\w./-]+\.(?:yaml|yml|json|py|js|csv|md))\b")


def config_path_problems(source):
    problems = []
    for root, _, names in os.walk(os.path.join(source, "config")):
        for n in sorted(names):
            if not n.endswith((".yaml", ".yml")):
                continue
            path = os.path.join(root, n)
            rel = os.path.relpath(path, source)
            for lineno, line in enumerate(open(path, encoding="utf-8"), 1):
                m = CONFIG_PATH.match(line)
                if not m or m.group(1).startswith("/"):
                    continue
                target = m.group(1)
                base = source if n.startswith("wvsim") else root
                if not os.path.exists(os.path.join(base, target)):
                    problems.append("%s:%d: %s does not exist (relative to %s)"
                                    % (rel, lineno, target, "the repository" if base == source else "this file"))
    return problems


HELP_REF = re.compile(r"`(wv[a-z]+) --help`")


def help_examples(source, work, env):
    """(label, block, command) for each example in the --help of the tools README.md names."""
    tools = []
    for t in HELP_REF.findall(open(os.path.join(source, "README.md"), encoding="utf-8").read()):
        if t not in tools:
            tools.append(t)
    out = []
    for block, tool in enumerate(tools, 1000):
        text = subprocess.run([tool, "--help"], cwd=work, env=env, capture_output=True, text=True).stdout
        if "Examples:" not in text:
            continue
        pending, indent = "", None
        for line in text.split("Examples:", 1)[1].splitlines():
            # A line indented past the examples' own column continues the description above it.
            depth = len(line) - len(line.lstrip(" "))
            if line.strip() and indent is not None and depth > indent + 4 and not pending:
                continue
            if line.strip() and indent is None:
                indent = depth
            if not line.strip():
                if pending:
                    out.append(("%s --help" % tool, block, pending.strip()))
                    pending = ""
                if out and out[-1][0] == "%s --help" % tool:
                    break
                continue
            if not line.startswith(" ") and not pending:
                break
            body = line.strip()
            if body.endswith("\\"):
                pending += body[:-1] + " "
                continue
            cmd = re.split(r"\s{2,}", body)[0]
            out.append(("%s --help" % tool, block, (pending + cmd).strip()))
            pending = ""
    return out


def missing_input(cmd, work):
    """A relative file the command reads that is not there (the user's own), else None."""
    w = words(cmd)
    for i, word in enumerate(w):
        if i > 0 and (w[i - 1] in (">", ">>") or w[i - 1].startswith(("--json", "--html", "--out"))):
            continue
        if re.match(r"^[\w./-]+\.(bin|jsonl|txtpb|b64|pb|json|yaml|csv)$", word) and not word.startswith("/") \
                and not os.path.exists(os.path.join(work, word)):
            return word
    return None


# ---- what a command is ----------------------------------------------------------------

def words(cmd):
    try:
        return shlex.split(cmd, comments=True)
    except ValueError:
        return cmd.split()


def program(cmd):
    w = words(cmd)
    while w and re.match(r"^[A-Z_][A-Z0-9_]*=", w[0]):
        w = w[1:]
    return (os.path.basename(w[0]) if w else ""), w[1:]


def is_server(cmd):
    prog, args = program(cmd)
    if prog not in SERVERS or "|" in cmd:
        return False
    if prog == "wvgate":  # a first word that is not a flag is a subcommand (check-config, registry-export ...)
        return not (args and (not args[0].startswith("-") or args[0] in ("--help", "-h")))
    return True


def background_stop(cmd):
    """`kill %1` and the like: the doc stops the server it started with `&`."""
    return re.match(r"^kill\s+%\d*\s*$", cmd.split("#", 1)[0].strip()) is not None


def skip_reason(cmd):
    for pattern, why in SKIP:
        if re.search(pattern, cmd):
            return why
    return None


def shortened(cmd):
    for flag, cap in SHORTEN:
        cmd = re.sub(r"(%s[ =])(\d+)\b" % re.escape(flag),
                     lambda m: m.group(1) + str(min(int(m.group(2)), cap)), cmd)
    return cmd


def authorizer_names(cmds):
    names = set()
    for _, _, cmd in cmds:
        names.update(re.findall(r"x-amz-customauthorizer-name=([A-Za-z0-9_-]+)", cmd))
        names.update(re.findall(r"--authorizer[ =]([A-Za-z0-9_-]+)", cmd))
    return sorted(names)


# ---- the stage ------------------------------------------------------------------------

def in_namespace():
    return os.environ.get("WV_DOC_NAMESPACE") == "1"


def reexec_in_namespace():
    """Runs this script again in a private network + mount namespace; returns its exit code."""
    env = dict(os.environ, WV_DOC_NAMESPACE="1")
    for prefix in (["unshare", "--net", "--mount"], ["unshare", "--user", "--map-root-user", "--net", "--mount"]):
        probe = subprocess.run(prefix + ["true"], capture_output=True)
        if probe.returncode == 0:
            return subprocess.run(prefix + [sys.executable] + sys.argv, env=env).returncode
    log("SKIPPED: every doc command: no private network namespace (unshare --net --mount needs root or user "
        "namespaces): %s" % probe.stderr.decode(errors="replace").strip())
    return 77


def setup_namespace(hosts):
    if not shutil.which("ip"):
        raise SystemExit("doc commands: `ip` (Debian: iproute2) is needed to bring up loopback in the namespace")
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    hosts_file = tempfile.NamedTemporaryFile("w", prefix="wv-doc-hosts-", delete=False)
    hosts_file.write("127.0.0.1 localhost\n::1 localhost ip6-localhost\n")
    for h in hosts:
        hosts_file.write("127.0.0.1 %s\n" % h)
    hosts_file.close()
    subprocess.run(["mount", "--bind", hosts_file.name, "/etc/hosts"], check=True)


def scratch_clone(source, build):
    work = tempfile.mkdtemp(prefix="wv-doc-clone-")
    try:
        files = subprocess.run(["git", "-C", source, "ls-files", "-z"], capture_output=True, check=True).stdout
        names = [f for f in files.decode().split("\0") if f]
    except (subprocess.CalledProcessError, FileNotFoundError):
        names = []
        for root, dirs, fs in os.walk(source):
            dirs[:] = [d for d in dirs if not d.startswith(("build", ".git"))]
            names += [os.path.relpath(os.path.join(root, f), source) for f in fs]
    for n in names:
        src = os.path.join(source, n)
        if not os.path.isfile(src):
            continue  # deleted in the working tree
        dst = os.path.join(work, n)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)
    os.symlink(os.path.abspath(build), os.path.join(work, "build"))
    return work


def wait_port(host, port, deadline):
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


class Server:
    """A background command; ready when the ports it announces (or names) accept."""

    def __init__(self, cmd, cwd, env, label):
        self.cmd, self.label = cmd, label
        self.out = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(["bash", "-c", "exec " + cmd], cwd=cwd, env=env, stdout=self.out,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def output(self):
        self.out.seek(0)
        return self.out.read().decode(errors="replace")

    def wait_ready(self, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return "exited with %d before it was ready:\n%s" % (self.proc.returncode, self.output())
            ports = [(a, int(p)) for a, p in re.findall(r"listening on ([0-9.]+):(\d+)", self.output())]
            if not ports:
                m = re.search(r"(?:-p|--port)[ =](\d+)", self.cmd)
                ports = [("127.0.0.1", int(m.group(1)))] if m and "wvgate" not in self.cmd else []
            if ports and all(wait_port(a, p, deadline) for a, p in ports):
                return None
            time.sleep(0.1)
        return "not ready after %d s:\n%s" % (timeout, self.output())

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
                return "did not stop within 10 s of SIGTERM:\n" + self.output()
        if self.proc.returncode != 0:
            return "exited with %d after SIGTERM:\n%s" % (self.proc.returncode, self.output())
        return None


def standin_aws(work, env, hosts, authorizers):
    """wvgate on 127.0.0.1:443 answering for the docs' placeholder AWS endpoints."""
    ca = os.path.join(work, ".standin-aws")
    args = ["wvca", "init", ca] + sum((["--host", h] for h in hosts), [])
    subprocess.run(args, env=env, check=True, capture_output=True)
    shutil.copy(os.path.join(ca, "ca.crt"), os.path.join(work, "AmazonRootCA1.pem"))
    with open(os.path.join(ca, "allow.py"), "w") as f:
        f.write("import re\n"
                "def lambda_handler(event, context):\n"
                "    cid = event['protocolData']['mqtt'].get('clientId', 'device')\n"
                "    return {'isAuthenticated': True, 'principalId': re.sub('[^A-Za-z0-9]', '', cid) or 'device',\n"
                "            'disconnectAfterInSeconds': 86400, 'refreshAfterInSeconds': 86400,\n"
                "            'policyDocuments': [{'Version': '2012-10-17', 'Statement': [\n"
                "                {'Effect': 'Allow', 'Action': 'iot:*', 'Resource': '*'}]}]}\n")
    region = AWS_HOST.search(hosts[0]).group(0).split(".")[2]
    lines = ["region: %s" % region, "endpoint_host: %s" % hosts[0], "log: {level: warn}", "metrics: {port: 0}",
             "limits: {connects_per_s_per_client_id: 0}   # the docs reconnect one client id at once",
             "listeners:", "  - {name: aws-443, kind: aws-443, address: 127.0.0.1, port: 443, "
             "cert: server.crt, key: server.key}", "default_authorizer: %s" % (authorizers or ["standin"])[0],
             "authorizers:"]
    for name in authorizers or ["standin"]:
        lines.append("  - {name: %s, backend: handler, handler: 'python:allow.py', workers: 1}" % name)
    with open(os.path.join(ca, "standin.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    server = Server("wvgate --config %s" % shlex.quote(os.path.join(ca, "standin.yaml")), work, env, "stand-in AWS")
    problem = server.wait_ready()
    if problem:
        raise RuntimeError("the stand-in AWS IoT endpoint did not start: " + problem)
    return server


# ---- running --------------------------------------------------------------------------

HELP_UNIT = "help-examples"


def run(args):
    source, build = os.path.abspath(args.source), os.path.abspath(args.build)
    files, failures = doc_files(source)
    failures += config_path_problems(source)
    if args.list:
        for f in failures:
            log("FAILED " + f)
        for f in files:
            for lineno, block, cmd in commands(source, f):
                why = skip_reason(cmd)
                log("%s:%d [block %d] %s%s" % (f, lineno, block, cmd, "   (skip: %s)" % why if why else ""))
        return 0
    units = units_of(source, files) + [HELP_UNIT]
    if args.only:
        if args.only not in units and args.only not in files:
            log("doc commands: --only %s: not a markdown file README.md leads to, nor %s; these are:\n  %s"
                % (args.only, HELP_UNIT, "\n  ".join(units)))
            return 2
        if not in_namespace():
            return reexec_in_namespace()
        return run_unit(source, build, args.only)
    return run_all(args, units, failures)


def run_all(args, units, failures):
    """Each unit (a markdown file, the --help examples) in its own process, namespace and scratch
    clone, side by side: they mostly wait (a fleet's --duration, a retry's sleep), one after
    another they took 75-115 s. A doc's commands still run in order, as a reader runs them."""
    # A file without commands needs no scratch clone: only its links, checked here.
    units = [u for u in units if u == HELP_UNIT or unit_commands(os.path.abspath(args.source), u)]
    procs = []
    for unit in units:
        out = tempfile.TemporaryFile()
        cmd = [sys.executable, os.path.abspath(__file__), "--source", args.source, "--build", args.build, "--only", unit]
        procs.append((unit, out, subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)))
    codes = []
    for unit, out, proc in procs:
        codes.append(proc.wait())
        out.seek(0)
        log("\n######## %s (exit %d) ########" % (unit, codes[-1]))
        sys.stdout.write(out.read().decode(errors="replace"))
    for f in failures:
        log("FAILED link: " + f)
    if all(c == 77 for c in codes):
        return 77
    bad = [u for u, c in zip(units, codes) if c != 0]
    log("\n==== doc commands, all %d units: %s ====" % (len(units), "failed: " + ", ".join(bad) if bad else "ok"))
    return 1 if bad or failures else 0


def run_unit(source, build, unit):
    """Runs one unit's commands in this (private) namespace; links are checked by the whole run."""
    failures = []
    per_file = [] if unit == HELP_UNIT else [(unit_file(unit), unit_commands(source, unit))]
    work = scratch_clone(source, build)
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([os.path.join(build, d) for d in TOOL_DIRS] + [env.get("PATH", "")])
    env["HOME"] = work
    if unit == HELP_UNIT:
        examples = help_examples(source, work, env)
        log("%d examples from the tools' --help" % len(examples))
        per_file.append(("--help examples", [(label, blk, cmd) for label, blk, cmd in examples]))
    all_cmds = [c for _, cmds in per_file for c in cmds]
    hosts = sorted({h for _, _, cmd in all_cmds if not skip_reason(cmd) for h in AWS_HOST.findall(cmd)})
    setup_namespace(hosts)
    log("doc commands: %s, %d commands; scratch clone %s (build -> %s); private network namespace"
        % (unit, len(all_cmds), work, build))

    standin = None
    skipped, ran = [], 0
    try:
        if hosts:
            standin = standin_aws(work, env, hosts, authorizer_names(all_cmds))
            log("stand-in AWS IoT endpoint on 127.0.0.1:443 for %s" % ", ".join(hosts))
        for rel, cmds in per_file:
            servers, block = [], None

            def stop_servers():
                for s in servers:
                    problem = s.stop()
                    if problem:
                        failures.append("%s: %s %s" % (s.label, s.cmd, problem))
                servers.clear()

            for lineno, blk, cmd in cmds:
                label = lineno if isinstance(lineno, str) else "%s:%d" % (rel, lineno)
                if blk != block:
                    stop_servers()
                    block = blk
                why = skip_reason(cmd)
                if not why and isinstance(lineno, str) and missing_input(cmd, work):
                    why = "reads %s, a file of yours" % missing_input(cmd, work)
                if why:
                    skipped.append((label, cmd, why))
                    continue
                as_run = shortened(cmd)
                # A server the doc starts with `&` (to go on in the same shell) is run as a server
                # here too; its `kill %1` is the harness stopping it.
                bare = re.sub(r"\s*&\s*(#.*)?$", "", as_run)
                if bare != as_run and is_server(bare):
                    as_run = bare
                ran += 1
                if background_stop(as_run):
                    log("\n$ %s   (%s: stops the block's servers)" % (as_run, label))
                    stop_servers()
                    continue
                log("\n$ %s   (%s)" % (as_run, label) if as_run == cmd else
                    "\n$ %s   (%s, shortened from: %s)" % (as_run, label, cmd))
                if is_server(as_run):
                    stop_servers()
                    s = Server(as_run, work, env, label)
                    problem = s.wait_ready()
                    if problem:
                        failures.append("%s: %s\n  server %s" % (label, cmd, problem))
                        s.stop()
                    else:
                        log("  (server ready, runs in the background until the next server or the block's end)")
                        servers.append(s)
                    continue
                t0 = time.monotonic()
                try:
                    r = subprocess.run(["bash", "-o", "pipefail", "-c", as_run], cwd=work, env=env,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=COMMAND_TIMEOUT_S)
                    out, rc = r.stdout.decode(errors="replace"), r.returncode
                except subprocess.TimeoutExpired as e:
                    out, rc = (e.stdout or b"").decode(errors="replace"), "timeout after %d s" % COMMAND_TIMEOUT_S
                tail = "\n".join(out.splitlines()[-25:])
                log("  " + tail.replace("\n", "\n  ") if tail else "  (no output)")
                log("  -> exit %s in %.1f s" % (rc, time.monotonic() - t0))
                if rc != 0:
                    failures.append("%s: %s\n  exit %s:\n  %s" % (label, cmd, rc, tail.replace("\n", "\n  ")))
            stop_servers()
    finally:
        if standin:
            standin.stop()

    log("\n==== doc commands: %d run, %d failed, %d skipped ====" % (ran, len(failures), len(skipped)))
    for label, cmd, why in skipped:
        log("SKIPPED %s: %s\n    %s" % (label, why, cmd))
    for f in failures:
        log("FAILED " + f)
    if not failures:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--source", required=True, help="the repository")
    p.add_argument("--build", required=True, help="the build folder (tools are taken from it)")
    p.add_argument("--list", action="store_true", help="print the commands found, run nothing")
    p.add_argument("--only", help="only this markdown file (path relative to the repository), or %s" % HELP_UNIT)
    return run(p.parse_args())


if __name__ == "__main__":
    sys.exit(main())
