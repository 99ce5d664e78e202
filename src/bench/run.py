#!/usr/bin/env python3
"""Throughput of events-processor side by side with bare Vert.x, on this machine, in one run.

Each case starts a fresh JVM, warms it up, then measures with wrk; cases alternate, for several rounds, and the
table gives medians (this machine is noisy: read the spread too). Ratios are to the bare server's parse-and-answer
of the same run. Run through run.sh, which builds what this needs. Environment:
  ROUNDS (3), DUR (20s), WARM (8s), CASES (names, separated by ";": default all), CONNECTIONS (64),
  JAVA_OPTS (for the service's JVM, e.g. -Xmx512m), OUT (results as JSON, default target/bench-results.json),
  BASELINE_JAR (another build of the service, e.g. the commit before durable acknowledgement, run side by side).
"""
import json, os, re, shutil, signal, socket, statistics, subprocess, sys, tempfile, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
JAR = os.path.join(ROOT, "target", "events-processor.jar")
CLASSPATH = ":".join([os.path.join(ROOT, "target", "classes"), os.path.join(ROOT, "target", "test-classes"),
                      open(os.path.join(ROOT, "target", "cp.txt")).read().strip()])
ROUNDS = int(os.environ.get("ROUNDS", "3"))
DUR = os.environ.get("DUR", "20s")
WARM = os.environ.get("WARM", "8s")
CONNECTIONS = os.environ.get("CONNECTIONS", "64")
JAVA_OPTS = os.environ.get("JAVA_OPTS", "").split()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except Exception:
            time.sleep(0.1)
    raise SystemExit(f"nothing answers on {url} after {timeout} s")


def bare(instances="2"):
    def start():
        port = free_port()
        p = subprocess.Popen(["java", "-cp", CLASSPATH, "io.eventsprocessor.bench.BareServer", str(port), instances],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_http(f"http://127.0.0.1:{port}/")
        return p, f"http://127.0.0.1:{port}", None
    return start


def service(instances="1", sync="fsync", jar=JAR):
    def start():
        port, sink, admin = free_port(), free_port(), free_port()
        work = tempfile.mkdtemp(prefix="ep-bench-")
        conf = {"http": {"host": "127.0.0.1", "port": port}, "rateLimit": {"enabled": False},
                "notify": {"url": f"http://127.0.0.1:{sink}/v1/notify"},
                "notifySink": {"enabled": True, "port": sink}, "admin": {"port": admin},
                "state": {"dir": os.path.join(work, "data")}}
        if sync:
            conf["state"]["sync"] = sync
        with open(os.path.join(work, "conf.json"), "w") as f:
            json.dump(conf, f)
        log = open(os.path.join(work, "log.txt"), "w")
        p = subprocess.Popen(["java"] + JAVA_OPTS + ["-jar", jar, "-conf", os.path.join(work, "conf.json"),
                              "-instances", instances], stdout=log, stderr=subprocess.STDOUT,
                             env=dict(os.environ, LOG_LEVEL="WARN"))
        wait_http(f"http://127.0.0.1:{port}/health")
        return p, f"http://127.0.0.1:{port}", work
    return start


SINGLE = ["10000", "2", "250"]
CASES = [  # name, server, wrk script, script arguments, events per request
    ("bare: parse, 202", bare(), "events.lua", SINGLE + ["/json"], 1),
    ("bare: parse, bus, map put", bare(), "events.lua", SINGLE + ["/bus"], 1),
    ("service /v1/event, fsync", service(sync="fsync"), "events.lua", SINGLE, 1),
    ("service /v1/event, write", service(sync="write"), "events.lua", SINGLE, 1),
    ("service /v1/events x99, fsync", service(sync="fsync"), "batch.lua", ["99"], 99),
    ("service /v1/events x99, write", service(sync="write"), "batch.lua", ["99"], 99),
]
if os.environ.get("BASELINE_JAR"):
    CASES += [
        ("baseline /v1/event", service(sync=None, jar=os.environ["BASELINE_JAR"]), "events.lua", SINGLE, 1),
        ("baseline /v1/events x99", service(sync=None, jar=os.environ["BASELINE_JAR"]), "batch.lua", ["99"], 99),
    ]


def wrk(url, script, args, duration):
    out = subprocess.run(["wrk", "-t2", "-c" + CONNECTIONS, "-d" + duration, "--latency", "-s",
                          os.path.join(HERE, script), url, "--"] + args, capture_output=True, text=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    requests = re.search(r"(\d+) requests in", out)
    if not rps:
        raise SystemExit("wrk gave no result:\n" + out)

    def latency(q):
        m = re.search(r"\s%s%%\s+([\d.]+)(us|ms|s)\b" % q, out)
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(rps.group(1)), "requests": int(requests.group(1)), "p50": latency(50), "p99": latency(99),
            "non2xx": int(non2xx.group(1)) if non2xx else 0, "errors": errors.group(1) if errors else ""}


def cpu_seconds(pid):
    """User and system CPU time of the process so far: per event, a figure that the machine's noise moves less."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) // 1024
    return -1


def main():
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    wanted = [c for c in os.environ.get("CASES", "").split(";") if c]
    cases = [c for c in CASES if not wanted or c[0] in wanted]
    results = []
    for r in range(ROUNDS):
        for name, start, script, args, per in cases:
            p, url, work = start()
            try:
                wrk(url, script, args, WARM)
                cpu = cpu_seconds(p.pid)
                res = wrk(url, script, args, DUR)
                cpu_us = (cpu_seconds(p.pid) - cpu) * 1e6 / max(1, res["requests"] * per)
                res.update(case=name, round=r, events_per_s=res["rps"] * per, rss_mb=peak_rss_mb(p.pid), cpu_us=cpu_us)
                results.append(res)
                print(f"r{r} {name:32s} {res['events_per_s']:>9.0f} events/s  p50 {res['p50']:6.2f} ms  "
                      f"p99 {res['p99']:7.2f} ms  CPU {res['cpu_us']:6.1f} us/event  non-2xx {res['non2xx']}  peak RSS {res['rss_mb']} MB {res['errors']}",
                      flush=True)
            finally:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
                if work:
                    shutil.rmtree(work, ignore_errors=True)
    out = os.environ.get("OUT", os.path.join(ROOT, "target", "bench-results.json"))
    with open(out, "w") as f:
        json.dump(results, f, indent=1)
    table(cases, results)


def table(cases, results):
    def median(name, key):
        values = [r[key] for r in results if r["case"] == name]
        return statistics.median(values), min(values), max(values)
    base = median(cases[0][0], "events_per_s")[0] if results else 0
    print(f"\nmedians of {ROUNDS} round(s), {DUR} each, wrk -t2 -c{CONNECTIONS}; ratio to '{cases[0][0]}'")
    print("| case | events/s (min-max) | ratio | p50 ms | p99 ms | CPU µs/event | peak RSS MB |")
    print("|---|---|---|---|---|---|---|")
    for name, *_ in cases:
        eps, lo, hi = median(name, "events_per_s")
        print(f"| {name} | {eps:,.0f} ({lo:,.0f}-{hi:,.0f}) | {eps / base:.2f} | {median(name, 'p50')[0]:.2f} | "
              f"{median(name, 'p99')[0]:.2f} | {median(name, 'cpu_us')[0]:.1f} | {median(name, 'rss_mb')[0]:.0f} |")


if __name__ == "__main__":
    main()
