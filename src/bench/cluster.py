#!/usr/bin/env python3
"""The service as a cluster of N nodes on loopback: ingestion throughput, failover after a kill -9, and (when asked
for) the time to safety of a rolling restart and of a node joining.

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
  rolling       only when named (--cases rolling: it takes minutes). First the users' state: one wrk per node
                (events.lua, single events, --rolling-users in all split between the nodes) until the nodes own that
                many users (events_processor_cluster_users_owned summed), at most --join-timeout. Then the failover's
                probe client on every node that is up, all along (its users are extra). Then a rolling restart, as
                an operator's script behind a load balancer would do it: each node in turn is taken out of the
                probe's targets (its requests under way answered first), sent SIGTERM, waited for, started again
                with the same ports, state directory and config, and put back once its /health/ready answers 200;
                the next one only once the cluster is safe. Then an (N+1)th node joins (fresh ports and state
                directory; it lists every member, the others keep their list; its quorum is theirs, N//2+1).
                Reported, per restart: the stop (SIGTERM to exit), back (its start until every node sees N members)
                and safe (from back until every node reports events_processor_cluster_safe 1, read every 0.25 s and
                held 1.5 s, since each node checks every second); for the join: joined (start until every node
                sees N+1), safe, and the users it owned then against an even share; the probe's p99 during each
                restart, its requests that failed (resent), and, at the end, each probe user's last acknowledged
                event sent again (answered 200 duplicate if the cluster kept it, 202 if it lost it). A warning when
                safe takes over --safe-target (15 s). No warm-up: this measures time to safety, not CPU, but the
                JIT is still compiling all along (and a restarted node starts cold), which on few cores slows the
                nodes, and so the figures, as a deploy's would be. Needs at least 3 nodes.
  fullstart     only when named (--cases fullstart). --fullstart-users users given state (as rolling does), the
                probe client on every node, then every node killed with SIGKILL at once and started again with its
                state directory. Reported: from the kill until every node answers /health/ready 200 (the nodes'
                start, reading their journals and putting the entries back included) and until every probe user has
                an event accepted again; the entries the nodes put back (from their logs) and the users owned before
                and after; each probe user's last acknowledged event resent at the end (202: lost). Needs at least 3
                nodes.

Nodes take ports below Linux's ephemeral range (an outgoing connection cannot take a node's port before it binds
it, or while it restarts). Needs wrk (Debian: apt-get install wrk), Linux (/proc) and the stdlib only; reuses
src/bench/run.py (the single-node kit) for processes, wrk's script and the service's counters. Build first: ./mvnw -B package -DskipTests. Every
setting is a flag, or the environment variable named in its help.
"""
import argparse
import http.client
import json
import os
import random
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
ALL_CASES = (*LOAD_CASES, "failover")  # the default cases
KNOWN_CASES = (*ALL_CASES, "rolling", "fullstart")  # long: run only when asked for
NEED_3 = ("failover", "rolling", "fullstart")  # cases that need a majority of the members left when one is down
POLL = 0.25  # seconds between two readings of the nodes' /metrics while waiting for the cluster
SAFE_CONFIRM = 1.5  # rolling: seconds all-safe must hold (a node's safe gauge may be up to a check old)


def settings():
    env = os.environ.get
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nodes", default=env("NODES", "3"),
                   help="nodes of the cluster, or comma-separated node counts to run in turn, e.g. 1,3 (NODES, 3)")
    p.add_argument("--rounds", type=int, default=int(env("ROUNDS", "1")), help="rounds of every case (ROUNDS, 1)")
    p.add_argument("--duration", default=env("DURATION", "20s"), help="measured time of the load cases, wrk's -d "
                                                                     "(DURATION, 20s)")
    single.warm_up_settings(p, env("WARMUP", "30s"), "0.1", "300s",
                            "other users than the measured run's (WARMUP, 30s)",
                            ": three JVMs on 2 cores rarely go below")
    p.add_argument("--cases", default=env("CASES", ""),
                   help=f"comma-separated, in the order to run them, of {', '.join(KNOWN_CASES)} (CASES; default "
                        f"{','.join(ALL_CASES)}: rolling, which takes minutes, only when named)")
    p.add_argument("--java-opts", default=env("JAVA_OPTS", ""),
                   help=f"JVM options of every node (JAVA_OPTS; {DEFAULT_HEAP} is added unless they set the heap)")
    p.add_argument("--service-args", default=env("SERVICE_ARGS", ""),
                   help="launcher options after -cluster -conf, e.g. '-instances 2' (SERVICE_ARGS)")
    p.add_argument("--partitions", type=int, default=int(env("PARTITIONS", "0")),
                   help="cluster.partitions of every node (PARTITIONS; 0: the config's, 271)")
    p.add_argument("--connections", type=int, default=int(env("CONNECTIONS", "64")),
                   help="wrk connections in all, split between the nodes' wrk (CONNECTIONS, 64)")
    p.add_argument("--users", type=int, default=int(env("USERS", "10000")),
                   help="users of the load in all, split between the nodes, whole groups of 250 (USERS, 10000)")
    p.add_argument("--batch", type=int, default=int(env("BATCH", "99")), help="events per batch (BATCH, 99)")
    p.add_argument("--probe-users", type=int, default=int(env("PROBE_USERS", "300")),
                   help="failover, rolling: users of the probe client, a thread each (PROBE_USERS, 300)")
    p.add_argument("--probe-rate", type=float, default=float(env("PROBE_RATE", "600")),
                   help="failover, rolling: events/s of the probe client in all, spread evenly over its users "
                        "(PROBE_RATE, 600)")
    p.add_argument("--before-kill", default=env("BEFORE_KILL", "10s"),
                   help="failover: probe traffic before the kill; rolling: before the first restart (BEFORE_KILL, 10s)")
    p.add_argument("--request-timeout", type=float, default=float(env("REQUEST_TIMEOUT", "30")),
                   help="failover, rolling: seconds a probe request may take before it counts as failed and is "
                        "resent (REQUEST_TIMEOUT, 30)")
    p.add_argument("--failover-timeout", type=float, default=float(env("FAILOVER_TIMEOUT", "120")),
                   help="failover: seconds after the kill to give up waiting for recovery; rolling: seconds a node may "
                        "take to exit after SIGTERM (then SIGKILL), and the cluster to be safe once the node is back "
                        "(FAILOVER_TIMEOUT, 120)")
    p.add_argument("--join-timeout", type=float, default=float(env("JOIN_TIMEOUT", "180")),
                   help="seconds the nodes may take to form a safe cluster; rolling: also the longest load that gives "
                        "the users their state, and the longest a restarted or joining node may take to be seen by "
                        "every node (JOIN_TIMEOUT, 180)")
    p.add_argument("--rolling-users", type=int, default=int(env("ROLLING_USERS", "10000")),
                   help="rolling: users given state before the restarts (wrk, split between the nodes; the probe's "
                        "users are extra) (ROLLING_USERS, 10000)")
    p.add_argument("--fullstart-users", type=int, default=int(env("FULLSTART_USERS", "100000")),
                   help="fullstart: users given state before every node is killed (FULLSTART_USERS, 100000)")
    p.add_argument("--safe-target", type=float, default=float(env("SAFE_TARGET", "15")),
                   help="rolling: seconds within which the cluster should be safe again once a restarted or joining "
                        "node is back; a warning beyond (SAFE_TARGET, 15)")
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
    if [c for c in args.cases if c not in KNOWN_CASES]:
        problems.append(f"cases must be some of {', '.join(KNOWN_CASES)}")
    if args.rounds < 1 or min(args.nodes, default=1) < 1:
        problems.append("rounds and nodes at least 1")
    for key in NEED_3:
        if key in args.cases and max(args.nodes, default=3) < 3:
            problems.append(f"{key} needs at least 3 nodes: the others must still be a majority of the members "
                            "(the default quorum) while one is down")
    if args.rolling_users < 1:
        problems.append("rolling users at least 1")
    if args.connections < max(args.nodes, default=1):
        problems.append("at least one connection per node")
    durations = (args.duration, args.warmup, args.settle_chunk, args.warmup_max, args.before_kill)
    for d in durations:
        if not re.fullmatch(r"\d+[smh]?", d):
            problems.append(f"duration {d!r}: use wrk's form, e.g. 20s, 1m")
    if all(re.fullmatch(r"\d+[smh]?", d) for d in durations):
        if single.seconds(args.settle_chunk) < 1:
            problems.append("settle chunk at least 1s")
        if single.seconds(args.warmup_max) < single.seconds(args.warmup):
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


