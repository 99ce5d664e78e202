#!/usr/bin/env python3
"""The service as a cluster of N nodes on loopback: ingestion throughput, and failover after a kill -9.

Every case starts a fresh cluster of N nodes of target/events-processor.jar (-cluster, each node its own HTTP,
admin, notification sink and Hazelcast ports and its own temporary state directory, one cluster name per run),
waits until every node sees the N members and the cluster is safe, measures, and stops the nodes. --nodes may
list several node counts (1,3): every round runs every case for each of them in turn, with the same load in all
(the same connections and users, split between the nodes), and the summary compares them with 1 node.

  event, batch  one wrk per node at the same time (src/bench/events.lua, 1 thread each, the connections split
                between them, each node's load its own users): a warm-up, then the measured run. The warm-up
                lasts until the JIT has settled: at least --warmup, then chunks of --settle-chunk while the
                compiler threads (C1/C2 CompilerThread, /proc/PID/task) of any node used more than --settle cores
                in the last chunk, up to --warmup-max in all (a warning if they never settled); each chunk is a
                wrk run with its own users, since events.lua starts its users again at the first day. On few cores
                N JVMs keep compiling for minutes, and what a short warm-up measures is mostly the JIT. Reported:
                the events/s of all nodes together, p50 and p99 of the worst node, CPU time per event of all the
                JVMs together (/proc), the peak RSS of the largest node, the warm-up it took and the cores the
                compiler threads still used during the measured run; with 1 node and more in the run, each count's
                CPU per event and events/s as a multiple of 1 node's.
  failover      a steady stream of single events from a Python client (one thread per probe user, each user's
                events in order, a failed request resent with the same id), sent only to the nodes that stay alive
                (as from a load balancer that has already taken the killed node out); then one node is killed
                with SIGKILL. Reported: from the kill until the survivors no longer count the killed node, until
                every probe user has had an event accepted that it sent after the kill, the longest request sent
                after the kill, and until the cluster is safe again. Needs at least 3 nodes: skipped for a
                smaller node count.

Needs wrk (Debian: apt-get install wrk), Linux (/proc) and the stdlib only; reuses src/bench/run.py (the single-node
kit) for processes, wrk's script and the service's counters. Build first: ./mvnw -B package -DskipTests. Every
setting is a flag, or the environment variable named in its help.
"""
import argparse
import http.client
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
import threading
import time
import urllib.error
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as single  # noqa: E402  (src/bench/run.py)

ROOT = single.ROOT
JAR = Path(os.environ.get("JAR", single.JAR))  # another build to measure: JAR=path
CONFIG = single.CONFIG
LOAD = single.LOAD
DEFAULT_HEAP = "-Xmx512m"
LOAD_CASES = ("event", "batch")
ALL_CASES = (*LOAD_CASES, "failover")


def settings():
    env = os.environ.get
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nodes", default=env("NODES", "3"),
                   help="nodes of the cluster, or comma-separated node counts to run in turn, e.g. 1,3 (NODES, 3)")
    p.add_argument("--rounds", type=int, default=int(env("ROUNDS", "1")), help="rounds of every case (ROUNDS, 1)")
    p.add_argument("--duration", default=env("DURATION", "20s"), help="measured time of the load cases, wrk's -d "
                                                                     "(DURATION, 20s)")
    p.add_argument("--warmup", default=env("WARMUP", "30s"),
                   help="the least load before measuring (other users than the measured run's), for the JIT "
                        "(WARMUP, 30s)")
    p.add_argument("--settle", type=float, default=float(env("SETTLE", "0.1")),
                   help="after --warmup, warm up on while the compiler threads of any node used more than this many "
                        "cores in the last chunk (SETTLE, 0.1: three JVMs on 2 cores rarely go below)")
    p.add_argument("--settle-chunk", default=env("SETTLE_CHUNK", "10s"),
                   help="the warm-up's chunks: a wrk run each, the compiler threads' CPU read after each "
                        "(SETTLE_CHUNK, 10s)")
    p.add_argument("--warmup-max", default=env("WARMUP_MAX", "300s"),
                   help="the longest warm-up in all, settled or not (a warning if not) (WARMUP_MAX, 300s)")
    p.add_argument("--cases", default=env("CASES", ""),
                   help=f"comma-separated, in the order to run them (CASES; default all: {','.join(ALL_CASES)})")
    p.add_argument("--java-opts", default=env("JAVA_OPTS", ""),
                   help=f"JVM options of every node (JAVA_OPTS; {DEFAULT_HEAP} is added unless they set the heap)")
    p.add_argument("--service-args", default=env("SERVICE_ARGS", ""),
                   help="launcher options after -cluster -conf, e.g. '-instances 2' (SERVICE_ARGS)")
    p.add_argument("--connections", type=int, default=int(env("CONNECTIONS", "64")),
                   help="wrk connections in all, split between the nodes' wrk (CONNECTIONS, 64)")
    p.add_argument("--users", type=int, default=int(env("USERS", "10000")),
                   help="users of the load in all, split between the nodes, whole groups of 250 (USERS, 10000)")
    p.add_argument("--batch", type=int, default=int(env("BATCH", "99")), help="events per batch (BATCH, 99)")
    p.add_argument("--probe-users", type=int, default=int(env("PROBE_USERS", "300")),
                   help="failover: users of the probe client, a thread each (PROBE_USERS, 300)")
    p.add_argument("--probe-rate", type=float, default=float(env("PROBE_RATE", "600")),
                   help="failover: events/s of the probe client in all, spread evenly over its users (PROBE_RATE, 600)")
    p.add_argument("--before-kill", default=env("BEFORE_KILL", "10s"),
                   help="failover: probe traffic before the kill (BEFORE_KILL, 10s)")
    p.add_argument("--request-timeout", type=float, default=float(env("REQUEST_TIMEOUT", "30")),
                   help="failover: seconds a probe request may take before it counts as failed and is resent "
                        "(REQUEST_TIMEOUT, 30)")
    p.add_argument("--failover-timeout", type=float, default=float(env("FAILOVER_TIMEOUT", "120")),
                   help="failover: seconds after the kill to give up waiting for recovery (FAILOVER_TIMEOUT, 120)")
    p.add_argument("--join-timeout", type=float, default=float(env("JOIN_TIMEOUT", "180")),
                   help="seconds the nodes may take to form a safe cluster (JOIN_TIMEOUT, 180)")
    p.add_argument("--notify-url", default=env("NOTIFY_URL", ""),
                   help="a notification service for every node (NOTIFY_URL; default: each node's own local sink, "
                        "as in run.py)")
    p.add_argument("--out", default=env("OUT", ""), help="results JSON (OUT, default target/bench/cluster-<time>/results.json)")
    args = p.parse_args()
    args.cases = [c.strip() for c in re.split(r"[,;]", args.cases) if c.strip()] or list(ALL_CASES)
    problems = []
    counts = [c.strip() for c in args.nodes.split(",") if c.strip()]
    args.nodes = [int(c) for c in counts] if counts and all(c.isdigit() for c in counts) else []
    if not args.nodes:
        problems.append(f"nodes {','.join(counts)!r}: a number, or numbers separated by commas")
    elif len(set(args.nodes)) != len(args.nodes):
        problems.append("each node count once")
    if [c for c in args.cases if c not in ALL_CASES]:
        problems.append(f"cases must be some of {', '.join(ALL_CASES)}")
    if args.rounds < 1 or min(args.nodes, default=1) < 1:
        problems.append("rounds and nodes at least 1")
    if "failover" in args.cases and max(args.nodes, default=3) < 3:
        problems.append("failover needs at least 3 nodes: the survivors must still be a majority of the members "
                        "(the default quorum)")
    if args.connections < max(args.nodes, default=1):
        problems.append("at least one connection per node")
    durations = (args.duration, args.warmup, args.settle_chunk, args.warmup_max, args.before_kill)
    for d in durations:
        if not re.fullmatch(r"\d+[smh]?", d):
            problems.append(f"duration {d!r}: use wrk's form, e.g. 20s, 1m")
    if all(re.fullmatch(r"\d+[smh]?", d) for d in durations):
        if seconds(args.settle_chunk) < 1:
            problems.append("settle chunk at least 1s")
        if seconds(args.warmup_max) < seconds(args.warmup):
            problems.append("warmup-max at least warmup")
    if args.settle < 0:
        problems.append("settle at least 0")
    if args.probe_users < 1 or args.probe_rate <= 0:
        problems.append("probe users and rate above 0")
    if problems:
        p.error("; ".join(problems))
    # run.py's helpers read these names
    args.threads = 1
    return args


