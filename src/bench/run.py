#!/usr/bin/env python3
"""Ingestion throughput of the service side by side with a bare Vert.x server, measured in the same run.

On a shared 2-core machine absolute figures move by 10-15 % from one minute to the next; the ratio of the service
to a bare server measured minutes apart under the same load moves much less. So every case runs in each round, in
a fresh JVM, one after the other, and the table reports medians over the rounds and the ratio to the bare server's
parse-and-answer case of the same round, with the server's CPU time per event (user and system, from /proc), which
the machine's noise moves less than events/s. The order of the cases turns by one place each round, so that over
as many rounds as there are cases each case has run in each place once: a drift within a round (one jar run twice
in a round here measured 61.6 and 67.6 us an event in one round, 66.6 and 62.1 in the next) does not always count
against the same case.

The service runs with state.sync fsync (the default) and write, for single events and batches; with a baseline jar
(another build of the service) its single and batch cases run too, in the same rounds.

Run through src/bench/run.sh (which builds first), or directly once built. Needs wrk (Debian: apt-get install wrk)
and the stdlib only. Every setting is a flag, or the environment variable named in its help.
"""
import argparse
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[2]
LOAD = ROOT / "src" / "bench" / "events.lua"
JAR = ROOT / "target" / "events-processor.jar"
TEST_CLASSES = ROOT / "target" / "test-classes"
CLASSPATH_FILE = ROOT / "target" / "bench-classpath.txt"  # written by run.sh (dependency:build-classpath)
CONFIG = ROOT / "conf" / "config.json"
REFERENCE = "bare-json"


@dataclass(frozen=True)
class Case:
    title: str
    server: str  # "bare", "service" (target/events-processor.jar) or "baseline" (another jar of the service)
    path: str
    batch: Optional[int] = None  # events per request when the body is an array
    sync: Optional[str] = None  # the service's state.sync; the baseline keeps its own default

    @property
    def events_per_request(self):
        return self.batch or 1


# The JVM options of the top-level README's run command: the memory budget it states is measured with them.
README_JAVA_OPTS = "-Xms288m -Xmx288m -XX:+AlwaysPreTouch -XX:+UseParallelGC -XX:MaxDirectMemorySize=64m"

def cases(batch, baseline_jar=""):
    """Every case there is, in the default order of a round: the baseline next to the service it is compared with."""
    base = Path(baseline_jar).name if baseline_jar else ""
    known = {
        "bare-json": Case("bare Vert.x: parse, 202", "bare", "/json"),
        "bare-bus": Case("bare Vert.x: parse, bus send, map put, 202", "bare", "/bus"),
        "baseline-event": Case(f"baseline {base}: POST /v1/event", "baseline", "/v1/event"),
        "service-event": Case("service: POST /v1/event, state.sync fsync", "service", "/v1/event", sync="fsync"),
        "service-event-write": Case("service: POST /v1/event, state.sync write", "service", "/v1/event",
                                    sync="write"),
        "baseline-batch": Case(f"baseline {base}: POST /v1/events, {batch} per batch", "baseline", "/v1/events",
                               batch),
        "service-batch": Case(f"service: POST /v1/events, {batch} per batch, state.sync fsync", "service",
                              "/v1/events", batch, "fsync"),
        "service-batch-write": Case(f"service: POST /v1/events, {batch} per batch, state.sync write", "service",
                                    "/v1/events", batch, "write"),
    }
    if not baseline_jar:
        known = {key: case for key, case in known.items() if case.server != "baseline"}
    return known