def java_opts(opts):
    given = opts.java_opts.split()
    sets_heap = any(o.startswith(("-Xmx", "-XX:MaxHeapSize", "-XX:MaxRAM")) for o in given)
    return given if sets_heap else [DEFAULT_HEAP, *given]


# ---- the cluster -----------------------------------------------------------------------------------------------

class Node(single.Server):
    """One node of the cluster: started without waiting (a node is not ready before a quorum of others is up)."""

    def __init__(self, index, command, env, log, http, admin, hazelcast, cluster):
        self.index = index
        self.command, self.env = command, env
        self.hazelcast = hazelcast
        self.cluster = cluster  # the cluster's name
        self.name = f"node-{index}"
        self.log = log
        self.http = http
        self.url = f"http://127.0.0.1:{http}"
        self.ready_url = f"{self.url}/health"
        self.admin_port = admin
        self.admin = f"http://127.0.0.1:{admin}"
        self.hint = ""
        # Started from the main thread only: PR_SET_PDEATHSIG fires when the thread that forked ends.
        with open(log, "w") as out:
            self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, preexec_fn=single._die_with_runner)

    def again(self, log):
        """The same node started again: the same command (ports, state directory, config) and environment."""
        return Node(self.index, self.command, self.env, log, self.http, self.admin_port, self.hazelcast, self.cluster)

    def alive(self):
        return self.process.poll() is None

    def healthy(self, path="/health"):
        """Whether this health path (/health, /health/ready) answers 2xx."""
        try:
            single.http_get(self.url + path, timeout=2)
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
            try:  # a build before the calls were counted has none
                found["cluster_calls"] = single.metric(text, "events_processor_cluster_calls_total")
            except single.NoMetric:
                found["cluster_calls"] = 0
        except (urllib.error.URLError, OSError) as e:
            raise SystemExit(f"{self.name}'s /metrics did not answer within 60 s: {e}")
        except single.NoMetric as e:
            raise SystemExit(f"{self.name}: {e}: update src/bench/run.py")
        return found, time.monotonic() - started

    def log_size(self):
        return self.log.stat().st_size

    def log_since(self, offset):
        with open(self.log, "rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")