def seconds(duration):
    number, unit = re.fullmatch(r"(\d+)([smh]?)", duration).groups()
    return int(number) * {"": 1, "s": 1, "m": 60, "h": 3600}[unit]


def java_opts(opts):
    given = opts.java_opts.split()
    sets_heap = any(o.startswith(("-Xmx", "-XX:MaxHeapSize", "-XX:MaxRAM")) for o in given)
    return given if sets_heap else [DEFAULT_HEAP, *given]


# ---- the cluster -----------------------------------------------------------------------------------------------

class Node(single.Server):
    """One node of the cluster: started without waiting (a node is not ready before a quorum of others is up)."""

    def __init__(self, index, command, env, log, http, admin, hazelcast):
        self.index = index
        self.hazelcast = hazelcast
        self.name = f"node-{index}"
        self.log = log
        self.http = http
        self.url = f"http://127.0.0.1:{http}"
        self.ready_url = f"{self.url}/health"
        self.admin = f"http://127.0.0.1:{admin}"
        self.hint = ""
        # Started from the main thread only: PR_SET_PDEATHSIG fires when the thread that forked ends.
        with open(log, "w") as out:
            self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, preexec_fn=single._die_with_runner)

    def alive(self):
        return self.process.poll() is None

    def healthy(self):
        try:
            single.http_get(self.ready_url, timeout=2)
            return True
        except (urllib.error.URLError, OSError):
            return False

    def gauges(self, *names):
        """The values of these gauges at /metrics, None for one that cannot be read."""
        try:
            text = single.http_get(self.admin + "/metrics", timeout=2)
        except (urllib.error.URLError, OSError):
            return [None] * len(names)
        values = []
        for name in names:
            try:
                values.append(single.metric(text, name))
            except single.NoMetric:
                values.append(None)
        return values

    def membership(self):
        """(members it sees, 1 when the cluster is safe)"""
        return self.gauges("events_processor_cluster_members", "events_processor_cluster_safe")

    def counters(self):
        """run.py's counters of what the node did with the events so far, and the seconds its /metrics took.

        A scrape may take seconds on a busy node."""
        started = time.monotonic()
        try:
            text = single.http_get(self.admin + "/metrics", timeout=60)
            found = {key: single.metric(text, name, label) for key, (name, label) in single.SERVICE_COUNTERS.items()}
            found["outbox_queued"] = single.metric(text, "events_processor_outbox_queued")
        except (urllib.error.URLError, OSError) as e:
            raise SystemExit(f"{self.name}'s /metrics did not answer within 60 s: {e}")
        except single.NoMetric as e:
            raise SystemExit(f"{self.name}: {e}: update src/bench/run.py")
        return found, time.monotonic() - started

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

    def log_size(self):
        return self.log.stat().st_size

    def log_since(self, offset):
        with open(self.log, "rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")


