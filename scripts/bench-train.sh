#!/usr/bin/env bash
# Training throughput of every reference configuration, in one run: one in-process worker, the
# whole Spark train job (local mode, all cores, parameter averaging), and the PyTorch anchor
# (../shared/bench/torch_rnn_anchor.py; needs Debian's python3-torch and libopenblas0-pthread).
#   scripts/bench-train.sh [--only lstm-2x128,gru-2x128] [--steps N] [--spark-chars N (0 = skip the Spark job)]
#                          [--set key=value]...   (the Spark job's config, e.g. train.averaging_frequency=16)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/java17-opens.sh"
cd "$root"
# The benchmarks are module bench (not in the jobs jar); its classpath.txt names jobs and the rest.
[ -f bench/target/classpath.txt ] || mvn -B -q -DskipTests package
jar=$(ls bench/target/carousel-bench-*.jar | head -n 1)
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" SPARK_LOCAL_IP=127.0.0.1
exec java -Xmx8g "${JAVA17_OPENS[@]}" -Dlog4j2.configurationFile="$root/conf/log4j2.properties" \
  -Dcarousel.anchor="$root/../shared/bench/torch_rnn_anchor.py" \
  -cp "$jar:$(cat bench/target/classpath.txt)" org.carousel.jobs.bench.TrainBenchmark "$@"
