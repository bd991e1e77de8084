#!/usr/bin/env bash
# Jobline benchmarks. Builds what they need, then runs one:
#   infra/bench/run.sh cold-start [--runs 10] [--appcds] [--baseline COMMIT]
#   infra/bench/run.sh throughput [--jobs 2000] [--pollers 4] [--submitters 4]
#   infra/bench/run.sh observability [--runs 10]
#   infra/bench/run.sh sweeper-scale [--finished 100000] [--stale 10]
#   infra/bench/run.sh fairness [--a-jobs 2000] [--b-jobs 50] [--cap 20] [--sleep-ms 300] [--pollers 4]
# Everything runs on 127.0.0.1: ElasticMQ inside the benchmark's JVM, dynalite as a Node child process.
set -euo pipefail
cd "$(dirname "$0")/../.."

case "${1:-}" in
  cold-start) main=dev.jobline.bench.coldstart.ColdStart ;;
  throughput) main=dev.jobline.bench.throughput.Throughput ;;
  observability) main=dev.jobline.bench.observability.ObservabilityColdStart ;;
  sweeper-scale) main=dev.jobline.bench.sweeper.SweeperScale ;;
  fairness) main=dev.jobline.bench.fairness.Fairness ;;
  *) echo "usage: $0 cold-start|throughput|observability|sweeper-scale|fairness [options]   (see infra/bench/README.md)" >&2; exit 2 ;;
esac
shift

command -v node >/dev/null || { echo "node is required (dynalite, the local DynamoDB, runs on it)" >&2; exit 1; }
# the function jar (functions/target/jobline-functions.jar), the local stack, and the bench jars
mvn -q -B -ntp -Pbench -pl infra/bench -am -DskipTests package

# cold-start --baseline COMMIT: the function jar of that commit, built from a copy of it (git archive, no worktree),
# measured beside the current one in the same run
args=()
while [[ $# -gt 0 ]]; do
  if [[ "$1" == --baseline ]]; then
    [[ "$main" == *ColdStart && $# -ge 2 ]] || { echo "--baseline COMMIT is a cold-start option" >&2; exit 2; }
    commit=$(git rev-parse --short "$2^{commit}")
    dir="infra/bench/target/baseline-$commit"
    if [[ ! -f "$dir/functions/target/jobline-functions.jar" ]]; then
      rm -rf "$dir" && mkdir -p "$dir"
      git archive "$commit" | tar -x -C "$dir"
      (cd "$dir" && mvn -q -B -ntp -pl functions -am -DskipTests package)
    fi
    args+=(--baseline-jar "$dir/functions/target/jobline-functions.jar" --baseline-label "$commit")
    shift 2
  else
    args+=("$1")
    shift
  fi
done
exec java -cp "infra/bench/target/classes:$(cat infra/bench/target/classpath.txt)" "$main" ${args[@]+"${args[@]}"}