def warm_up_settings(p, warmup, settle, most, warmup_note, settle_note):
    """The warm-up's flags, the same in this runner and the cluster's, with their own defaults."""
    env = os.environ.get
    p.add_argument("--warmup", default=warmup, help=f"the least load before measuring, for the JIT ({warmup_note})")
    p.add_argument("--settle", type=float, default=float(env("SETTLE", settle)),
                   help="after --warmup, warm up on while the compiler threads of any server used more than this many "
                        f"cores in the last chunk (SETTLE, {settle}{settle_note})")
    p.add_argument("--settle-chunk", default=env("SETTLE_CHUNK", "10s"),
                   help="the warm-up's chunks: a wrk run each, the compiler threads' CPU read after each "
                        "(SETTLE_CHUNK, 10s)")
    p.add_argument("--warmup-max", default=env("WARMUP_MAX", most),
                   help=f"the longest warm-up in all, settled or not (a warning if not) (WARMUP_MAX, {most})")


def settings():
    env = os.environ.get
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=int(env("ROUNDS", "3")), help="rounds of every case (ROUNDS, 3)")
    p.add_argument("--duration", default=env("DURATION", env("DUR", "20s")),
                   help="measured time per run, wrk's -d (DURATION, or DUR; 20s)")
    warm_up_settings(p, env("WARMUP", env("WARM", "25s")), "0.05", "120s",
                     "WARMUP, or WARM; 25s: under this load the JIT compiles for about half a minute on a quiet day, "
                     "the delivery's code last, once notifications start", "")
    p.add_argument("--cases", default=env("CASES", ""),
                   help="comma-separated, in the first round's order, which each round turns by one place "
                        f"(CASES; default all: {','.join(cases(99, 'baseline.jar'))}, the baseline-* ones only with a "
                        "baseline jar)")
    p.add_argument("--baseline-jar", default=env("BASELINE_JAR", ""),
                   help="another build of the service, run as the cases baseline-event and baseline-batch "
                        "(BASELINE_JAR)")
    p.add_argument("--baseline-conf", default=env("BASELINE_CONF", ""),
                   help="the baseline's config (BASELINE_CONF; default: only the keys the runner must set, see "
                        "src/bench/README.md)")
    p.add_argument("--java-opts", default=env("JAVA_OPTS", README_JAVA_OPTS),
                   help=f"JVM options of the service (JAVA_OPTS; by default the README's run command's: {README_JAVA_OPTS})")
    p.add_argument("--service-args", default=env("SERVICE_ARGS", ""),
                   help="launcher options after -conf, e.g. '-instances 2' (SERVICE_ARGS)")
    p.add_argument("--connections", type=int, default=int(env("CONNECTIONS", "64")), help="wrk's -c (CONNECTIONS, 64)")
    p.add_argument("--threads", type=int, default=int(env("THREADS", "2")), help="wrk's -t (THREADS, 2)")
    p.add_argument("--users", type=int, default=int(env("USERS", "10000")), help="users in the load (USERS, 10000)")
    p.add_argument("--batch", type=int, default=int(env("BATCH", "99")), help="events per batch (BATCH, 99)")
    p.add_argument("--receiver", choices=("sink", "bare"), default=env("RECEIVER", "sink"),
                   help="what the service delivers notifications to (RECEIVER): sink, its own local sink in the same "
                        "JVM (default), or bare, a bare Vert.x receiver in a JVM of its own (BareServer's /v1/notify), "
                        "as a notification service elsewhere would be; its CPU is reported apart")
    p.add_argument("--out", default=env("OUT", ""), help="results JSON (OUT, default target/bench/<time>/results.json)")
    args = p.parse_args()
    known = cases(args.batch, args.baseline_jar)
    args.cases = [c.strip() for c in re.split(r"[,;]", args.cases) if c.strip()] or list(known)
    unknown = [c for c in args.cases if c not in known]
    if unknown or args.rounds < 1:
        p.error(f"cases must be some of {', '.join(known)}"
                + ("" if args.baseline_jar else " (baseline-event and baseline-batch need --baseline-jar)")
                + "; rounds at least 1")
    if args.baseline_conf and not args.baseline_jar:
        p.error("--baseline-conf without --baseline-jar")
    return args, known


