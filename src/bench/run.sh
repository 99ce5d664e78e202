#!/usr/bin/env bash
# The side-by-side ingestion benchmark in one command: builds the service's jar, the bare server (a test class)
# and its classpath, then runs run.py. Settings by environment or flags, e.g.
#   ROUNDS=5 DURATION=10s JAVA_OPTS=-Xmx2g src/bench/run.sh
#   src/bench/run.sh --cases bare-json,service-event,service-event-write --rounds 3
#   BASELINE_JAR=/path/to/other/events-processor.jar src/bench/run.sh   # another build side by side
# Needs JDK 17, python3 and wrk (apt-get install wrk); not part of ./mvnw verify.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
# package compiles the test classes too (-DskipTests only skips running them); the classpath is what the bare
# server needs next to target/test-classes, without the test libraries.
./mvnw -B -q package -DskipTests dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=runtime
exec python3 src/bench/run.py "$@"