def start_cluster(opts, n, logs, state_root):
    ports = single.free_ports(4 * n)
    http, admin, sink, hz = (ports[i * n:(i + 1) * n] for i in range(4))
    name = f"bench-{os.getpid()}-{time.time_ns()}"  # never joins another run's (or anyone's) cluster
    members = ",".join(f"127.0.0.1:{p}" for p in hz)
    nodes = []
    try:
        for i in range(n):
            config = json.loads(CONFIG.read_text())
            # What must differ per node (ports, state directory), the cluster, and what the load needs, as in
            # run.py: rate limits off (thousands of events a second from one address), each node's own local
            # notification sink (a cluster's nodes cannot share one port), no authentication.
            keys = {
                "http.host": "127.0.0.1", "http.port": http[i],
                "admin.enabled": True, "admin.host": "127.0.0.1", "admin.port": admin[i],
                "notifySink.enabled": not opts.notify_url, "notifySink.host": "127.0.0.1",
                "notifySink.port": sink[i],
                "notify.url": opts.notify_url or f"http://127.0.0.1:{sink[i]}/v1/notify",
                "state.dir": str(state_root / f"node-{i}"),
                "cluster.name": name, "cluster.host": "127.0.0.1", "cluster.port": hz[i], "cluster.members": members,
                "rateLimit.enabled": False, "auth.mode": "none",
            }
            for key, value in keys.items():
                single.set_key(config, key, value)
            conf = logs / f"node-{i}-conf.json"
            conf.write_text(json.dumps(config, indent=2))
            command = [single.java(), *java_opts(opts), "-jar", str(JAR), "-cluster", "-conf", str(conf),
                       *opts.service_args.split()]
            env = dict(single.clean_environment(), LOG_LEVEL="WARN")
            nodes.append(Node(i, command, env, logs / f"node-{i}.log", http[i], admin[i], hz[i]))
        formed = await_cluster(nodes, n, opts.join_timeout)
    except BaseException:
        stop_all(nodes)
        raise
    return nodes, formed


def await_cluster(nodes, members, timeout, since=None):
    """Waits until every node of these is healthy, sees `members` members and says the cluster is safe; returns
    the seconds it took."""
    start = since or time.monotonic()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for node in nodes:
            if not node.alive():
                raise SystemExit(f"{node.name} exited with code {node.process.returncode}:\n{node.log_tail()}")
        if all(node.healthy() and node.membership() == [members, 1] for node in nodes):
            return time.monotonic() - start
        time.sleep(0.25)
    states = "; ".join(f"{n.name}: healthy {n.healthy()}, members and safe {n.membership()}" for n in nodes)
    raise SystemExit(f"no safe cluster of {members} after {timeout:.0f} s ({states}); {nodes[0].name}'s log:\n"
                     f"{nodes[0].log_tail()}")


def stop_all(nodes, timeout=30):
    """SIGTERM to every node at once, SIGKILL to those still running after the timeout; returns how many needed
    SIGKILL."""
    killed = 0
    for node in nodes:
        if node.alive():
            node.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for node in nodes:
        try:
            node.process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            node.process.kill()
            node.process.wait()
            killed += 1
    return killed


# ---- load cases ------------------------------------------------------------------------------------------------

def nodes_word(n):
    return f"{n} node" if n == 1 else f"{n} nodes"


def load_case(key, n, opts):
    if key == "event":
        return single.Case(f"{nodes_word(n)}: POST /v1/event", "service", "/v1/event")
    return single.Case(f"{nodes_word(n)}: POST /v1/events, {opts.batch} per batch", "service", "/v1/events",
                       opts.batch)


def split(total, parts):
    return [total // parts + (i < total % parts) for i in range(parts)]


def users_per_node(opts, n):
    # events.lua walks its users in groups of 250 (interleaving the users' events); whole groups keep that.
    return max(250, opts.users // n // 250 * 250)


def wrk_all(nodes, case, duration, prefix, opts):
    """One wrk per node, all at once; returns their results (in the nodes' order) and the most wrk processes of
    others seen meanwhile."""
    processes = []
    for node, connections in zip(nodes, split(opts.connections, len(nodes))):
        # wrk's own timeout (2 s) would count a slow answer as an error and leave it out of the latencies.
        command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}", "--timeout", f"{opts.request_timeout:g}s",
                   "--latency", "-s", str(LOAD), node.url, "--",
                   f"path={case.path}", "threads=1", f"users={users_per_node(opts, len(nodes))}", f"label={prefix}{node.index}"]
        if case.batch:
            command.append(f"batch={case.batch}")
        processes.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                          preexec_fn=single._die_with_runner))
    try:
        ours = {str(p.pid) for p in processes}
        others = 0
        while any(p.poll() is None for p in processes):
            others = max(others, other_wrk_running(ours))
            time.sleep(1)
        results = []
        for process in processes:
            stdout, stderr = process.communicate()
            line = next((l for l in stdout.splitlines() if l.startswith("bench-result ")), None)
            if line is None:
                raise SystemExit(f"wrk gave no result (exit {process.returncode}):\n{stdout}\n{stderr}")
            results.append(json.loads(line[len("bench-result "):]))
        return results, others
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def other_wrk_running(ours):
    count = 0
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            count += comm.read_text().strip() == "wrk" and comm.parent.name not in ours
        except OSError:
            pass
    return count