# ---- processes -------------------------------------------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_runner():
    # If the runner itself is killed, the kernel kills the JVM too: no server is ever left behind.
    _libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def clean_environment():
    # The service reads config overrides from the environment (HTTP_PORT, AUTH_MODE, ...): a variable left in the
    # caller's shell must not change what is measured. So only what a JVM needs to run is passed on.
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "JAVA_HOME")
    return {k: os.environ[k] for k in keep if k in os.environ}


def java():
    home = os.environ.get("JAVA_HOME")
    return str(Path(home) / "bin" / "java") if home else "java"


def free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def http_get(url, timeout=15):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode()


class Server:
    """One JVM, started fresh for one run, and stopped (SIGTERM, then SIGKILL) whatever happens."""

    def __init__(self, command, env, log, ready_url, admin=None, hint=""):
        self.log = log
        self.ready_url = ready_url
        self.admin = admin
        self.hint = hint
        with open(log, "w") as out:
            self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, preexec_fn=_die_with_runner)
        self._wait_ready()

    def _wait_ready(self, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"server exited with code {self.process.returncode} before it was ready:\n"
                                 f"{self.log_tail()}{self.hint}")
            try:
                http_get(self.ready_url, timeout=1)
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        raise SystemExit(f"server not ready at {self.ready_url} after {timeout} s:\n{self.log_tail()}{self.hint}")

    def cpu_seconds(self):
        """User and system CPU time of the JVM so far."""
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def jit_seconds(self):
        """{thread id: user and system CPU seconds} of the JVM's JIT compiler threads (C1/C2 CompilerThreadN, the
        name cut to 15 characters by Linux); a thread that has ended is gone from the map, with its time."""
        found = {}
        for stat in Path(f"/proc/{self.process.pid}/task").glob("*/stat"):
            try:
                text = stat.read_text()
            except OSError:
                continue  # the thread ended meanwhile
            name = text[text.index("(") + 1:text.rindex(")")]
            if name.startswith(("C1 CompilerThre", "C2 CompilerThre")):
                fields = text.rsplit(")", 1)[1].split()
                found[stat.parent.name] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return found

    def peak_rss_mb(self):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
        raise SystemExit("no VmHWM in /proc/<pid>/status: peak RSS needs Linux")

    def log_tail(self, lines=30):
        return "\n".join(Path(self.log).read_text(errors="replace").splitlines()[-lines:])

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)  # the service saves its state on the way out
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_bare(logs, log="bare.log"):
    port, = free_ports(1)
    classpath = f"{TEST_CLASSES}:{CLASSPATH_FILE.read_text().strip()}"
    server = Server([java(), "-cp", classpath, "io.eventsprocessor.bench.BareServer", str(port)],
                    clean_environment(), logs / log, f"http://127.0.0.1:{port}/stats")
    return server, f"http://127.0.0.1:{port}"


def notified(receiver):
    """Notifications the bare receiver got so far (0 without one)."""
    return json.loads(http_get(receiver.ready_url))["notified"] if receiver else 0


def set_key(config, dotted, value):
    # Only keys conf/config.json documents: if one is renamed or removed, stop here rather than measure a service
    # that runs with something else (the service itself refuses unknown keys too, with exit code 15).
    node = config
    *parents, last = dotted.split(".")
    for key in parents:
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, dict) or last not in node:
        raise SystemExit(f"{CONFIG.relative_to(ROOT)} has no key {dotted}: update src/bench/run.py to the new config")
    node[last] = value


def has_key(config, dotted):
    node = config
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def put_key(config, dotted, value):
    # For the baseline, whose config the runner does not know: creates the key where it is missing.
    node = config
    *parents, last = dotted.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value


