#!/usr/bin/env python3
"""Hours, not seconds: the service under a steady load for a long time, within its memory budget.

Runs target/events-processor.jar with the top-level README's command (-Xms288m -Xmx288m -XX:+AlwaysPreTouch
-XX:+UseParallelGC -XX:MaxDirectMemorySize=64m, conf/config.json with only free loopback ports, a fresh state directory and rate limits
off changed) for --duration (1 hour by default), under wrk -t2 -c32 on POST /v1/event: 200,000 users cycling
through launch, start and finish, every event id unique (src/bench/events.lua). wrk runs a minute at a time, each
minute going on with the users where the previous stopped, so that each minute has its own p99.

Every 10 s it samples the JVM's resident memory (/proc), the heap, the direct buffers and metaspace (the service's
/metrics on the admin port), the journal's bytes on disk (the state directory), the snapshots saved and failed, and
the events accepted. It writes soak.csv (one row per sample), minutes.csv (events/s and p99 per minute), summary.txt
(the figures the issue's "done when" asks for, each with its verdict) and soak.svg (RSS, direct memory and
throughput over time) in --out. With --nmt the JVM runs with -XX:NativeMemoryTracking=summary and
`jcmd <pid> VM.native_memory summary` is saved after the warm-up and at the end (nmt-*.txt).

Only loopback traffic; everything it starts is stopped at the end, or when it is interrupted or killed (the JVM and
wrk die with it). Needs Linux, JDK 17, python3 (standard library) and wrk (Debian: apt-get install wrk). Run through
src/bench/soak.sh, which builds the jar first.
"""
import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the side-by-side benchmark's process, port and config helpers)

ROOT = run.ROOT
SAMPLE_SECONDS = 10
MINUTE = 60


def parse_duration(text):
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([smh]?)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"not a duration: {text} (e.g. 90s, 10m, 1h)")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def settings():
    env = os.environ.get
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duration", type=parse_duration, default=env("DURATION", "1h"),
                   help="how long the load runs: 1h, 10m, 600s (DURATION, 1h)")
    p.add_argument("--warmup", type=parse_duration, default=env("WARMUP", "10m"),
                   help="left out of the first-10-minutes figures: at the default load every user's duplicate memory "
                        "is full after about 8 minutes, the steady state (WARMUP, 10m)")
    p.add_argument("--jar", default=env("JAR", str(run.JAR)), help="the service's jar (JAR, target/events-processor.jar)")
    p.add_argument("--java-opts", default=env("JAVA_OPTS", run.README_JAVA_OPTS),
                   help=f"the JVM's options (JAVA_OPTS, the README's: {run.README_JAVA_OPTS})")
    p.add_argument("--nmt", action="store_true", default=env("NMT", "") not in ("", "0"),
                   help="Native Memory Tracking on, summaries saved after the warm-up and at the end (NMT=1)")
    p.add_argument("--threads", type=int, default=int(env("THREADS", "2")), help="wrk's -t (THREADS, 2)")
    p.add_argument("--connections", type=int, default=int(env("CONNECTIONS", "32")), help="wrk's -c (CONNECTIONS, 32)")
    p.add_argument("--users", type=int, default=int(env("USERS", "200000")), help="users in the walk (USERS, 200000)")
    p.add_argument("--rss-budget-mb", type=int, default=int(env("RSS_BUDGET_MB", "512")),
                   help="peak RSS allowed (RSS_BUDGET_MB, 512)")
    p.add_argument("--log-level", default=env("LOG_LEVEL", "WARN"),
                   help="the service's LOG_LEVEL (WARN: at INFO, its default, it logs every decision and every "
                        "notification the local sink receives, about 1 GB per 15 minutes at this load)")
    p.add_argument("--out", default=env("OUT", ""), help="directory of the results (OUT, target/soak/<time>)")
    p.add_argument("--report", metavar="DIR", help="only write summary.txt and soak.svg again, from DIR's CSVs")
    opts = p.parse_args()
    if opts.report:
        return opts
    if opts.duration < 2 * MINUTE:
        p.error("--duration: at least 2 minutes")
    opts.out = Path(opts.out) if opts.out else ROOT / "target" / "soak" / time.strftime("%Y%m%d-%H%M%S")
    return opts


