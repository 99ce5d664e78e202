#!/usr/bin/env bash
# The soak in one command: builds the service's jar, then runs soak.py (an hour by default). Settings by
# environment or flags, e.g.
#   src/bench/soak.sh                              # 1 hour, the README's JVM options, wrk -t2 -c32, 200,000 users
#   DURATION=10m NMT=1 src/bench/soak.sh           # a short one, with Native Memory Tracking summaries
#   JAR=/path/to/other/events-processor.jar src/bench/soak.sh --duration 30m   # another build, not rebuilt
# Needs JDK 17, python3 and wrk (apt-get install wrk); not part of ./mvnw verify.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
if [ -z "${JAR:-}" ]; then
  ./mvnw -B -q package -DskipTests
fi
exec python3 src/bench/soak.py "$@"