def start_service(logs, state_dir, case, opts, receiver=None):
    """The service; with a bare receiver, it delivers there instead of to its own sink."""
    http, sink, admin = free_ports(3)
    # What must differ per run (free loopback ports, a fresh state directory), or from the defaults for this load:
    # rate limits off (10,000 users at thousands of events a second from one address), the local sink on (about
    # half the users are congratulated, and the outbox delivers to it).
    per_run = {
        "http.host": "127.0.0.1", "http.port": http,
        "notifySink.port": sink,
        "notify.url": f"{receiver}/v1/notify" if receiver else f"http://127.0.0.1:{sink}/v1/notify",
        "admin.port": admin,
        "state.dir": str(state_dir),
    }
    for_load = {"rateLimit.enabled": False, "notifySink.enabled": receiver is None}
    hint = ""
    if case.server == "service":
        jar = JAR
        config = json.loads(CONFIG.read_text())
        for key, value in {**per_run, **for_load, "auth.mode": "none", "notifySink.host": "127.0.0.1",
                           "admin.enabled": True, "admin.host": "127.0.0.1", "state.sync": case.sync}.items():
            set_key(config, key, value)
    else:
        # Another build may not know every key of today's conf/config.json (state.sync, for one), and refuses
        # unknown keys: so it gets only the keys above, on its own defaults, or the user's config for it, in which
        # the runner fills in only the per-run keys the file has (and the HTTP address, which it must know).
        jar = opts.baseline_jar
        if opts.baseline_conf:
            config = json.loads(Path(opts.baseline_conf).read_text())
            for key, value in per_run.items():
                if key.startswith("http.") or has_key(config, key):
                    put_key(config, key, value)
        else:
            config = {}
            for key, value in {**per_run, **for_load}.items():
                put_key(config, key, value)
            hint = ("\n(the baseline gets only the keys in service-conf.json above, on its own defaults: if it refuses"
                    " one, give it a config of its own with --baseline-conf)")
        if not has_key(config, "admin.port") or config.get("admin", {}).get("enabled") is False:
            admin = None
    conf = logs / "service-conf.json"
    conf.write_text(json.dumps(config, indent=2))
    command = [java(), *opts.java_opts.split(), "-jar", str(jar), "-conf", str(conf), *opts.service_args.split()]
    env = dict(clean_environment(), LOG_LEVEL="WARN")
    server = Server(command, env, logs / "service.log", f"http://127.0.0.1:{http}/health",
                    f"http://127.0.0.1:{admin}" if admin else None, hint)
    return server, f"http://127.0.0.1:{http}"


class Jit:
    """The CPU the nodes' JIT compiler threads use from now on."""

    def __init__(self, nodes):
        self.nodes = nodes
        self.start = time.monotonic(), [node.jit_seconds() for node in nodes]

    def cores(self):
        """Each node's compiler threads' cores since the start (a thread that ended meanwhile is left out)."""
        t0, before = self.start
        after = [node.jit_seconds() for node in self.nodes]
        elapsed = time.monotonic() - t0
        return [max(0.0, sum(s - b.get(tid, 0.0) for tid, s in a.items())) / elapsed for b, a in zip(before, after)]


def seconds(duration):
    number, unit = re.fullmatch(r"(\d+)([smh]?)", duration).groups()
    return int(number) * {"": 1, "s": 1, "m": 60, "h": 3600}[unit]


# ---- load and checks -------------------------------------------------------------------------------------------

def wrk(url, case, duration, label, opts):
    """Runs wrk; returns its figures and how many other wrk processes were seen while it ran."""
    command = ["wrk", f"-t{opts.threads}", f"-c{opts.connections}", f"-d{duration}", "-s", str(LOAD), url, "--",
               f"path={case.path}", f"threads={opts.threads}", f"users={opts.users}", f"label={label}"]
    if case.batch:
        command.append(f"batch={case.batch}")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=_die_with_runner)
    others = 0
    while process.poll() is None:
        others = max(others, other_wrk_running(process.pid))
        time.sleep(1)
    stdout, stderr = process.communicate()
    for line in stdout.splitlines():
        if line.startswith("bench-result "):
            return json.loads(line[len("bench-result "):]), others
    raise SystemExit(f"wrk gave no result (exit {process.returncode}):\n{stdout}\n{stderr}")