# ---- the service -------------------------------------------------------------------------------------------------

def start_service(opts, logs, state_dir):
    http, sink, admin = run.free_ports(3)
    config = json.loads(run.CONFIG.read_text())
    # As a user runs it, but on free loopback ports (other runs may be on this machine), in a fresh state directory,
    # and without the per-address rate limit (the whole load comes from one address).
    for key, value in {"http.host": "127.0.0.1", "http.port": http, "notifySink.enabled": True,
                       "notifySink.host": "127.0.0.1", "notifySink.port": sink,
                       "notify.url": f"http://127.0.0.1:{sink}/v1/notify", "admin.enabled": True,
                       "admin.host": "127.0.0.1", "admin.port": admin, "state.dir": str(state_dir),
                       "rateLimit.enabled": False}.items():
        run.set_key(config, key, value)
    conf = logs / "service-conf.json"
    conf.write_text(json.dumps(config, indent=2))
    java_opts = opts.java_opts.split() + (["-XX:NativeMemoryTracking=summary"] if opts.nmt else [])
    command = [run.java(), *java_opts, "-jar", opts.jar, "-conf", str(conf)]
    (logs / "command.txt").write_text(" ".join(command) + "\n")
    # Snapshots saved and failed are read from the metrics; the log keeps what went wrong (WARN and ERROR).
    server = run.Server(command, dict(run.clean_environment(), LOG_LEVEL=opts.log_level), logs / "service.log",
                        f"http://127.0.0.1:{http}/health", f"http://127.0.0.1:{admin}")
    return server, f"http://127.0.0.1:{http}"


def nmt(server, path):
    result = subprocess.run(["jcmd", str(server.process.pid), "VM.native_memory", "summary", "scale=MB"],
                            capture_output=True, text=True, timeout=60)
    path.write_text(result.stdout + result.stderr)


# ---- the load: wrk a minute at a time ----------------------------------------------------------------------------

class Load(threading.Thread):
    """wrk for a minute, again and again until told to stop, each minute going on with the users where the last
    stopped; every minute's figures (wrk's own: requests, non-2xx, p50, p99) kept."""

    def __init__(self, url, opts):
        super().__init__(daemon=True)
        self.url = url
        self.opts = opts
        self.minutes = []
        self.stopping = threading.Event()
        self.process = None
        self.error = None

    def run(self):
        start = "/".join("0" for _ in range(self.opts.threads))
        try:
            while not self.stopping.is_set():
                begun = time.monotonic()
                command = ["wrk", f"-t{self.opts.threads}", f"-c{self.opts.connections}", f"-d{MINUTE}s",
                           "-s", str(run.LOAD), self.url, "--", "path=/v1/event", f"threads={self.opts.threads}",
                           f"users={self.opts.users}", "label=s", f"start={start}"]
                self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                                preexec_fn=run._die_with_runner)
                stdout, stderr = self.process.communicate()
                result, following = None, None
                for line in stdout.splitlines():
                    if line.startswith("bench-result "):
                        result = json.loads(line[len("bench-result "):])
                    elif line.startswith("bench-next "):
                        following = line.split()[1]
                if result is None or following is None:
                    if self.stopping.is_set():
                        return
                    raise RuntimeError(f"wrk gave no result (exit {self.process.returncode}):\n{stdout}\n{stderr}")
                start = following
                result["started_s"] = begun
                result["ended_s"] = time.monotonic()
                self.minutes.append(result)
        except Exception as e:  # reported by the main thread, which stops everything
            self.error = e

    def stop(self):
        self.stopping.set()
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # wrk prints its figures and exits
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.join(15)


# ---- samples -----------------------------------------------------------------------------------------------------

def prometheus(text):
    """{(name, labels): value} of a Prometheus text answer."""
    values = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = re.fullmatch(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)", line)
        if match:
            values[(match.group(1), match.group(2) or "")] = float(match.group(3))
    return values


def total(values, name, *label_parts):
    found = [v for (n, labels), v in values.items() if n == name and all(p in labels for p in label_parts)]
    return sum(found) if found else None


def proc_status(pid):
    status = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "Threads"):
                status[key] = int(value.split()[0])
    return status


