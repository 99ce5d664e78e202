#!/usr/bin/env python3
"""A kill -9 under the benchmark's load loses nothing acknowledged.

The service (target/events-processor.jar, the README's JVM options, state.sync fsync, the runner's config) takes
src/bench/events.lua's single events from wrk; every event answered 202 is written down (src/bench/crash.lua).
At a random moment the JVM is killed with SIGKILL, and started again on the same state directory. Then every
acknowledged event is sent again, as it was, in batches: each must be answered "duplicate" (the service kept it);
"accepted" would be an acknowledged event it lost. Several kills in a row, each on the state the previous left.

    src/bench/crash.py [--kills 3] [--users 50000] [--after 20:40]

More users than the benchmark's 10,000 so that each user's duplicate memory (ingest.duplicatesPerUser, 32 ids)
still holds every event it had in the run: the check reads it. Needs wrk; the jar built (src/bench/run.sh builds).
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  the runner's helpers: ports, the JVM, a clean environment, the server

BASE = 946684800  # events.lua's first day
GROUP = 250
TITLE = "7 Minutes of HIIT Training"


def event(event_id, threads, per_thread, label):
    """The event events.lua sent under this id (its walk is a function of the thread and the count)."""
    run, tid, k = re.fullmatch(r"(.+)-(\d+)-(\d+)", event_id).groups()
    tid, n = int(tid), int(k) - 1
    day, m = divmod(n, 3 * per_thread)
    w = m % (3 * GROUP)
    phase = w // GROUP
    user = tid + ((m // (3 * GROUP)) * GROUP + w % GROUP) * threads
    launch = BASE + day * 86400 + 16 * 3600
    iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
    common = {"id": event_id, "userId": f"{label}-{user:05d}", "deviceId": f"dev-{user}"}
    if phase == 0:
        return {**common, "type": "app_launch", "occurredAt": iso(launch)}
    if phase == 1:
        return {**common, "type": "training_program_started", "occurredAt": iso(launch + 60),
                "data": {"programId": f"prog-{day}", "programTitle": TITLE}}
    minutes = 1 + user % 59
    return {**common, "type": "training_program_finished", "occurredAt": iso(launch + 60 + minutes * 60),
            "data": {"programId": f"prog-{day}"}}


def post(url, events):
    request = urllib.request.Request(url, data=json.dumps(events).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())["results"]
    except urllib.error.HTTPError as e:  # a 429 or 503 carries the results too
        return json.loads(e.read()).get("results", [])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kills", type=int, default=3)
    p.add_argument("--users", type=int, default=50000)
    p.add_argument("--after", default="20:40", help="the kill comes this many seconds into the load, at random")
    opts = p.parse_args()
    low, high = map(float, opts.after.split(":"))
    work = Path(tempfile.mkdtemp(prefix="events-processor-crash-"))
    state = work / "state"
    http, sink, admin = bench.free_ports(3)
    config = json.loads(bench.CONFIG.read_text())
    for key, value in {"http.host": "127.0.0.1", "http.port": http, "notifySink.enabled": True,
                       "notifySink.host": "127.0.0.1", "notifySink.port": sink,
                       "notify.url": f"http://127.0.0.1:{sink}/v1/notify", "admin.enabled": True,
                       "admin.host": "127.0.0.1", "admin.port": admin, "auth.mode": "none",
                       "rateLimit.enabled": False, "state.dir": str(state), "state.sync": "fsync"}.items():
        bench.set_key(config, key, value)
    conf = work / "service-conf.json"
    conf.write_text(json.dumps(config, indent=2))
    command = [bench.java(), *bench.README_JAVA_OPTS.split(), "-jar", str(bench.JAR), "-conf", str(conf)]
    env = dict(bench.clean_environment(), LOG_LEVEL="WARN")
    url = f"http://127.0.0.1:{http}"
    threads, lost_total = 2, 0
    print(f"{opts.kills} kill(s) under load, {opts.users} users; work in {work}", flush=True)
    try:
        for kill in range(1, opts.kills + 1):
            server = bench.Server(command, env, work / f"service-{kill}.log", url + "/health")
            prefix = work / f"acked-{kill}"
            load = subprocess.Popen(
                ["wrk", f"-t{threads}", "-c64", "-d300s", "-s", str(bench.ROOT / "src/bench/crash.lua"), url, "--",
                 "path=/v1/event", f"threads={threads}", f"users={opts.users}", f"label=k{kill}",
                 f"acked={prefix}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                env=dict(os.environ, EVENTS_LUA=str(bench.LOAD)), cwd=bench.ROOT)
            at = random.uniform(low, high)
            time.sleep(at)
            server.process.send_signal(signal.SIGKILL)
            server.process.wait()
            load.terminate()
            load.wait()
            ids = []
            for file in sorted(work.glob(f"acked-{kill}-*.txt")):
                ids += [line for line in file.read_text().splitlines() if line]
            server = bench.Server(command, env, work / f"service-{kill}-after.log", url + "/health")
            counts = {}
            per_thread = opts.users // threads
            for i in range(0, len(ids), 500):
                events = [event(e, threads, per_thread, f"k{kill}") for e in ids[i:i + 500]]
                for result in post(url + "/v1/events", events):
                    counts[result["status"]] = counts.get(result["status"], 0) + 1
            lost = counts.get("accepted", 0)
            lost_total += lost
            print(f"kill {kill}: SIGKILL {at:.1f} s into the load; {len(ids)} events acknowledged; sent again after "
                  f"the restart: {counts} (accepted again, so lost: {lost})", flush=True)
            server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"lost: {lost_total}")
    sys.exit(1 if lost_total else 0)


if __name__ == "__main__":
    main()