SERVICE_COUNTERS = {
    # What became of the measured events: all should be "accepted", none late or clamped, else the load is not
    # what the table says it is.
    "accepted": ("events_processor_events_total", 'outcome="accepted"'),
    "duplicate": ("events_processor_events_total", 'outcome="duplicate"'),
    "rejected": ("events_processor_events_total", 'outcome="rejected"'),
    "unsupported": ("events_processor_events_total", 'outcome="unsupported"'),
    "rate_limited": ("events_processor_events_total", 'outcome="rate_limited"'),
    "late": ("events_processor_events_late_total", ""),
    "clamped": ("events_processor_events_clamped_total", ""),
    "notifications_delivered": ("events_processor_notifications_total", 'outcome="delivered"'),
}
ODD_OUTCOMES = ("duplicate", "rejected", "unsupported", "rate_limited", "late", "clamped")
HANDLED = ("accepted", "duplicate", "rejected", "unsupported", "rate_limited")  # every event the service read


class NoMetric(Exception):
    pass


def metric(text, name, label=""):
    for line in text.splitlines():
        if line.startswith(name) and line[len(name):len(name) + 1] in ("{", " ") and label in line:
            return int(float(line.rsplit(" ", 1)[1]))
    raise NoMetric(f"no metric {name}{{{label}}} at the admin API's /metrics")


def counters(server, case):
    """What the server itself counted so far, to check the load against (wrk only sees status codes).

    None for a baseline whose counters cannot be read (no admin API, or other metrics): it is measured unchecked."""
    if case.path == "/bus":
        return {"stored": json.loads(http_get(server.ready_url))["stored"]}
    if case.server == "bare":
        return {}
    try:
        if not server.admin:
            raise NoMetric("no admin API in its config")
        text = http_get(server.admin + "/metrics")
        found = {key: metric(text, name, label) for key, (name, label) in SERVICE_COUNTERS.items()}
        found["outbox_queued"] = metric(text, "events_processor_outbox_queued")  # a gauge: its value at the end
        return found
    except (NoMetric, urllib.error.URLError, OSError) as e:
        if case.server == "baseline":
            return None
        raise SystemExit(f"{e}: update src/bench/run.py")


def other_wrk_running(ours):
    # Another load generator on these cores makes the figures meaningless: say so next to them.
    count = 0
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            count += comm.read_text().strip() == "wrk" and comm.parent.name != str(ours)
        except OSError:
            pass
    return count


class Cpu:
    """CPU time over the measured run: the server's, and the cores used by everything but the server and wrk (the
    noise, in one number per run)."""

    def __init__(self, server, receiver=None):
        self.server = server
        self.receiver = receiver
        self.start = self._sample()

    def _sample(self):
        with open("/proc/stat") as stat:
            user, nice, system, idle, iowait, irq, softirq, steal = map(int, stat.readline().split()[1:9])
        children = os.times()  # wrk's CPU, once it was waited for
        # irq and softirq left out: the loopback traffic of the load itself is accounted there.
        busy = (user + nice + system + steal) / os.sysconf("SC_CLK_TCK")
        receiver = self.receiver.cpu_seconds() if self.receiver else 0.0
        return (time.monotonic(), busy, self.server.cpu_seconds(), children.children_user + children.children_system,
                receiver)

    def stop(self):
        """(the server's CPU seconds, the receiver's, the cores others used) since the start."""
        t0, busy0, server0, wrk0, receiver0 = self.start
        t1, busy1, server1, wrk1, receiver1 = self._sample()
        server, receiver = server1 - server0, receiver1 - receiver0
        return server, receiver, max(0.0, (busy1 - busy0) - server - receiver - (wrk1 - wrk0)) / (t1 - t0)