def free_ports(n):
    """n distinct ports free now, below Linux's ephemeral range (as JarNode.freePort in the tests): a port the kernel
    hands out for port 0 may be taken, before a node binds it (or binds it again, restarted), as the local port of
    an outgoing connection, and the members connect to each other all the time."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    if low < 12_000:
        return single.free_ports(n)
    held, ports = [], []
    try:
        for port in random.sample(range(low - 12_000, low), min(12_000, 50 * n)):
            s = socket.socket()
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                s.close()
                continue
            held.append(s)
            ports.append(port)
            if len(ports) == n:
                return ports
    finally:
        for s in held:
            s.close()
    raise SystemExit(f"not {n} free ports from {low - 12_000} to {low - 1}")


def start_node(opts, i, ports, cluster, members, logs, state_root, quorum=0, log=None):
    """Node i, started: ports (HTTP, admin, local sink, Hazelcast), the cluster's name, its members (host:port,
    comma-separated), the quorum (0: the service's default, a majority of the members)."""
    http, admin, sink, hz = ports
    config = json.loads(CONFIG.read_text())
    # What must differ per node (ports, state directory), the cluster, and what the load needs, as in
    # run.py: rate limits off (thousands of events a second from one address), each node's own local
    # notification sink (a cluster's nodes cannot share one port), no authentication.
    keys = {
        "http.host": "127.0.0.1", "http.port": http,
        "admin.enabled": True, "admin.host": "127.0.0.1", "admin.port": admin,
        "notifySink.enabled": not opts.notify_url, "notifySink.host": "127.0.0.1",
        "notifySink.port": sink,
        "notify.url": opts.notify_url or f"http://127.0.0.1:{sink}/v1/notify",
        "state.dir": str(state_root / f"node-{i}"),
        "cluster.name": cluster, "cluster.host": "127.0.0.1", "cluster.port": hz, "cluster.members": members,
        "rateLimit.enabled": False, "auth.mode": "none",
    }
    if quorum:
        keys["cluster.quorum"] = quorum
    if opts.partitions:
        keys["cluster.partitions"] = opts.partitions
    for key, value in keys.items():
        single.set_key(config, key, value)
    conf = logs / f"node-{i}-conf.json"
    conf.write_text(json.dumps(config, indent=2))
    command = [single.java(), *java_opts(opts), "-jar", str(JAR), "-cluster", "-conf", str(conf),
               *opts.service_args.split()]
    env = dict(single.clean_environment(), LOG_LEVEL="WARN")
    return Node(i, command, env, log or logs / f"node-{i}.log", http, admin, hz, cluster)


def start_cluster(opts, n, logs, state_root):
    ports = free_ports(4 * n)
    http, admin, sink, hz = (ports[i * n:(i + 1) * n] for i in range(4))
    name = f"bench-{os.getpid()}-{time.time_ns()}"  # never joins another run's (or anyone's) cluster
    members = ",".join(f"127.0.0.1:{p}" for p in hz)
    nodes = []
    try:
        for i in range(n):
            nodes.append(start_node(opts, i, (http[i], admin[i], sink[i], hz[i]), name, members, logs, state_root))
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


def wrk_all(nodes, case, duration, prefix, opts, users=None, until=None):
    """One wrk per node, all at once; returns their results (in the nodes' order) and the most wrk processes of
    others seen meanwhile. users: each node's users (default users_per_node); until: a test read every second,
    which stops every wrk (SIGINT: it still reports) once true."""
    processes = []
    users = users or [users_per_node(opts, len(nodes))] * len(nodes)
    for node, connections, mine in zip(nodes, split(opts.connections, len(nodes)), users):
        # wrk's own timeout (2 s) would count a slow answer as an error and leave it out of the latencies.
        command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}", "--timeout", f"{opts.request_timeout:g}s",
                   "--latency", "-s", str(LOAD), node.url, "--",
                   f"path={case.path}", "threads=1", f"users={mine}", f"label={prefix}{node.index}"]
        if case.batch:
            command.append(f"batch={case.batch}")
        processes.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                          preexec_fn=single._die_with_runner))
    try:
        ours = {str(p.pid) for p in processes}
        others = 0
        stopped = False
        while any(p.poll() is None for p in processes):
            others = max(others, other_wrk_running(ours))
            time.sleep(1)
            if until and not stopped and until():
                for process in processes:
                    if process.poll() is None:
                        process.send_signal(signal.SIGINT)
                stopped = True
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