class ClusterCpu:
    """CPU time over the measured run: the nodes' JVMs together, and the cores everything else used (but wrk)."""

    def __init__(self, nodes):
        self.nodes = nodes
        self.start = self._sample()

    def _sample(self):
        with open("/proc/stat") as stat:
            user, nice, system, idle, iowait, irq, softirq, steal = map(int, stat.readline().split()[1:9])
        children = os.times()  # the wrk processes', once waited for
        busy = (user + nice + system + steal) / os.sysconf("SC_CLK_TCK")
        nodes = [node.cpu_seconds() for node in self.nodes]
        return time.monotonic(), busy, nodes, children.children_user + children.children_system

    def stop(self):
        """(each node's CPU seconds, the cores others used) since the start."""
        t0, busy0, nodes0, wrk0 = self.start
        t1, busy1, nodes1, wrk1 = self._sample()
        per_node = [b - a for a, b in zip(nodes0, nodes1)]
        return per_node, max(0.0, (busy1 - busy0) - sum(per_node) - (wrk1 - wrk0)) / (t1 - t0)


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


def warm_up(nodes, case, key, opts):
    """Load until the JIT has settled: at least --warmup, then on while any node's compiler threads used more
    than --settle cores in the last chunk, up to --warmup-max. One wrk run per chunk, each with its own users
    (events.lua starts them at the first day). Returns (seconds run, the last chunk's JIT cores of the busiest
    node, every chunk's JIT cores per node, settled)."""
    least, chunk, most = seconds(opts.warmup), seconds(opts.settle_chunk), seconds(opts.warmup_max)
    done, chunks, last = 0, [], None
    while done < most:
        # up to --warmup every chunk counts toward it (the last one shorter if need be), and the first
        # chunk after it is read for settling
        length = min(chunk, (least - done) if done < least else most - done)
        jit = Jit(nodes)
        wrk_all(nodes, case, f"{length}s", f"w{len(chunks) + 1}-", opts)
        cores = jit.cores()
        done += length
        chunks.append([round(c, 3) for c in cores])
        last = max(cores)
        print(f"  warm-up {nodes_word(len(nodes))} {key}: {done:>3} s, JIT in the last {length} s "
              f"{' '.join(f'{c:.2f}' for c in cores)} cores (per node)", flush=True)
        if done >= least and last <= opts.settle:
            return done, last, chunks, True
    return done, last, chunks, last is not None and last <= opts.settle


def measure_load(key, round_, n, opts, out_dir):
    case = load_case(key, n, opts)
    logs = out_dir / f"r{round_}-n{n}-{key}"
    logs.mkdir(parents=True)
    state_root = Path(tempfile.mkdtemp(prefix="events-processor-cluster-bench-"))
    run = {"case": key, "round": round_, "nodes": n}
    nodes = []
    try:
        nodes, run["formed_s"] = start_cluster(opts, n, logs, state_root)
        # What the nodes use with no load (heartbeats, the due-user polls, and the JIT still at work after the
        # start): read CPU per event with it, mostly when the events are few.
        idle = ClusterCpu(nodes)
        time.sleep(3)
        run["idle_cpu_cores"] = round(sum(idle.stop()[0]) / (time.monotonic() - idle.start[0]), 2)
        run["warmup_s"], jit_end, run["warmup_jit_cores_per_chunk"], settled = warm_up(nodes, case, key, opts)
        run["jit_cores_at_end_of_warmup"] = None if jit_end is None else round(jit_end, 3)
        before, slow = zip(*(node.counters() for node in nodes))
        cpu = ClusterCpu(nodes)
        jit = Jit(nodes)
        results, run["other_wrk"] = wrk_all(nodes, case, opts.duration, "m", opts)
        jit_per_node = jit.cores()
        per_node_cpu, others = cpu.stop()
        run["jit_cores"] = round(sum(jit_per_node), 3)
        run["jit_cores_per_node"] = [round(c, 3) for c in jit_per_node]
        after, slow_after = zip(*(node.counters() for node in nodes))
        run["slowest_metrics_s"] = round(max(slow + slow_after), 1)
        run["other_cpu_cores"] = round(others, 2)
        run["node_cpu_s"] = [round(s, 2) for s in per_node_cpu]
        run["peak_rss_mb_per_node"] = [node.peak_rss_mb() for node in nodes]
        run["peak_rss_mb"] = max(run["peak_rss_mb_per_node"])
        per_node_counts = [{k: a[k] - b[k] if k != "outbox_queued" else a[k] for k in a} for b, a in zip(before, after)]
        counts = {k: sum(c[k] for c in per_node_counts) for k in per_node_counts[0]}
        run["server_counts"], run["server_counts_per_node"] = counts, per_node_counts
        handled = sum(counts[k] for k in single.HANDLED)
        epr = case.events_per_request
        run["cpu_events"] = handled or sum(r["requests"] for r in results) * epr
        run["cpu_events_counted_by"] = "server" if handled else "wrk"
        run["cpu_us_per_event"] = sum(per_node_cpu) * 1e6 / run["cpu_events"] if run["cpu_events"] else None
        per_node = []
        for node, r in zip(nodes, results):
            elapsed = r["duration_us"] / 1e6
            answered = r["requests"] > 0
            per_node.append({
                "node": node.name, "events_per_s": (r["requests"] - r["non2xx"]) * epr / elapsed,
                "requests": r["requests"], "non2xx": r["non2xx"], "socket_errors": r["socket_errors"],
                "p50_ms": r["p50_us"] / 1000 if answered else None, "p99_ms": r["p99_us"] / 1000 if answered else None,
                "max_ms": r["max_us"] / 1000 if answered else None})
        run["per_node"] = per_node
        worst = lambda field: max((n[field] for n in per_node if n[field] is not None), default=None)
        run.update(events_per_s=sum(n["events_per_s"] for n in per_node), p50_ms=worst("p50_ms"),
                   p99_ms=worst("p99_ms"), max_ms=worst("max_ms"), requests=sum(n["requests"] for n in per_node),
                   non2xx=sum(n["non2xx"] for n in per_node),
                   socket_errors={k: sum(n["socket_errors"][k] for n in per_node) for k in results[0]["socket_errors"]})
        ok = run["requests"] - run["non2xx"]
        run["warnings"] = single.warnings(run, case, ok, opts) + run.get("warnings", [])
        if not settled and jit_end is None:
            run["warnings"].append("no warm-up (--warmup-max 0): the JIT was not seen to settle")
        elif not settled:
            last = run["warmup_jit_cores_per_chunk"][-1]
            busiest = nodes[last.index(max(last))].name
            run["warnings"].append(f"the JIT had not settled after the longest warm-up ({run['warmup_s']} s): "
                                   f"{busiest}'s compiler threads used {jit_end:.2f} cores in the last chunk, more "
                                   f"than --settle {opts.settle:g}; raise --warmup-max")
        if run["slowest_metrics_s"] > 2:
            run["warnings"].append(f"a node's /metrics took {run['slowest_metrics_s']} s to answer")
        slowest = min(per_node, key=lambda n: n["events_per_s"])
        fastest = max(per_node, key=lambda n: n["events_per_s"])
        if fastest["events_per_s"] > 1.5 * max(slowest["events_per_s"], 1):
            run["warnings"].append(f"uneven nodes: {slowest['node']} {slowest['events_per_s']:,.0f} events/s, "
                                   f"{fastest['node']} {fastest['events_per_s']:,.0f}")
    finally:
        if stop_all(nodes):
            run.setdefault("warnings", []).append("a node did not stop within 30 s of SIGTERM: killed")
        shutil.rmtree(state_root, ignore_errors=True)
    return run