def measure(key, case, round_, opts, out_dir):
    logs = out_dir / f"r{round_}-{key}"
    logs.mkdir(parents=True)
    state_dir = Path(tempfile.mkdtemp(prefix="events-processor-bench-"))
    run = {"case": key, "round": round_}
    server = receiver = None
    try:
        if case.server != "bare" and opts.receiver == "bare":
            receiver, receiver_url = start_bare(logs, "receiver.log")
        server, url = (start_bare(logs) if case.server == "bare"
                       else start_service(logs, state_dir, case, opts, receiver_url if receiver else None))
        run["warmup_s"], run["jit_cores_at_end_of_warmup"] = warm_up(server, url, case, opts)
        before = counters(server, case)
        notified_before = notified(receiver)
        cpu = Cpu(server, receiver)
        jit = Jit([server])
        result, run["other_wrk"] = wrk(url, case, opts.duration, "m", opts)
        run["jit_cores"] = round(jit.cores()[0], 3)
        server_cpu_s, receiver_cpu_s, others = cpu.stop()
        run["other_cpu_cores"] = round(others, 2)
        run["server_cpu_s"] = round(server_cpu_s, 2)
        if receiver:
            run["receiver_cpu_s"] = round(receiver_cpu_s, 2)
            run["notified_per_s"] = (notified(receiver) - notified_before) / (result["duration_us"] / 1e6)
        run["peak_rss_mb"] = server.peak_rss_mb()
        after = counters(server, case) if before is not None else None
        run["server_counts"] = counts = ({k: after[k] - before[k] if k != "outbox_queued" else after[k] for k in after}
                                         if after is not None else None)
        # The server's CPU per event it handled in the same window, by its own count where it keeps one: wrk's
        # count leaves out the requests in flight at either end, which matter when answers are slow (batches).
        handled = (sum(counts[k] for k in HANDLED if k in counts) or counts.get("stored")) if counts else None
        run["cpu_events"] = handled or result["requests"] * case.events_per_request
        run["cpu_events_counted_by"] = "server" if handled else "wrk"
        run["cpu_us_per_event"] = server_cpu_s * 1e6 / run["cpu_events"] if run["cpu_events"] else None
        ok = result["requests"] - result["non2xx"]
        elapsed = result["duration_us"] / 1e6
        ms = lambda us: us / 1000 if result["requests"] else None  # no latency without an answer
        run.update(events_per_s=ok * case.events_per_request / elapsed, requests_per_s=result["requests"] / elapsed,
                   p50_ms=ms(result["p50_us"]), p99_ms=ms(result["p99_us"]), max_ms=ms(result["max_us"]),
                   requests=result["requests"], non2xx=result["non2xx"], socket_errors=result["socket_errors"])
        run["warnings"] = warnings(run, case, ok, opts)
    finally:
        if server:
            server.stop()
        if receiver:
            receiver.stop()
        shutil.rmtree(state_dir, ignore_errors=True)
    return run


def warm_up(server, url, case, opts):
    """Load until the JIT has settled: --warmup, then chunks of --settle-chunk while the server's compiler threads
    used more than --settle cores in the last one, up to --warmup-max. How long the JIT takes depends on the
    machine's load as much as on the build (25 s on a quiet day here, more than a minute on a busy one), and a
    measurement it shares with the compiler measures the compiler. Each chunk has its own users (wrk's label), so
    that no user's time goes back. Returns (seconds of load, the last chunk's JIT cores)."""
    least, chunk, most = (seconds(d) for d in (opts.warmup, opts.settle_chunk, opts.warmup_max))
    done, jit_cores = 0, None
    while done < most:
        length = least if done == 0 else min(chunk, most - done)
        jit = Jit([server])
        wrk(url, case, f"{length}s", f"w{done}-", opts)
        done += length
        jit_cores = round(jit.cores()[0], 3)
        if jit_cores <= opts.settle:
            break
    return done, jit_cores