def journal_bytes(state_dir):
    size = 0
    for f in state_dir.glob("journal-*.log"):
        try:
            size += f.stat().st_size
        except OSError:
            pass  # deleted by a snapshot meanwhile
    return size


def log_counts(log):
    """Snapshots saved (at INFO only) and failed, as the log says (for a build without the snapshot meters)."""
    saved = failed = 0
    with open(log, errors="replace") as lines:  # a line at a time: at INFO the log grows by GBs an hour
        for line in lines:
            saved += "rules: snapshot of " in line
            failed += "rules: could not save a snapshot" in line
    return saved, failed


FIELDS = ["t_s", "rss_mb", "peak_rss_mb", "heap_mb", "direct_mb", "direct_buffers", "mapped_mb", "metaspace_mb",
          "codecache_mb", "threads", "journal_mb", "snapshots_saved", "snapshots_failed", "accepted",
          "events_per_s", "ready"]


def sample(server, state_dir, t0, previous):
    mb = lambda b: None if b is None else round(b / 2**20, 1)
    status = proc_status(server.process.pid)
    try:
        values = prometheus(run.http_get(server.admin + "/metrics", timeout=10))
    except (urllib.error.URLError, OSError):
        values = {}
    try:
        ready = run.http_get(server.ready_url.replace("/health", "/health/ready"), timeout=5) and "UP"
    except urllib.error.HTTPError as e:
        ready = "DOWN " + e.read().decode(errors="replace")
    except (urllib.error.URLError, OSError) as e:
        ready = f"no answer ({e})"
    saved = total(values, "events_processor_snapshots_total", 'outcome="saved"')
    failed = total(values, "events_processor_snapshots_total", 'outcome="failed"')
    if saved is None:
        saved, failed = log_counts(server.log)
    now = time.monotonic()
    accepted = total(values, "events_processor_events_total", 'outcome="accepted"')
    rate = None
    if previous and accepted is not None and previous["accepted"] is not None:
        rate = round((accepted - previous["accepted"]) / (now - t0 - previous["t_s"]))
    code_cache = total(values, "jvm_memory_used_bytes", 'area="nonheap"', "CodeHeap")
    if code_cache is None:
        code_cache = total(values, "jvm_memory_used_bytes", 'id="Code Cache"')
    return {
        "t_s": round(now - t0, 1),
        "rss_mb": round(status["VmRSS"] / 1024, 1),
        "peak_rss_mb": round(status["VmHWM"] / 1024, 1),
        "heap_mb": mb(total(values, "jvm_memory_used_bytes", 'area="heap"')),
        "direct_mb": mb(total(values, "jvm_buffer_memory_used_bytes", 'id="direct"')),
        "direct_buffers": total(values, "jvm_buffer_count_buffers", 'id="direct"'),
        "mapped_mb": mb(total(values, "jvm_buffer_memory_used_bytes", 'id="mapped"')),
        "metaspace_mb": mb(total(values, "jvm_memory_used_bytes", 'id="Metaspace"')),
        "codecache_mb": mb(code_cache),
        "threads": status["Threads"],
        "journal_mb": mb(journal_bytes(state_dir)),
        "snapshots_saved": None if saved is None else int(saved),
        "snapshots_failed": None if failed is None else int(failed),
        "accepted": None if accepted is None else int(accepted),
        "events_per_s": rate,
        "ready": ready if ready == "UP" else ready[:200],
    }


# ---- the report --------------------------------------------------------------------------------------------------

def per_minute(load, t0):
    rows = []
    for i, m in enumerate(load.minutes):
        seconds = m["duration_us"] / 1e6
        rows.append({"minute": i + 1, "start_s": round(m["started_s"] - t0, 1),
                     "requests_per_s": round(m["requests"] / seconds), "non2xx": m["non2xx"],
                     "socket_errors": sum(m["socket_errors"].values()),
                     "p50_ms": round(m["p50_us"] / 1000, 2), "p99_ms": round(m["p99_us"] / 1000, 2)})
    return rows


def mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def summary(samples, minutes, opts, journal_max_mb, lines):
    """The figures the issue's "done when" asks for, each with its verdict; returns whether all hold."""
    ok = True

    def verdict(name, holds, text):
        nonlocal ok
        ok &= bool(holds)
        lines.append(f"{'ok  ' if holds else 'FAIL'} {name}: {text}")

    end = samples[-1]["t_s"]
    peak = max(s["peak_rss_mb"] for s in samples)
    verdict("peak RSS", peak <= opts.rss_budget_mb, f"{peak:.0f} MB (budget {opts.rss_budget_mb} MB)")
    # Growth over the last 30 minutes (the last half of a shorter run): the mean of the last 5 minutes' samples
    # against the mean of the 5 minutes at the start of the window (a sixth of it in a shorter run), so one GC's
    # moment does not decide it.
    window = min(30 * MINUTE, end / 2)
    width = min(5 * MINUTE, window / 6)
    first = [s["rss_mb"] for s in samples if end - window <= s["t_s"] < end - window + width]
    last = [s["rss_mb"] for s in samples if s["t_s"] >= end - width]
    growth = (mean(last) - mean(first)) / mean(first) * 100
    verdict(f"RSS growth over the last {window / 60:.0f} min", growth <= 2,
            f"{growth:+.1f} % ({mean(first):.0f} MB → {mean(last):.0f} MB, means over {width / 60:.1f} min)")
    failed = max((s["snapshots_failed"] or 0) for s in samples)
    saved = max((s["snapshots_saved"] or 0) for s in samples)
    verdict("snapshots", failed == 0, f"{saved} saved, {failed} failed")
    journal_peak = max(s["journal_mb"] for s in samples)
    verdict("journal on disk", journal_peak <= 2 * journal_max_mb,
            f"at most {journal_peak:.1f} MB (bound {journal_max_mb} MB, plus one segment: {2 * journal_max_mb} MB)")
    direct_peak = max((s["direct_mb"] or 0) for s in samples)
    lines.append(f"     direct buffers: at most {direct_peak:.1f} MB; metaspace at most "
                 f"{max((s['metaspace_mb'] or 0) for s in samples):.1f} MB; heap at most "
                 f"{max((s['heap_mb'] or 0) for s in samples):.1f} MB")
    not_ready = [s for s in samples if s["ready"] != "UP"]
    lines.append(f"     readiness: {'UP in every sample' if not not_ready else f'not UP in {len(not_ready)} samples'}")
    # Throughput and p99: the first 10 minutes after the warm-up against the last 10 (shorter runs: a third each),
    # within 10 % either way (on a shared machine, a change either way is the machine's, not the service's).
    span = min(10 * MINUTE, (end - opts.warmup) / 3)
    early = [m for m in minutes if opts.warmup <= m["start_s"] < opts.warmup + span]
    late = [m for m in minutes if m["start_s"] >= end - span - MINUTE / 2]
    if early and late and early[0] is not late[0]:
        for key, name in (("requests_per_s", "events/s"), ("p99_ms", "p99 ms")):
            a, b = mean(m[key] for m in early), mean(m[key] for m in late)
            change = (b - a) / a * 100
            verdict(f"{name}, last {len(late)} min against the first {len(early)} after the warm-up",
                    abs(change) <= 10, f"{a:,.1f} → {b:,.1f} ({change:+.1f} %)")
    else:
        lines.append("     too short to compare the first and last minutes")
    requests = sum(m["requests_per_s"] * 60 for m in minutes)
    warm = [m for m in minutes if m["start_s"] < opts.warmup]
    errors = sum(m["non2xx"] + m["socket_errors"] for m in minutes if m not in warm)
    during_warmup = sum(m["non2xx"] + m["socket_errors"] for m in warm)
    verdict("answers after the warm-up", errors == 0, f"{errors} non-2xx or socket errors; {during_warmup} during "
            f"the warm-up; {requests:,} requests in all")
    return ok


