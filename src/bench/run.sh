#!/usr/bin/env bash
# Builds the jar and the benchmark's bare server, then runs src/bench/run.py (see its header for the settings).
# Needs wrk (apt-get install wrk). Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q package -DskipTests
./mvnw -B -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt
exec python3 src/bench/run.py "$@"