def warnings(run, case, ok, opts):
    found = []
    if run["jit_cores_at_end_of_warmup"] > opts.settle:
        found.append(f"the JIT had not settled after {run['warmup_s']} s of warm-up "
                     f"({run['jit_cores_at_end_of_warmup']:.2f} cores): lengthen --warmup-max")
    counts = run["server_counts"]
    if counts is None:
        found.append("the baseline's /metrics could not be read: its counts were not checked against wrk's")
        counts = {}
    if not run["requests"]:
        found.append("no request was answered in the measured run: lengthen --duration, or lighten the load")
    if run["non2xx"]:
        found.append(f"{run['non2xx']} non-2xx answers, not counted in events/s"
                     + (f" (outbox at the end: {counts['outbox_queued']} queued)" if "outbox_queued" in counts else ""))
    if any(run["socket_errors"].values()):
        found.append(f"socket errors {run['socket_errors']}")
    if run["other_wrk"]:
        found.append(f"{run['other_wrk']} other wrk process(es) were running")
    odd = {k: counts[k] for k in ODD_OUTCOMES if counts.get(k)}
    if odd:
        found.append(f"events not simply accepted: {odd}")
    # Requests in flight when wrk stops are still answered by the server: allow that much either way.
    taken = counts.get("accepted", counts.get("stored"))  # bare /json keeps nothing to count
    answered = ok * case.events_per_request
    if taken is not None and abs(taken - answered) > 2 * opts.connections * case.events_per_request:
        found.append(f"the server took {taken} events, wrk counted {answered} answered 2xx")
    return found


# ---- report ----------------------------------------------------------------------------------------------------

