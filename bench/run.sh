#!/usr/bin/env bash
# The agent's cost, measured side by side with the same work without it.
#   bench/run.sh --quick     about 15 minutes
#   bench/run.sh             the full run, about 36 minutes
#   bench/run.sh --matrix    the fault matrix, every fault on every library (docs/reliability.md)
#   bench/run.sh --soak[=M]  the soak, M minutes per side (default 10; docs/reliability.md)
# Build first: mvn -B -DskipTests package. Prints a table; the last line is the results as one
# JSON object, also written to bench/results.json. Other options: see BenchMain.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--matrix" ]; then
  # The fault matrix: agent-it's FaultMatrix on the packaged jar (see docs/reliability.md). Extra
  # arguments go to Maven, e.g. -Dit.matrix.stacks=okhttp,jdk or -Dit.java.home=/path/to/jdk.
  shift
  if [ ! -f agent/target/deepgram-agent.jar ]; then
    echo "bench: build first: mvn -B -DskipTests package" >&2
    exit 2
  fi
  unset JAVA_TOOL_OPTIONS JDK_JAVA_OPTIONS
  for v in $(compgen -e | grep '^DEEPGRAM_AGENT_' || true); do unset "$v"; done
  rm -f agent-it/target/matrix.md agent-it/target/matrix.json
  status=0
  # The test phase (not the bare surefire goal), so that the reactor's own simulator and demo
  # classes are on the class path rather than whatever an earlier install left in ~/.m2.
  mvn -B -q -pl agent-it -am test -Dtest=FaultMatrix -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.excludedGroups= -Dgroups=matrix "$@" > agent-it/target/matrix-maven.log 2>&1 || status=$?
  if [ ! -f agent-it/target/matrix.json ]; then
    tail -50 agent-it/target/matrix-maven.log >&2
    echo "bench: the fault matrix did not finish (agent-it/target/matrix-maven.log)" >&2
    exit 1
  fi
  cat agent-it/target/matrix.md
  [ "$status" -eq 0 ] || echo "bench: wrong or worse cells: agent-it/target/surefire-reports/dev.deepgramagent.it.FaultMatrix.txt" >&2
  cat agent-it/target/matrix.json
  exit "$status"
fi
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