def svg(samples, minutes, path, title):
    """RSS and direct memory (MB, left axis) and events/s (right axis) over time, hand-drawn."""
    width, height, left, right, top, bottom = 900, 420, 70, 80, 40, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    end_min = max(samples[-1]["t_s"] / 60, 1)
    mem_max = max(600, max(s["rss_mb"] for s in samples) * 1.1)
    rates = [m["requests_per_s"] for m in minutes] or [1]
    rate_max = max(rates) * 1.25
    x = lambda minute: left + plot_w * minute / end_min
    y_mem = lambda mb: top + plot_h * (1 - mb / mem_max)
    y_rate = lambda r: top + plot_h * (1 - r / rate_max)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="14">{title}</text>']
    for mb in range(0, int(mem_max) + 1, 100):
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y_mem(mb):.1f}" y2="{y_mem(mb):.1f}" '
                   f'stroke="#eee"/><text x="{left - 6}" y="{y_mem(mb) + 4:.1f}" text-anchor="end">{mb}</text>')
    step = 10 if end_min > 30 else (5 if end_min > 10 else 1)
    for minute in range(0, int(end_min) + 1, step):
        out.append(f'<text x="{x(minute):.1f}" y="{top + plot_h + 18}" text-anchor="middle">{minute}</text>')
    rate_step = max(1000, round(rate_max / 5, -3))
    for r in range(0, int(rate_max) + 1, int(rate_step)):
        out.append(f'<text x="{left + plot_w + 6}" y="{y_rate(r) + 4:.1f}" fill="#2a7">{r:,}</text>')
    out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y_mem(512):.1f}" y2="{y_mem(512):.1f}" '
               f'stroke="#c33" stroke-dasharray="6 4"/>'
               f'<text x="{left + 4}" y="{y_mem(512) - 4:.1f}" fill="#c33">512 MB budget</text>')
    def polyline(points, colour, width_=2):
        pts = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        return f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="{width_}"/>'
    out.append(polyline([(x(s["t_s"] / 60), y_mem(s["rss_mb"])) for s in samples], "#1f5fbf"))
    out.append(polyline([(x(s["t_s"] / 60), y_mem(s["direct_mb"] or 0)) for s in samples], "#e08a00"))
    out.append(polyline([(x((m["start_s"] + 30) / 60), y_rate(m["requests_per_s"])) for m in minutes], "#2a7", 1.5))
    out.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#888"/>')
    out.append(f'<text x="{left + plot_w / 2}" y="{height - 12}" text-anchor="middle">minutes</text>')
    out.append(f'<text transform="translate(18,{top + plot_h / 2}) rotate(-90)" text-anchor="middle">MB</text>')
    out.append(f'<text transform="translate({width - 12},{top + plot_h / 2}) rotate(90)" text-anchor="middle" '
               f'fill="#2a7">events/s (per minute)</text>')
    legend = [("#1f5fbf", "RSS"), ("#e08a00", "direct buffers"), ("#2a7", "events/s (right axis)")]
    for i, (colour, name) in enumerate(legend):
        lx = left + 10 + i * 170
        out.append(f'<line x1="{lx}" x2="{lx + 20}" y1="{top + 14}" y2="{top + 14}" stroke="{colour}" '
                   f'stroke-width="3"/><text x="{lx + 26}" y="{top + 18}">{name}</text>')
    out.append("</svg>")
    path.write_text("\n".join(out) + "\n")


def write_csv(path, rows, fields):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


# ---- main --------------------------------------------------------------------------------------------------------

def report(opts):
    """summary.txt and soak.svg again, from a soak's CSVs (after a change to the verdicts, say)."""
    out = Path(opts.report)
    number = lambda v: (int(v) if re.fullmatch(r"-?[0-9]+", v) else float(v)) if re.fullmatch(r"-?[0-9.]+", v) else v
    read = lambda name: [{k: (None if v == "" else number(v)) for k, v in row.items()}
                         for row in csv.DictReader(open(out / name))]
    samples, minutes = read("soak.csv"), read("minutes.csv")
    journal_max_mb = json.loads((out / "service-conf.json").read_text())["state"]["journalMaxMegabytes"]
    lines = [f"soak read again from {out.name}: {samples[-1]['t_s'] / 60:.1f} min, warm-up "
             f"{opts.warmup / 60:.0f} min", ""]
    ok = summary(samples, minutes, opts, journal_max_mb, lines)
    (out / "summary.txt").write_text("\n".join(lines) + "\n")
    svg(samples, minutes, out / "soak.svg", f"events-processor soak: {opts.java_opts}, wrk -t{opts.threads} "
        f"-c{opts.connections}, {samples[-1]['t_s'] / 60:.0f} min")
    print("\n".join(lines))
    sys.exit(0 if ok else 1)