def warm_up(nodes, case, key, opts):
    """Load until the JIT has settled: at least --warmup, then on while any node's compiler threads used more
    than --settle cores in the last chunk, up to --warmup-max. One wrk run per chunk, each with its own users
    (events.lua starts them at the first day). Returns (seconds run, the last chunk's JIT cores of the busiest
    node, every chunk's JIT cores per node, settled)."""
    least, chunk, most = (single.seconds(d) for d in (opts.warmup, opts.settle_chunk, opts.warmup_max))
    done, chunks, last = 0, [], None
    while done < most:
        # up to --warmup every chunk counts toward it (the last one shorter if need be), and the first
        # chunk after it is read for settling
        length = min(chunk, (least - done) if done < least else most - done)
        jit = single.Jit(nodes)
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
        jit = single.Jit(nodes)
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
        run["events_per_call"] = round(handled / counts["cluster_calls"], 2) if counts["cluster_calls"] else None
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
    a request that fails (an error, a timeout, not 2xx) is sent again, same id, at the user's next turn. The nodes
    may change meanwhile (remove, add), as behind a load balancer."""

    def __init__(self, ports, opts):
        self.ports = list(ports)  # the targets, replaced whole (under the lock), never changed in place
        self.lock = threading.Lock()
        self.in_flight = {}  # port: requests under way
        self.acked = [0] * opts.probe_users  # per user: its events answered 2xx, the number of its next event
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

    def remove(self, port):
        with self.lock:
            self.ports = [p for p in self.ports if p != port]

    def add(self, port):
        with self.lock:
            if port not in self.ports:
                self.ports = [*self.ports, port]

    def drain(self, port, timeout):
        """Waits, once the port is removed, until no request to it is under way (at most timeout); returns whether
        none is. A request takes its port and counts itself under the lock: none can start after the removal."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if not self.in_flight.get(port):
                    return True
            time.sleep(0.01)
        return False

    def _user(self, user):
        connections = {}
        try:
            n, turn = 0, user
            next_at = self.started + self.period * user / self.users  # the users' turns spread over a period
            while not self.stop.wait(max(0.0, next_at - time.monotonic())):
                with self.lock:
                    ports = self.ports
                    port = ports[turn % len(ports)]
                    self.in_flight[port] = self.in_flight.get(port, 0) + 1
                turn += 1
                for gone in [p for p in connections if p not in ports]:
                    connections.pop(gone).close()  # a node taken out: no stale keep-alive once it is back
                body = probe_event(self.run_id, user, n)
                sent = time.monotonic()
                try:
                    outcome = self._post(connections, port, body)
                finally:
                    with self.lock:
                        self.in_flight[port] -= 1
                answered = time.monotonic()
                self.records[user].append((sent, answered, outcome))
                if isinstance(outcome, int) and 200 <= outcome < 300:
                    n += 1
                    self.acked[user] = n
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
        time.sleep(single.seconds(opts.before_kill))
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
    reference = killed_at - min(5.0, single.seconds(opts.before_kill) / 2)
    steady, _ = recovery(probe, reference)
    if steady is not None and reference + steady > killed_at:
        steady = None  # it ran into the kill: no reference
    failed = {}
    for _, _, o in after:
        if not ok(o):
            failed[str(o)] = failed.get(str(o), 0) + 1
    longest = max(after, key=lambda r: r[1] - r[0], default=None)
    latencies = sorted(a - s for s, a, _ in before)
    p99 = percentile(latencies, 0.99)
    return {
        "recovered_all_s": all_users, "recovered_median_user_s": median_user, "recovered_all_steady_s": steady,
        "longest_after_kill_s": longest[1] - longest[0] if longest else None,
        "longest_after_kill_outcome": str(longest[2]) if longest else None,
        "requests_after_kill": len(after), "failed_after_kill": failed,
        "users_with_a_failure_after_kill": sum(any(s > killed_at and not ok(o) for s, _, o in r) for r in probe.records),
        "users_slower_than_1s_after_kill": sum(any(s > killed_at and a - s > 1 for s, a, _ in r) for r in probe.records),
        "before_kill_p99_ms": p99 * 1000 if p99 is not None else None,
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


def percentile(ordered, q):
    """The q-quantile of these sorted values (the nearest lower rank), None if there are none."""
    return ordered[int(q * (len(ordered) - 1))] if ordered else None


# ---- rolling restart and join ----------------------------------------------------------------------------------

OWNED = "events_processor_cluster_users_owned"


def owned_users(nodes):
    """Each node's events_processor_cluster_users_owned, None for one whose /metrics did not answer."""
    return [node.gauges(OWNED)[0] for node in nodes]


def give_state(nodes, opts, run, total):
    """The users' state: one wrk per node (events.lua, single events, `total` users split between the nodes, each
    node's its own users), until the nodes own that many users in all (every user has had an event; an entry stays
    while its ids are in the duplicate window), at most --join-timeout. events.lua sends its users' launches first
    (a whole node's users when they are not whole groups of 250), so that takes about one event per user."""
    n = len(nodes)
    users = split(total, n)
    started = time.monotonic()
    results, _ = wrk_all(nodes, load_case("event", n, opts), f"{int(opts.join_timeout)}s", "s", opts, users=users,
                         until=lambda: sum(v or 0 for v in owned_users(nodes)) >= total)
    owned = owned_users(nodes)
    ok_answers = sum(r["requests"] - r["non2xx"] for r in results)
    run.update(state_s=round(time.monotonic() - started, 1), state_events=ok_answers,
               state_events_per_s=round(ok_answers / max(r["duration_us"] / 1e6 for r in results)),
               state_non2xx=sum(r["non2xx"] for r in results), users_owned_after_state=owned)
    print(f"  state: {sum(v or 0 for v in owned):,} users owned after {run['state_s']:.0f} s of wrk "
          f"({ok_answers:,} events at {run['state_events_per_s']:,} events/s); per node: "
          f"{', '.join(f'{node.name} {v:,}' if v is not None else f'{node.name} –' for node, v in zip(nodes, owned))}",
          flush=True)


def await_back(nodes, node, members, probe, opts, started):
    """After `node` started (at `started`, monotonic), every node's /metrics read every POLL s: back, when every
    node sees `members` members (at most --join-timeout after the start); safe, from then until every node reports
    events_processor_cluster_safe 1 and still does SAFE_CONFIRM s later (a node checks every second and a reading
    may be a check old, from before the join), at most --failover-timeout. The node goes (back) into the probe's
    targets once its /health/ready answers 200, as a load balancer's check would put it. Returns back_s and
    ready_s (from the start), safe_s (from back), each node's users owned when safe was confirmed, and the end
    (monotonic)."""
    back = ready = since = safe = owned = None
    while True:
        for other in nodes:
            if not other.alive():
                raise SystemExit(f"{other.name} exited with code {other.process.returncode}:\n{other.log_tail()}")
        if ready is None and node.healthy("/health/ready"):
            ready = time.monotonic()
            probe.add(node.http)
        now = time.monotonic()
        if safe is None:
            views = [other.membership() for other in nodes]
            now = time.monotonic()
            if back is None and all(v[0] == members for v in views):
                back = now
            if back is not None:
                if all(v == [members, 1] for v in views):
                    since = since or now
                    if now - since >= SAFE_CONFIRM:
                        safe, owned = since, owned_users(nodes)
                else:
                    since = None
        if safe is not None and ready is not None:
            break
        if safe is None and (now - started > opts.join_timeout if back is None else now - back > opts.failover_timeout):
            break
        if safe is not None and now - started > opts.join_timeout:
            break  # safe, but the node never answered ready
        time.sleep(POLL)
    return {"back_s": round(back - started, 2) if back else None,
            "ready_s": round(ready - started, 2) if ready else None,
            "safe_s": round(safe - back, 2) if safe else None,
            "owned_at_safe": owned, "end": time.monotonic()}


def window(probe, start, end):
    """The probe's requests sent from start to end (monotonic): how many, how many failed, p99 and longest."""
    latencies, failed = [], 0
    for records in probe.records:
        for s, a, o in records:
            if start <= s <= end:
                latencies.append(a - s)
                failed += not ok(o)
    latencies.sort()
    p99 = percentile(latencies, 0.99)
    return {"probe_requests": len(latencies), "probe_failed": failed,
            "probe_p99_ms": round(p99 * 1000, 1) if p99 is not None else None,
            "probe_max_ms": round(latencies[-1] * 1000, 1) if latencies else None}


def resend_last(probe, ports):
    """Each probe user's last acknowledged event sent again, same id, to the nodes in turn: answered 200
    (duplicate) if the cluster still holds the user as acknowledged, 202 (accepted anew) if it lost it. Returns
    {outcome: users}."""
    outcomes, connections = {}, {}
    try:
        for user, acked in enumerate(probe.acked):
            if acked:
                outcome = probe._post(connections, ports[user % len(ports)], probe_event(probe.run_id, user, acked - 1))
                outcomes[str(outcome)] = outcomes.get(str(outcome), 0) + 1
    finally:
        for connection in connections.values():
            connection.close()
    return outcomes


def measure_rolling(round_, n, opts, out_dir):
    logs = out_dir / f"r{round_}-n{n}-rolling"
    logs.mkdir(parents=True)
    state_root = Path(tempfile.mkdtemp(prefix="events-processor-cluster-bench-"))
    run = {"case": "rolling", "round": round_, "nodes": n, "rolling_users": opts.rolling_users,
           "probe_users": opts.probe_users, "probe_rate": opts.probe_rate, "safe_target_s": opts.safe_target,
           "restarts": [], "join": None, "warnings": []}
    nodes, probe = [], None
    within = lambda v: "within" if v is not None and v <= opts.safe_target else "NOT within"
    num = lambda v, f="{:.1f}": "–" if v is None else f.format(v)
    try:
        nodes, run["formed_s"] = start_cluster(opts, n, logs, state_root)
        give_state(nodes, opts, run, opts.rolling_users)
        probe = Probe([node.http for node in nodes], opts)
        probe.start()
        time.sleep(single.seconds(opts.before_kill))
        steady = (probe.started + 1, time.monotonic())
        for i in range(n):
            # As an operator's script would: out of the load balancer, SIGTERM, wait for the exit, start it again,
            # back into the load balancer once ready, and the next one only once the cluster is safe.
            old = nodes[i]
            out_at = time.monotonic()
            probe.remove(old.http)
            drained = probe.drain(old.http, opts.request_timeout)
            stopping = time.monotonic()
            old.process.send_signal(signal.SIGTERM)
            try:
                old.process.wait(opts.failover_timeout)
                killed = False
            except subprocess.TimeoutExpired:
                old.process.kill()
                old.process.wait()
                killed = True
            record = {"node": old.name, "stop_s": round(time.monotonic() - stopping, 2),
                      "exit_code": old.process.returncode, "killed": killed, "drained": drained}
            started = time.monotonic()
            nodes[i] = old.again(logs / f"node-{i}-restart.log")
            back = await_back(nodes, nodes[i], n, probe, opts, started)
            record.update({k: back[k] for k in ("back_s", "ready_s", "safe_s")}, window=(out_at, back["end"]))
            run["restarts"].append(record)
            print(f"  restart {old.name}: stop {record['stop_s']:.1f} s (exit {record['exit_code']}"
                  f"{', SIGKILL' if killed else ''}), back {num(record['back_s'])} s after its start (ready "
                  f"{num(record['ready_s'])} s), safe {num(record['safe_s'])} s later ({within(record['safe_s'])} "
                  f"{opts.safe_target:g} s)", flush=True)
            if record["safe_s"] is None:
                run["warnings"].append(f"the rolling restart stopped after {old.name}: the cluster was not safe again")
                break
        else:
            ports = free_ports(4)
            members = ",".join(f"127.0.0.1:{p}" for p in [*(node.hazelcast for node in nodes), ports[3]])
            # The new node lists every member, itself too; the others keep their list of n (with TCP-IP join a
            # member that lists them joins). Its quorum is theirs, a majority of n, not of the n + 1 it lists.
            started = time.monotonic()
            joiner = start_node(opts, n, ports, nodes[0].cluster, members, logs, state_root, quorum=n // 2 + 1)
            nodes.append(joiner)
            back = await_back(nodes, joiner, n + 1, probe, opts, started)
            owned = back["owned_at_safe"]
            mine = owned[-1] if owned else None
            even = sum(v or 0 for v in owned) / (n + 1) if owned else None
            run["join"] = {"node": joiner.name, "joined_s": back["back_s"], "ready_s": back["ready_s"],
                           "safe_s": back["safe_s"], "owned_at_safe": mine, "owned_per_node_at_safe": owned,
                           "share_of_even": round(mine / even, 3) if mine is not None and even else None,
                           "window": (started, back["end"])}
            print(f"  join {joiner.name}: seen by every node {num(back['back_s'])} s after its start (ready "
                  f"{num(back['ready_s'])} s), safe {num(back['safe_s'])} s later ({within(back['safe_s'])} "
                  f"{opts.safe_target:g} s); it owned {num(mine, '{:,.0f}')} users then, "
                  f"{num(run['join']['share_of_even'], '{:.2f}')}× an even share "
                  f"({num(even, '{:,.0f}')} of {sum(v or 0 for v in owned or []):,} over {n + 1} nodes)", flush=True)
        time.sleep(2)  # a little more traffic after the last change: the last slow answers show
        probe.finish()
        run["users_owned"] = owned_users(nodes)
        run["users_owned_total"] = sum(v or 0 for v in run["users_owned"])
        run["resent_last_acknowledged"] = resend_last(probe, [node.http for node in nodes])
        run.update(rolling_report(probe, run, steady))
        for record in [*run["restarts"], *([run["join"]] if run["join"] else [])]:
            print(f"  probe during the {'join of' if record is run['join'] else 'restart of'} {record['node']}: "
                  f"{record['probe_requests']:,} requests, p99 {num(record['probe_p99_ms'], '{:,.0f}')} ms, "
                  f"longest {num(record['probe_max_ms'], '{:,.0f}')} ms, {record['probe_failed']} failed", flush=True)
        run["warnings"] = rolling_warnings(run, opts) + run["warnings"]
    finally:
        tear_down(probe, nodes, run, state_root)
    return run


def tear_down(probe, nodes, run, state_root):
    """After a case with a probe: the probe stopped, the nodes stopped (a warning if one had to be killed), their
    state directories deleted."""
    if probe:
        probe.stop.set()
    if stop_all(nodes):
        run["warnings"].append("a node did not stop within 30 s of SIGTERM: killed")
    shutil.rmtree(state_root, ignore_errors=True)


def measure_fullstart(round_, n, opts, out_dir):
    """Every node killed at once (SIGKILL) under the probe's traffic, once --fullstart-users users have state, and
    started again with their state directories: how long until every node is ready, until every probe user has an
    event accepted again, how many entries the nodes put back from their journals, and whether any acknowledged
    event was lost (each probe user's last one resent)."""
    logs = out_dir / f"r{round_}-n{n}-fullstart"
    logs.mkdir(parents=True)
    state_root = Path(tempfile.mkdtemp(prefix="events-processor-cluster-bench-"))
    run = {"case": "fullstart", "round": round_, "nodes": n, "fullstart_users": opts.fullstart_users,
           "probe_users": opts.probe_users, "probe_rate": opts.probe_rate, "warnings": []}
    nodes, probe = [], None
    try:
        nodes, run["formed_s"] = start_cluster(opts, n, logs, state_root)
        give_state(nodes, opts, run, opts.fullstart_users)
        probe = Probe([node.http for node in nodes], opts)
        probe.start()
        time.sleep(single.seconds(opts.before_kill))
        run["users_owned_before"] = sum(v or 0 for v in owned_users(nodes))
        for node in nodes:
            node.process.kill()
        for node in nodes:
            node.process.wait()
        killed = time.monotonic()
        nodes = [node.again(logs / f"node-{i}-fullstart.log") for i, node in enumerate(nodes)]
        ready = [None] * n
        while None in ready and time.monotonic() - killed < opts.join_timeout:
            for i, node in enumerate(nodes):
                if not node.alive():
                    raise SystemExit(f"{node.name} exited with code {node.process.returncode}:\n{node.log_tail()}")
                if ready[i] is None and node.healthy("/health/ready"):
                    ready[i] = round(time.monotonic() - killed, 2)
            time.sleep(POLL)
        run["ready_s"] = max(ready) if None not in ready else None
        run["ready_s_per_node"] = ready
        while not probe.all_recovered(killed) and time.monotonic() - killed < opts.join_timeout:
            time.sleep(POLL)
        run["recovered_all_s"], run["recovered_median_user_s"] = recovery(probe, killed)
        time.sleep(2)
        probe.finish()
        put_back = [node.gauges("events_processor_cluster_entries_put_back_total")[0] for node in nodes]
        run.update(put_back=sum(v or 0 for v in put_back), put_back_per_node=put_back,
                   users_owned_after=sum(v or 0 for v in owned_users(nodes)))
        run["resent_last_acknowledged"] = resend_last(probe, [node.http for node in nodes])
        run["lost_users"] = run["resent_last_acknowledged"].get("202", 0)
        run["probe_failed"] = sum(not ok(o) for records in probe.records for _, _, o in records)
        if run["ready_s"] is None:
            run["warnings"].append(f"not every node was ready within {opts.join_timeout:g} s of the kill")
        if run["lost_users"]:
            run["warnings"].append(f"{run['lost_users']} probe users' last acknowledged event was accepted anew: lost")
    finally:
        tear_down(probe, nodes, run, state_root)
    return run


def rolling_report(probe, run, steady):
    """The probe's figures, each restart's and the join's (from the node's removal, or the join's start, until safe
    and ready), and the per-run figures the summary reads."""
    for record in [*run["restarts"], *([run["join"]] if run["join"] else [])]:
        record.update(window(probe, *record.pop("window")))
    restarts, join = run["restarts"], run["join"] or {}
    everything = [(s, a, o) for records in probe.records for s, a, o in records]
    failed = {}
    for _, _, o in everything:
        if not ok(o):
            failed[str(o)] = failed.get(str(o), 0) + 1
    done = len(restarts) == run["nodes"] and all(r["safe_s"] is not None for r in restarts)
    column = lambda key: [r[key] for r in restarts]
    safes = column("safe_s")
    return {
        "steady_p99_ms": window(probe, *steady)["probe_p99_ms"],
        "probe_events_per_s": len(everything) / (max(a for _, a, _ in everything) - probe.started) if everything else 0,
        "probe_requests": len(everything), "probe_failed": failed,
        "probe_users_acknowledged": sum(1 for a in probe.acked if a),
        "lost_users": run["resent_last_acknowledged"].get("202", 0),
        "restart_stop_s_max": max(column("stop_s"), default=None),
        "restart_back_s_median": statistics.median(column("back_s")) if done else None,
        "restart_back_s_max": max(column("back_s")) if done else None,
        "restart_safe_s_median": statistics.median(safes) if done else None,
        "restart_safe_s_max": max(safes) if done else None,
        "restart_p99_ms_max": max((r["probe_p99_ms"] for r in restarts if r["probe_p99_ms"] is not None), default=None),
        "join_joined_s": join.get("joined_s"), "join_safe_s": join.get("safe_s"),
        "join_share": join.get("share_of_even"), "join_p99_ms": join.get("probe_p99_ms"),
        "all_safe_within_target": done and join.get("safe_s") is not None
                                  and max([*safes, join["safe_s"]]) <= run["safe_target_s"],
    }


def rolling_warnings(run, opts):
    found = []
    state = sum(v or 0 for v in run["users_owned_after_state"])
    if state < opts.rolling_users:
        found.append(f"the nodes owned {state:,} users after the load, not {opts.rolling_users:,} (stopped at "
                     f"--join-timeout {opts.join_timeout:.0f} s)")
    if run["state_non2xx"]:
        found.append(f"{run['state_non2xx']:,} answers of the load were not 2xx")
    for r in run["restarts"]:
        if r["killed"]:
            found.append(f"{r['node']} did not exit within {opts.failover_timeout:.0f} s of SIGTERM: killed")
        if not r["drained"]:
            found.append(f"{r['node']} still had probe requests under way {opts.request_timeout:.0f} s after it was "
                         "taken out: SIGTERM sent anyway")
        if r["back_s"] is None:
            found.append(f"{r['node']}: not every node saw {run['nodes']} members within {opts.join_timeout:.0f} s "
                         "of its start")
        elif r["safe_s"] is None:
            found.append(f"{r['node']}: the cluster was not safe within {opts.failover_timeout:.0f} s of its return")
        elif r["safe_s"] > opts.safe_target:
            found.append(f"{r['node']}: safe {r['safe_s']:.1f} s after its return, over {opts.safe_target:g} s")
        if r["ready_s"] is None:
            found.append(f"{r['node']}'s /health/ready did not answer 200: it was not put back behind the probe")
    join = run["join"]
    if join:
        if join["joined_s"] is None:
            found.append(f"{join['node']}: not every node saw {run['nodes'] + 1} members within "
                         f"{opts.join_timeout:.0f} s of its start")
        elif join["safe_s"] is None:
            found.append(f"{join['node']}: the cluster was not safe within {opts.failover_timeout:.0f} s of its join")
        elif join["safe_s"] > opts.safe_target:
            found.append(f"{join['node']}: safe {join['safe_s']:.1f} s after it joined, over {opts.safe_target:g} s")
        if join["safe_s"] is not None and not join["owned_at_safe"]:
            found.append(f"{join['node']} owned no user when the cluster was safe")
        if join["ready_s"] is None:
            found.append(f"{join['node']}'s /health/ready did not answer 200: no probe traffic went to it")
    if run["probe_failed"]:
        found.append(f"{sum(run['probe_failed'].values())} probe requests failed and were resent: "
                     f"{run['probe_failed']}")
    odd = {k: v for k, v in run["resent_last_acknowledged"].items() if k not in ("200", "202")}
    if run["lost_users"]:
        found.append(f"{run['lost_users']} probe users' last acknowledged event was accepted anew when sent again at "
                     "the end (202, not duplicate): the cluster had lost what it acknowledged")
    if odd:
        found.append(f"the resend of the last acknowledged events got {odd}")
    if run["probe_users_acknowledged"] < opts.probe_users:
        found.append(f"{opts.probe_users - run['probe_users_acknowledged']} probe users never had an event accepted")
    expected = state + run["probe_users_acknowledged"]
    if run["users_owned_total"] < expected:
        found.append(f"the nodes owned {run['users_owned_total']:,} users at the end, fewer than the {expected:,} "
                     "given state (the load's and the probe's)")
    if run["probe_events_per_s"] < 0.8 * opts.probe_rate:
        found.append(f"the probe client sent {run['probe_events_per_s']:.0f} events/s of the {opts.probe_rate:.0f} "
                     "asked (a slow machine, or slow answers)")
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
            fields = {
                "event": ("events_per_s", "cpu_us_per_event", "p50_ms", "p99_ms", "peak_rss_mb", "other_cpu_cores",
                          "warmup_s", "jit_cores_at_end_of_warmup", "jit_cores"),
                "failover": ("noticed_s", "recovered_all_s", "recovered_median_user_s", "recovered_all_steady_s",
                             "longest_after_kill_s", "safe_s", "before_kill_p99_ms", "probe_events_per_s"),
                "fullstart": ("ready_s", "recovered_all_s", "recovered_median_user_s", "put_back",
                              "users_owned_before", "users_owned_after", "state_s"),
                "rolling": ("restart_stop_s_max", "restart_back_s_median", "restart_back_s_max",
                            "restart_safe_s_median", "restart_safe_s_max", "join_joined_s", "join_safe_s",
                            "join_share", "steady_p99_ms", "restart_p99_ms_max", "join_p99_ms",
                            "probe_events_per_s", "state_s"),
            }["event" if key in LOAD_CASES else key]
            row = {"case": key, "nodes": n, "runs": len(mine), **{f: stat([r[f] for r in mine]) for f in fields}}
            if key in LOAD_CASES:
                row["title"] = load_case(key, n, opts).title
                row["non2xx"] = sum(r["non2xx"] for r in mine)
            elif key == "fullstart":
                row["lost_users"] = sum(r["lost_users"] for r in mine)
            elif key == "rolling":
                row["probe_failed"] = sum(sum(r["probe_failed"].values()) for r in mine)
                row["lost_users"] = sum(r["lost_users"] for r in mine)
                row["all_safe_within_target"] = sum(bool(r["all_safe_within_target"]) for r in mine)
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
    for r in (row for row in rows.values() if row["case"] == "rolling"):
        n = r["nodes"]
        if out:
            out.append("")
        out += [f"| rolling restart of {n} nodes ({opts.rolling_users:,} users with state, {opts.probe_users} probe "
                f"users at {opts.probe_rate:.0f} events/s), then a {n + 1}th node joins | seconds |",
                "|---|---:|",
                f"| a node's stop: SIGTERM → exit, the slowest restart | {spread(r['restart_stop_s_max'], secs)} |",
                f"| back: the node's start → every node sees {n} members, median over the restarts | "
                f"{spread(r['restart_back_s_median'], secs)} |",
                f"| … the slowest restart | {spread(r['restart_back_s_max'], secs)} |",
                f"| safe: back → every node reports `events_processor_cluster_safe` 1, median over the restarts | "
                f"{spread(r['restart_safe_s_median'], secs)} |",
                f"| … the slowest restart | {spread(r['restart_safe_s_max'], secs)} |",
                f"| join: the {n + 1}th node's start → every node sees {n + 1} members | {spread(r['join_joined_s'], secs)} |",
                f"| join: → every node safe | {spread(r['join_safe_s'], secs)} |",
                "",
                f"At safe, the {n + 1}th node owned {spread(r['join_share'], lambda v: f'{v:.2f}')}× an even share of the "
                f"users. Every restart and the join safe within {opts.safe_target:g} s: {r['all_safe_within_target']} "
                f"of {r['runs']} run(s). Probe client: {spread(r['probe_events_per_s'], whole)} events/s, p99 "
                f"{spread(r['steady_p99_ms'], ms)} ms before the restarts, up to {spread(r['restart_p99_ms_max'], ms)} "
                f"ms during a restart (from the node's removal until safe), {spread(r['join_p99_ms'], ms)} ms during "
                f"the join; requests that failed (resent at the user's next turn): {r['probe_failed']:,}; users whose "
                f"last acknowledged event was accepted anew when resent at the end (lost): {r['lost_users']:,}. Safe "
                f"is read every {POLL} s and must hold {SAFE_CONFIRM} s (each node checks it every second)."]
    for r in (row for row in rows.values() if row["case"] == "fullstart"):
        if out:
            out.append("")
        out += [f"| every one of {r['nodes']} nodes killed at once ({opts.fullstart_users:,} users with state, "
                f"{opts.probe_users} probe users at {opts.probe_rate:.0f} events/s), then started again | |",
                "|---|---:|",
                f"| users owned before the kill | {spread(r['users_owned_before'], whole)} |",
                f"| entries put back from the nodes' journals (newest of each user's copies) | "
                f"{spread(r['put_back'], whole)} |",
                f"| users owned after | {spread(r['users_owned_after'], whole)} |",
                f"| seconds from the kill until every node is ready (its start included) | "
                f"{spread(r['ready_s'], secs)} |",
                f"| seconds from the kill until every probe user has an event accepted again | "
                f"{spread(r['recovered_all_s'], secs)} |",
                f"| probe users whose last acknowledged event was accepted anew when resent (lost) | "
                f"{r['lost_users']:,} |"]
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
    if set(opts.cases) & {*LOAD_CASES, "rolling", "fullstart"} and not shutil.which("wrk"):
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
    parts = []  # the settings of the cases asked for
    if set(opts.cases) & set(LOAD_CASES):
        parts.append(f"load: warm-up {opts.warmup} to {opts.warmup_max} (on in chunks of {opts.settle_chunk} while a "
                     f"node's JIT uses over {opts.settle:g} cores), measured {opts.duration}, one wrk -t1 per node, "
                     f"connections {conns}, users per node {users}")
    if set(opts.cases) & set(NEED_3):
        parts.append(f"probe: {opts.probe_users} users at {opts.probe_rate:.0f} events/s")
    if "failover" in opts.cases:
        parts.append(f"failover: kill after {opts.before_kill}")
    if "fullstart" in opts.cases:
        parts.append(f"fullstart: {opts.fullstart_users:,} users given state, every node killed after "
                     f"{opts.before_kill} of probe")
    if "rolling" in opts.cases:
        parts.append(f"rolling: {opts.rolling_users:,} users given state, restarts after {opts.before_kill} of probe, "
                     f"no warm-up, safe target {opts.safe_target:g} s")
    print(f"{opts.rounds} round(s) of {', '.join(opts.cases)} on {' then '.join(map(str, opts.nodes))} nodes "
          f"({' '.join(java_opts(opts))}); {'; '.join(parts)}; {os.cpu_count()} cores; "
          f"logs in {out_dir.relative_to(ROOT)}", flush=True)
    runs = []
    num = lambda v, f="{:.1f}": "–" if v is None else f.format(v)
    for round_ in range(1, opts.rounds + 1):
        for n, key in ((n, key) for n in opts.nodes for key in opts.cases):
            if key in NEED_3 and n < 3:
                print(f"round {round_} {nodes_word(n)} {key}: skipped, it needs at least 3 nodes (the others "
                      "must still be a majority of the members while one is down)", flush=True)
                continue
            if key in LOAD_CASES:
                run = measure_load(key, round_, n, opts, out_dir)
                print(f"round {round_} {nodes_word(n)} {key:6} {run['events_per_s']:>9,.0f} events/s  "
                      f"CPU {num(run['cpu_us_per_event']):>6} µs/event  p50 {num(run['p50_ms']):>6} ms  "
                      f"p99 {num(run['p99_ms']):>6} ms (worst node)  peak RSS {run['peak_rss_mb_per_node']} MB  "
                      f"non-2xx {run['non2xx']}  others' CPU {run['other_cpu_cores']:.2f} cores  "
                      f"nodes' CPU before the load {run['idle_cpu_cores']:.2f} cores  "
                      f"(cluster formed in {run['formed_s']:.0f} s)  warm-up {run['warmup_s']} s, JIT during the "
                      f"measurement {run['jit_cores']:.2f} cores, events per call {num(run['events_per_call'])}",
                      flush=True)
            elif key == "fullstart":
                print(f"round {round_} {nodes_word(n)} fullstart:", flush=True)
                run = measure_fullstart(round_, n, opts, out_dir)
                print(f"round {round_} {nodes_word(n)} fullstart: every node killed with {run['users_owned_before']:,} "
                      f"users owned; all ready {num(run['ready_s'])} s after the kill (per node "
                      f"{run['ready_s_per_node']}), every probe user accepted again after "
                      f"{num(run['recovered_all_s'])} s (median {num(run['recovered_median_user_s'])} s); "
                      f"{run['put_back']:,.0f} entries put back from the journals (per node {run['put_back_per_node']}), "
                      f"{run['users_owned_after']:,} users owned after; lost "
                      f"{run['lost_users']} (last acknowledged event of the probe users resent: "
                      f"{run['resent_last_acknowledged']})", flush=True)
            elif key == "rolling":
                print(f"round {round_} {nodes_word(n)} rolling:", flush=True)
                run = measure_rolling(round_, n, opts, out_dir)
                restarts = run["restarts"]
                print(f"round {round_} {nodes_word(n)} rolling: {len(restarts)} restart(s), safe after the node's "
                      f"return: median {num(run['restart_safe_s_median'])} s, max {num(run['restart_safe_s_max'])} s "
                      f"(back after the start: median {num(run['restart_back_s_median'])} s, stop up to "
                      f"{num(run['restart_stop_s_max'])} s); join: seen {num(run['join_joined_s'])} s, safe "
                      f"{num(run['join_safe_s'])} s later, {num(run['join_share'], '{:.2f}')}× an even share; every "
                      f"one within {opts.safe_target:g} s: {'yes' if run['all_safe_within_target'] else 'NO'}; "
                      f"{run['users_owned_total']:,} users owned at the end; probe {run['probe_events_per_s']:.0f} "
                      f"events/s, p99 {num(run['steady_p99_ms'])} ms before, up to {num(run['restart_p99_ms_max'])} ms "
                      f"during a restart, {num(run['join_p99_ms'])} ms during the join; failed "
                      f"{sum(run['probe_failed'].values())}, lost {run['lost_users']} (last acknowledged event of "
                      f"{run['probe_users_acknowledged']} users resent: {run['resent_last_acknowledged']})", flush=True)
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
