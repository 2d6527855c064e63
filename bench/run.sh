#!/usr/bin/env bash
# The agent's cost, measured side by side with the same work without it.
#   bench/run.sh --quick     about 9 minutes
#   bench/run.sh             the full run, about 25 minutes (estimated)
# Build first: mvn -B -DskipTests package. Prints a table; the last line is the results as one
# JSON object, also written to bench/results.json. Other options: see BenchMain.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=bench/target/deepgram-agent-bench.jar
if [ ! -f "$jar" ] || [ ! -f agent/target/deepgram-agent.jar ]; then
  echo "bench: build first: mvn -B -DskipTests package" >&2
  exit 2
fi
# Only the benchmark's own arguments configure the JVMs it starts (JMH's forks included), not a
# JVM option or an agent setting that happens to be in the environment.
unset JAVA_TOOL_OPTIONS JDK_JAVA_OPTIONS
for v in $(compgen -e | grep '^DEEPGRAM_AGENT_' || true); do unset "$v"; done
exec java -jar "$jar" "$@"