def main():
    opts = settings()
    if opts.report:
        report(opts)
    if not Path(opts.jar).is_file():
        raise SystemExit(f"no jar at {opts.jar}: run src/bench/soak.sh, which builds it")
    opts.out.mkdir(parents=True, exist_ok=True)
    journal_max_mb = json.loads(run.CONFIG.read_text())["state"]["journalMaxMegabytes"]
    # SIGTERM (a timeout, a CI job cancelled) ends the run as Ctrl-C does: everything started is stopped.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    samples, load, server = [], None, None
    with tempfile.TemporaryDirectory(prefix="soak-state-") as state:
        state_dir = Path(state)
        try:
            server, url = start_service(opts, opts.out, state_dir)
            print(f"soak: {opts.jar} with {opts.java_opts}{' (NMT on)' if opts.nmt else ''} for "
                  f"{opts.duration / 60:.0f} min; wrk -t{opts.threads} -c{opts.connections}, {opts.users:,} users; "
                  f"results in {opts.out}", flush=True)
            t0 = time.monotonic()
            load = Load(url, opts)
            load.start()
            nmt_done = False
            next_sample = t0
            while time.monotonic() - t0 < opts.duration:
                if load.error:
                    raise load.error
                if server.process.poll() is not None:
                    raise SystemExit(f"the service exited with code {server.process.returncode}:\n"
                                     f"{server.log_tail()}")
                samples.append(sample(server, state_dir, t0, samples[-1] if samples else None))
                s = samples[-1]
                if len(samples) % 6 == 1:
                    print(f"{s['t_s'] / 60:5.1f} min  RSS {s['rss_mb']:6.1f} MB  heap {s['heap_mb']} MB  direct "
                          f"{s['direct_mb']} MB  metaspace {s['metaspace_mb']} MB  journal {s['journal_mb']} MB  "
                          f"snapshots {s['snapshots_saved']} saved {s['snapshots_failed']} failed  "
                          f"{s['events_per_s']} events/s  {s['ready']}", flush=True)
                write_csv(opts.out / "soak.csv", samples, FIELDS)  # as it goes: an interrupted soak keeps its rows
                if opts.nmt and not nmt_done and s["t_s"] >= opts.warmup:
                    nmt(server, opts.out / "nmt-after-warmup.txt")
                    nmt_done = True
                next_sample += SAMPLE_SECONDS
                time.sleep(max(0.0, next_sample - time.monotonic()))
            if opts.nmt:
                nmt(server, opts.out / "nmt-end.txt")
        except KeyboardInterrupt:
            print("soak: interrupted; stopping what it started", flush=True)
        finally:
            if load:
                load.stop()
            if server:
                server.stop()
                (opts.out / "exit-code.txt").write_text(f"{server.process.returncode}\n")
    if not samples:
        raise SystemExit("no sample taken")
    minutes = per_minute(load, t0) if load else []
    write_csv(opts.out / "minutes.csv", minutes,
              ["minute", "start_s", "requests_per_s", "non2xx", "socket_errors", "p50_ms", "p99_ms"])
    lines = [f"soak of {opts.jar} ({opts.java_opts}{', NMT on' if opts.nmt else ''}) for "
             f"{samples[-1]['t_s'] / 60:.1f} min, wrk -t{opts.threads} -c{opts.connections} POST /v1/event, "
             f"{opts.users:,} users; warm-up {opts.warmup / 60:.0f} min; exit code at SIGTERM "
             f"{server.process.returncode if server else '?'}", ""]
    ok = summary(samples, minutes, opts, journal_max_mb, lines)
    code = server.process.returncode if server else None
    lines.append(f"     the last snapshot, at SIGTERM: {'saved (exit code 143)' if code == 143 else f'exit code {code}'}"
                 f"{' (74: it could not be saved)' if code == 74 else ''}")
    text = "\n".join(lines) + "\n"
    (opts.out / "summary.txt").write_text(text)
    svg(samples, minutes, opts.out / "soak.svg",
        f"events-processor soak: {opts.java_opts}, wrk -t{opts.threads} -c{opts.connections}, "
        f"{samples[-1]['t_s'] / 60:.0f} min")
    print("\n" + text + f"\nresults: {opts.out} (soak.csv, minutes.csv, summary.txt, soak.svg)", flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