def summarise(runs, order, known):
    reference = {r["round"]: r["events_per_s"] for r in runs if r["case"] == REFERENCE}
    rows = []
    for key in order:
        mine = [r for r in runs if r["case"] == key]
        # The ratio is taken within each round, then the median over rounds: drift between rounds cancels out.
        ratios = [r["events_per_s"] / reference[r["round"]] for r in mine if reference.get(r["round"])]
        row = {"case": key, "title": known[key].title, "runs": len(mine)}
        for field in ("events_per_s", "cpu_us_per_event", "p50_ms", "p99_ms", "peak_rss_mb", "other_cpu_cores",
                      "warmup_s", "jit_cores"):
            values = [r[field] for r in mine if r[field] is not None]
            row[field] = ({"median": statistics.median(values), "min": min(values), "max": max(values)}
                          if values else None)
        row["non2xx"] = sum(r["non2xx"] for r in mine)
        row["ratio_to_bare"] = ({"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios)}
                                if ratios else None)
        rows.append(row)
    return rows


def table(rows):
    def spread(stat, fmt):
        return f"{fmt(stat['median'])} ({fmt(stat['min'])}–{fmt(stat['max'])})" if stat else "–"
    whole = lambda v: f"{v:,.0f}"
    ms = lambda v: f"{v:.1f}" if v < 100 else f"{v:.0f}"
    micros = lambda v: f"{v:.1f}"
    lines = ["| case | events/s | CPU µs/event | p50 ms | p99 ms | peak RSS MB | non-2xx | × bare parse+202 |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        ratio = spread(row["ratio_to_bare"], lambda v: f"{v:.2f}") if row["ratio_to_bare"] else "–"
        lines.append(f"| {row['title']} | {spread(row['events_per_s'], whole)} | "
                     f"{spread(row['cpu_us_per_event'], micros)} | {spread(row['p50_ms'], ms)} | "
                     f"{spread(row['p99_ms'], ms)} | {spread(row['peak_rss_mb'], whole)} | {row['non2xx']:,} | {ratio} |")
    others = [row["other_cpu_cores"]["median"] for row in rows]
    lines.append(f"\nOther processes used {min(others):.2f}–{max(others):.2f} cores (median per case) while measuring.")
    warm = [row["warmup_s"][x] for row in rows for x in ("min", "max")]
    jit = [row["jit_cores"][x] for row in rows for x in ("min", "max")]
    lines.append(f"Warm-ups took {min(warm):.0f}–{max(warm):.0f} s; the JIT used {min(jit):.2f}–{max(jit):.2f} "
                 "cores while measuring.")
    return "\n".join(lines)


def preflight(opts):
    missing = []
    if not shutil.which("wrk"):
        missing.append("wrk (Debian/Ubuntu: apt-get install wrk)")
    for path in (JAR, TEST_CLASSES, CLASSPATH_FILE):
        if not path.exists():
            missing.append(f"{path.relative_to(ROOT)} (src/bench/run.sh builds it)")
    for path in (opts.baseline_jar, opts.baseline_conf):
        if path and not Path(path).is_file():
            missing.append(path)
    if missing:
        raise SystemExit("missing: " + "; ".join(missing))


def main():
    opts, known = settings()
    preflight(opts)
    # a wrong duration fails now, not after the first server started
    for d in (opts.duration, opts.warmup, opts.settle_chunk, opts.warmup_max):
        if not re.fullmatch(r"\d+[smh]?", d):
            raise SystemExit(f"duration {d!r}: use wrk's form, e.g. 20s, 1m")
    # SIGTERM (a timeout, a CI cancel) unwinds like Ctrl-C, through the finally that stops the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out_dir = ROOT / "target" / "bench" / stamp
    out = Path(opts.out) if opts.out else out_dir / "results.json"
    print(f"{opts.rounds} round(s) of {', '.join(opts.cases)}; warm-up {opts.warmup} to {opts.warmup_max} (until "
          f"the JIT uses {opts.settle} cores or less), measured {opts.duration}, "
          f"wrk -t{opts.threads} -c{opts.connections}; {os.cpu_count()} cores; notifications to the "
          f"{'bare receiver' if opts.receiver == 'bare' else 'local sink'}; logs in {out_dir.relative_to(ROOT)}"
          + (f"; baseline {opts.baseline_jar}" if opts.baseline_jar else ""), flush=True)
    runs = []
    for round_ in range(1, opts.rounds + 1):
        turn = (round_ - 1) % len(opts.cases)
        for key in opts.cases[turn:] + opts.cases[:turn]:
            run = measure(key, known[key], round_, opts, out_dir)
            runs.append(run)
            num = lambda v: "–" if v is None else f"{v:.1f}"
            print(f"round {round_} {key:19} {run['events_per_s']:>9,.0f} events/s  "
                  f"CPU {num(run['cpu_us_per_event']):>6} µs/event  p50 {num(run['p50_ms']):>6} ms  "
                  f"p99 {num(run['p99_ms']):>6} ms  peak RSS {run['peak_rss_mb']:>5} MB  non-2xx {run['non2xx']}  "
                  f"warm-up {run['warmup_s']} s, JIT then {run['jit_cores']:.2f} cores  "
                  f"others' CPU {run['other_cpu_cores']:.2f} cores"
                  + (f"  receiver: {run['notified_per_s']:,.0f} notifications/s, CPU {run['receiver_cpu_s']:.1f} s"
                     if "notified_per_s" in run else ""), flush=True)
            for warning in run["warnings"]:
                print(f"  ! {warning}", flush=True)
            write_results(out, opts, runs, known)  # after every run: an interrupted benchmark keeps what it measured
    print(f"\nMedians over {opts.rounds} round(s), (min–max) in brackets:\n\n"
          f"{table(summarise(runs, opts.cases, known))}\n\nresults: {out}")


def write_results(out, opts, runs, known):
    out.parent.mkdir(parents=True, exist_ok=True)
    java_version = subprocess.run([java(), "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    out.write_text(json.dumps({
        "settings": vars(opts), "machine": {"cores": os.cpu_count(), "java": java_version},
        "cases": {key: vars(known[key]) for key in opts.cases},
        "summary": summarise(runs, [key for key in opts.cases if any(r["case"] == key for r in runs)], known),
        "runs": runs}, indent=2))


if __name__ == "__main__":
    main()