# ---- failover --------------------------------------------------------------------------------------------------

BASE = 946684800  # 2000-01-01T00:00:00Z, as in events.lua
TITLE = "7 Minutes of HIIT Training"


def probe_event(run_id, user, n):
    """The n-th event of a probe user: launch, start a minute later, finish 1 to 59 minutes after, a day each."""
    day, phase = divmod(n, 3)
    launch = BASE + day * 86400 + 16 * 3600
    iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
    event = {"id": f"{run_id}-{user}-{n}", "userId": f"probe-{user:05d}", "deviceId": f"dev-{user}"}
    if phase == 0:
        event.update(type="app_launch", occurredAt=iso(launch))
    elif phase == 1:
        event.update(type="training_program_started", occurredAt=iso(launch + 60),
                     data={"programId": f"prog-{day}", "programTitle": TITLE})
    else:
        event.update(type="training_program_finished", occurredAt=iso(launch + 60 + (1 + user % 59) * 60),
                     data={"programId": f"prog-{day}"})
    return json.dumps(event, separators=(",", ":"))


class Probe:
    """One thread per user, each sending its user's events in order at an even pace, to the given nodes in turn;
    a request that fails (an error, a timeout, not 2xx) is sent again, same id, at the user's next turn."""

    def __init__(self, ports, opts):
        self.ports = ports
        self.users = opts.probe_users
        self.period = opts.probe_users / opts.probe_rate  # each user's time between two requests
        self.timeout = opts.request_timeout
        self.run_id = f"p{time.time_ns()}"
        self.stop = threading.Event()
        self.records = [[] for _ in range(self.users)]  # per user: (sent, answered, outcome), monotonic seconds
        self.crashed = []
        self.threads = []

    def start(self):
        self.started = time.monotonic()
        previous = threading.stack_size(256 * 1024)
        try:
            for user in range(self.users):
                thread = threading.Thread(target=self._user, args=(user,), name=f"probe-{user}", daemon=True)
                thread.start()
                self.threads.append(thread)
        finally:
            threading.stack_size(previous)

    def finish(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(self.timeout + 5)
        if self.crashed:
            raise SystemExit(f"the probe client failed: {self.crashed[0]}")

    def _user(self, user):
        connections = {}
        try:
            n, turn = 0, user
            next_at = self.started + self.period * user / self.users  # the users' turns spread over a period
            while not self.stop.wait(max(0.0, next_at - time.monotonic())):
                port = self.ports[turn % len(self.ports)]
                turn += 1
                body = probe_event(self.run_id, user, n)
                sent = time.monotonic()
                outcome = self._post(connections, port, body)
                answered = time.monotonic()
                self.records[user].append((sent, answered, outcome))
                if isinstance(outcome, int) and 200 <= outcome < 300:
                    n += 1
                # no burst to catch up after a slow answer: the next turn is a period later, or now
                next_at = max(next_at + self.period, answered)
        except Exception as e:  # noqa: BLE001 (reported by finish)
            self.crashed.append(f"user {user}: {e!r}")
        finally:
            for connection in connections.values():
                connection.close()

    def _post(self, connections, port, body):
        connection = connections.get(port)
        if connection is None:
            connection = connections[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=self.timeout)
        try:
            connection.request("POST", "/v1/event", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            if response.will_close:
                connection.close()
                del connections[port]
            return response.status
        except (OSError, http.client.HTTPException) as e:
            connection.close()
            del connections[port]
            return "timeout" if isinstance(e, socket.timeout) else type(e).__name__

    def all_recovered(self, since):
        """Whether every user has had an answer 2xx to a request sent after `since`."""
        return all(any(s > since and ok(o) for s, _, o in reversed(records)) for records in self.records)


def ok(outcome):
    return isinstance(outcome, int) and 200 <= outcome < 300


def recovery(probe, since):
    """Seconds from `since` until every user had an answer 2xx to a request sent after it (None if one did not),
    and the median user's."""
    times = []
    for records in probe.records:
        first = next((a for s, a, o in records if s > since and ok(o)), None)
        if first is None:
            return None, None
        times.append(first - since)
    return max(times), statistics.median(times)


def measure_failover(round_, n, opts, out_dir):
    logs = out_dir / f"r{round_}-n{n}-failover"
    logs.mkdir(parents=True)
    state_root = Path(tempfile.mkdtemp(prefix="events-processor-cluster-bench-"))
    run = {"case": "failover", "round": round_, "nodes": n, "probe_users": opts.probe_users,
           "probe_rate": opts.probe_rate}
    nodes, probe = [], None
    try:
        nodes, run["formed_s"] = start_cluster(opts, n, logs, state_root)
        victim, survivors = nodes[-1], nodes[:-1]
        run["killed"] = victim.name
        probe = Probe([node.http for node in survivors], opts)
        probe.start()
        time.sleep(seconds(opts.before_kill))
        run["killed_owned_users"] = victim.gauges("events_processor_cluster_users_owned")[0]
        offsets = {node.name: node.log_size() for node in survivors}
        killed_at = time.monotonic()
        victim.process.send_signal(signal.SIGKILL)  # kill -9
        victim.process.wait()
        # The survivors' /metrics is not read until each has logged that the member left: the moment of the notice
        # is measured from the logs, and a scrape meanwhile would only compete with it for the cores.
        left = f"member [127.0.0.1]:{victim.hazelcast} left"
        noticed_by = {}
        safe = None
        unanswered = 0  # scrapes of a survivor's /metrics that got no answer
        deadline = killed_at + opts.failover_timeout
        while time.monotonic() < deadline and not (safe and probe.all_recovered(killed_at)):
            time.sleep(0.1)
            for node in survivors:
                if not node.alive():
                    raise SystemExit(f"{node.name} exited with code {node.process.returncode}:\n{node.log_tail()}")
                if node.name not in noticed_by and left in node.log_since(offsets[node.name]):
                    noticed_by[node.name] = time.monotonic() - killed_at
            all_noticed = len(noticed_by) == len(survivors)
            if not safe and (all_noticed or time.monotonic() - killed_at > 30):
                views = [node.membership() for node in survivors]
                unanswered += sum(v == [None, None] for v in views)
                if all(v == [len(survivors), 1] for v in views):
                    safe = time.monotonic() - killed_at
        noticed = max(noticed_by.values()) if len(noticed_by) == len(survivors) else None
        time.sleep(2)  # a little more traffic after recovery: the last slow answers show
        probe.finish()
        run.update(noticed_s=noticed, noticed_by_s=noticed_by, safe_s=safe, metrics_unanswered=unanswered)
        blocked = {}
        for node in survivors:
            found = [int(ms) for ms in re.findall(r"has been blocked for (\d+) ms", node.log_since(offsets[node.name]))]
            if found:
                blocked[node.name] = max(found) / 1000
        run["blocked_event_loop_s"] = blocked
        run.update(failover_report(probe, killed_at, opts))
        counters = [node.counters()[0] for node in survivors]
        run["survivor_counts"] = {k: sum(c[k] for c in counters) for k in counters[0]}
        run["warnings"] = failover_warnings(run, opts) + run.get("warnings", [])
    finally:
        if probe:
            probe.stop.set()
        if stop_all(nodes):
            run.setdefault("warnings", []).append("a node did not stop within 30 s of SIGTERM: killed")
        shutil.rmtree(state_root, ignore_errors=True)
    return run


def failover_report(probe, killed_at, opts):
    everything = [(s, a, o) for records in probe.records for s, a, o in records]
    after = [(s, a, o) for s, a, o in everything if s > killed_at]
    before = [(s, a, o) for s, a, o in everything if a < killed_at and s > probe.started + 1]
    all_users, median_user = recovery(probe, killed_at)
    # The same measure at an instant without a kill: what the pace alone takes (each user's turn comes once a
    # period), to read the figure above against.
    reference = killed_at - min(5.0, seconds(opts.before_kill) / 2)
    steady, _ = recovery(probe, reference)
    if steady is not None and reference + steady > killed_at:
        steady = None  # it ran into the kill: no reference
    failed = {}
    for _, _, o in after:
        if not ok(o):
            failed[str(o)] = failed.get(str(o), 0) + 1
    longest = max(after, key=lambda r: r[1] - r[0], default=None)
    latencies = sorted(a - s for s, a, _ in before)
    return {
        "recovered_all_s": all_users, "recovered_median_user_s": median_user, "recovered_all_steady_s": steady,
        "longest_after_kill_s": longest[1] - longest[0] if longest else None,
        "longest_after_kill_outcome": str(longest[2]) if longest else None,
        "requests_after_kill": len(after), "failed_after_kill": failed,
        "users_with_a_failure_after_kill": sum(any(s > killed_at and not ok(o) for s, _, o in r) for r in probe.records),
        "users_slower_than_1s_after_kill": sum(any(s > killed_at and a - s > 1 for s, a, _ in r) for r in probe.records),
        "before_kill_p99_ms": latencies[int(0.99 * (len(latencies) - 1))] * 1000 if latencies else None,
        "before_kill_max_ms": latencies[-1] * 1000 if latencies else None,
        "before_kill_failed": sum(not ok(o) for _, _, o in before),
        "probe_events_per_s": len(everything) / (max(a for _, a, _ in everything) - probe.started) if everything else 0,
    }


def failover_warnings(run, opts):
    found = []
    for node, longest in run["blocked_event_loop_s"].items():
        found.append(f"{node}: a thread of the service was blocked for up to {longest:.0f} s after the kill "
                     "(BlockedThreadChecker in its log)")
    if run["metrics_unanswered"]:
        found.append(f"{run['metrics_unanswered']} scrapes of a survivor's /metrics got no answer within 2 s")
    if run["noticed_s"] is None:
        found.append("not every survivor logged that the killed member left (the line 'member … left' of "
                     "ClusterRulesVerticle): /metrics was read from 30 s after the kill")
    if run["recovered_all_s"] is None:
        found.append(f"not every probe user had an event accepted within {opts.failover_timeout:.0f} s of the kill")
    if run["safe_s"] is None:
        found.append(f"the cluster was not safe again within {opts.failover_timeout:.0f} s of the kill")
    if run["before_kill_failed"]:
        found.append(f"{run['before_kill_failed']} probe requests failed before the kill")
    if run["probe_events_per_s"] < 0.8 * opts.probe_rate:
        found.append(f"the probe client sent {run['probe_events_per_s']:.0f} events/s of the {opts.probe_rate:.0f} "
                     "asked (a slow machine, or slow answers)")
    odd = {k: run["survivor_counts"][k] for k in ("rejected", "unsupported", "rate_limited", "late", "clamped")
           if run["survivor_counts"].get(k)}
    if odd:
        found.append(f"events not simply accepted: {odd}")
    return found


# ---- report ----------------------------------------------------------------------------------------------------

def stat(values):
    values = [v for v in values if v is not None]
    return {"median": statistics.median(values), "min": min(values), "max": max(values)} if values else None


def spread(s, fmt):
    if not s:
        return "–"
    if s["min"] == s["max"]:
        return fmt(s["median"])
    return f"{fmt(s['median'])} ({fmt(s['min'])}–{fmt(s['max'])})"


whole = lambda v: f"{v:,.0f}"
ms = lambda v: f"{v:.1f}" if v < 100 else f"{v:,.0f}"
secs = lambda v: f"{v:.1f}"


def row_key(n, key):
    """A row's key in the summary (JSON keys are strings)."""
    return f"{n}:{key}"


def summarise(runs, opts):
    """One row per (node count, case), in the order they ran."""
    rows = {}
    for n in opts.nodes:
        for key in opts.cases:
            mine = [r for r in runs if r["case"] == key and r["nodes"] == n]
            if not mine:
                continue
            fields = (("events_per_s", "cpu_us_per_event", "p50_ms", "p99_ms", "peak_rss_mb", "other_cpu_cores",
                       "warmup_s", "jit_cores_at_end_of_warmup", "jit_cores")
                      if key in LOAD_CASES else
                      ("noticed_s", "recovered_all_s", "recovered_median_user_s", "recovered_all_steady_s",
                       "longest_after_kill_s", "safe_s", "before_kill_p99_ms", "probe_events_per_s"))
            row = {"case": key, "nodes": n, "runs": len(mine), **{f: stat([r[f] for r in mine]) for f in fields}}
            if key in LOAD_CASES:
                row["title"] = load_case(key, n, opts).title
                row["non2xx"] = sum(r["non2xx"] for r in mine)
            else:
                row["failed_after_kill"] = sum(sum(r["failed_after_kill"].values()) for r in mine)
                row["timeouts_and_recovery_misses"] = sum(r["recovered_all_s"] is None for r in mine)
            rows[row_key(n, key)] = row
    return rows


def ratios(rows, opts):
    """For each load case run with 1 node and with more: each larger count's medians of CPU per event and events/s
    as a multiple of 1 node's. {case: {node count: {...}}}"""
    found = {}
    for key in opts.cases:
        one = rows.get(row_key(1, key))
        if key not in LOAD_CASES or not one:
            continue
        for n in opts.nodes:
            row = rows.get(row_key(n, key))
            if n <= 1 or not row:
                continue
            ratio = lambda f: (row[f]["median"] / one[f]["median"] if row[f] and one[f] and one[f]["median"]
                               else None)
            found.setdefault(key, {})[n] = {"cpu_per_event": ratio("cpu_us_per_event"),
                                            "events_per_s": ratio("events_per_s")}
    return found


def tables(rows, opts):
    out = []
    load = [row for row in rows.values() if row["case"] in LOAD_CASES]
    if load:
        out += [f"| case | events/s, all nodes | CPU µs/event, all nodes | p50 ms, worst node | p99 ms, worst node | "
                f"peak RSS MB, largest node | non-2xx | warm-up s | JIT cores, measured run |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for row in load:
            out.append(f"| {row['title']} | {spread(row['events_per_s'], whole)} | "
                       f"{spread(row['cpu_us_per_event'], lambda v: f'{v:.1f}')} | {spread(row['p50_ms'], ms)} | "
                       f"{spread(row['p99_ms'], ms)} | {spread(row['peak_rss_mb'], whole)} | {row['non2xx']:,} | "
                       f"{spread(row['warmup_s'], whole)} | {spread(row['jit_cores'], lambda v: f'{v:.2f}')} |")
        others = [row["other_cpu_cores"]["median"] for row in load if row["other_cpu_cores"]]
        if others:
            out.append(f"\nOther processes used {min(others):.2f}–{max(others):.2f} cores (median per case) "
                       "while measuring.")
    for f in (row for row in rows.values() if row["case"] == "failover"):
        n = f["nodes"]
        if out:
            out.append("")
        out += [f"| kill -9 of 1 node of {n}, probe traffic only to the {n - 1} survivors | seconds after the kill |",
                "|---|---:|",
                f"| every survivor has logged that the member left | {spread(f['noticed_s'], secs)} |",
                f"| every probe user ({opts.probe_users}) has had an event accepted that it sent after the kill | "
                f"{spread(f['recovered_all_s'], secs)} |",
                f"| … the median user | {spread(f['recovered_median_user_s'], secs)} |",
                f"| … the same at an instant without a kill (each user's turn comes every "
                f"{opts.probe_users / opts.probe_rate:.2f} s) | {spread(f['recovered_all_steady_s'], secs)} |",
                f"| the longest request sent after the kill (timeout {opts.request_timeout:.0f} s) | "
                f"{spread(f['longest_after_kill_s'], secs)} |",
                f"| the cluster is safe again (every survivor: {n - 1} members, `events_processor_cluster_safe` 1) | "
                f"{spread(f['safe_s'], secs)} |",
                "",
                f"Probe client: {spread(f['probe_events_per_s'], whole)} events/s in all, p99 before the kill "
                f"{spread(f['before_kill_p99_ms'], ms)} ms; requests sent after the kill that failed (resent at the "
                f"user's next turn): {f['failed_after_kill']:,}. The load balancer is taken to have removed the killed "
                "node at once: no probe request ever went to it."]
    found = ratios(rows, opts)
    if found:
        out.append("")
    for key, by_count in found.items():
        for n, r in by_count.items():
            times = lambda v, f: "–" if v is None else f"{v:{f}}×"
            out.append(f"{key}: {nodes_word(n)} / 1 node: CPU per event {times(r['cpu_per_event'], '.1f')}, "
                       f"events/s {times(r['events_per_s'], '.2f')}")
    return "\n".join(out)


def write_results(out, opts, runs):
    out.parent.mkdir(parents=True, exist_ok=True)
    java_version = subprocess.run([single.java(), "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    rows = summarise(runs, opts)
    out.write_text(json.dumps({
        "settings": {**vars(opts), "java_opts_used": java_opts(opts),
                     "users_per_node": {n: users_per_node(opts, n) for n in opts.nodes}},
        "machine": {"cores": os.cpu_count(), "java": java_version},
        "summary": rows, "ratios_to_1_node": ratios(rows, opts), "runs": runs}, indent=2))


def preflight(opts):
    missing = []
    if set(opts.cases) & set(LOAD_CASES) and not shutil.which("wrk"):
        missing.append("wrk (Debian/Ubuntu: apt-get install wrk)")
    if not JAR.exists():
        missing.append(f"{JAR.relative_to(ROOT)} (./mvnw -B package -DskipTests builds it)")
    if missing:
        raise SystemExit("missing: " + "; ".join(missing))


def main():
    opts = settings()
    preflight(opts)
    # SIGTERM (a timeout, a CI cancel) unwinds like Ctrl-C, through the finally blocks that stop the nodes.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out_dir = ROOT / "target" / "bench" / f"cluster-{stamp}"
    out = Path(opts.out) if opts.out else out_dir / "results.json"
    conns = " | ".join("+".join(map(str, split(opts.connections, n))) for n in opts.nodes)
    users = " | ".join(str(users_per_node(opts, n)) for n in opts.nodes)
    print(f"{opts.rounds} round(s) of {', '.join(opts.cases)} on {' then '.join(map(str, opts.nodes))} nodes "
          f"({' '.join(java_opts(opts))}); load: warm-up {opts.warmup} to {opts.warmup_max} (on in chunks of "
          f"{opts.settle_chunk} while a node's JIT uses over {opts.settle:g} cores), measured {opts.duration}, one "
          f"wrk -t1 per node, connections {conns}, users per node {users}; failover: {opts.probe_users} probe users "
          f"at {opts.probe_rate:.0f} events/s, kill after {opts.before_kill}; {os.cpu_count()} cores; "
          f"logs in {out_dir.relative_to(ROOT)}", flush=True)
    runs = []
    num = lambda v, f="{:.1f}": "–" if v is None else f.format(v)
    for round_ in range(1, opts.rounds + 1):
        for n, key in ((n, key) for n in opts.nodes for key in opts.cases):
            if key == "failover" and n < 3:
                print(f"round {round_} {nodes_word(n)} failover: skipped, it needs at least 3 nodes (the survivors "
                      "must still be a majority of the members)", flush=True)
                continue
            if key in LOAD_CASES:
                run = measure_load(key, round_, n, opts, out_dir)
                print(f"round {round_} {nodes_word(n)} {key:6} {run['events_per_s']:>9,.0f} events/s  "
                      f"CPU {num(run['cpu_us_per_event']):>6} µs/event  p50 {num(run['p50_ms']):>6} ms  "
                      f"p99 {num(run['p99_ms']):>6} ms (worst node)  peak RSS {run['peak_rss_mb_per_node']} MB  "
                      f"non-2xx {run['non2xx']}  others' CPU {run['other_cpu_cores']:.2f} cores  "
                      f"nodes' CPU before the load {run['idle_cpu_cores']:.2f} cores  "
                      f"(cluster formed in {run['formed_s']:.0f} s)  warm-up {run['warmup_s']} s, JIT during the "
                      f"measurement {run['jit_cores']:.2f} cores", flush=True)
            else:
                run = measure_failover(round_, n, opts, out_dir)
                print(f"round {round_} {nodes_word(n)} failover: {run['killed']} killed (it owned {run['killed_owned_users']} users); "
                      f"member left (logged) {num(run['noticed_s'])} s, every probe user {num(run['recovered_all_s'])} s "
                      f"(median {num(run['recovered_median_user_s'])} s, no kill "
                      f"{num(run['recovered_all_steady_s'])} s), longest request sent after the kill "
                      f"{num(run['longest_after_kill_s'])} s ({run['longest_after_kill_outcome']}), safe "
                      f"{num(run['safe_s'])} s; failed after the kill {run['failed_after_kill'] or 0}; probe "
                      f"{run['probe_events_per_s']:.0f} events/s, p99 before the kill "
                      f"{num(run['before_kill_p99_ms'])} ms", flush=True)
            for warning in run["warnings"]:
                print(f"  ! {warning}", flush=True)
            runs.append(run)
            write_results(out, opts, runs)  # after every run: an interrupted benchmark keeps what it measured
    print(f"\nMedians over {opts.rounds} round(s), (min–max) in brackets:\n\n{tables(summarise(runs, opts), opts)}"
          f"\n\nresults: {out}")


if __name__ == "__main__":
    main()
