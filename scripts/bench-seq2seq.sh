#!/usr/bin/env bash
# Encoder-decoder training throughput against PyTorch, in one run: Carousel's model fitted in-process
# (one thread) and scripts/torch_seq2seq_anchor.py of the same sizes (one thread; needs Debian's
# python3-torch and libopenblas0-pthread), for attention none, additive and dot; Carousel twice, its
# output layer over every step and over the scored decoder steps alone (the default).
#   scripts/bench-seq2seq.sh [--cell lstm] [--hidden 64] [--embed 16] [--length 30] [--batch 64] [--steps 20]
#                            [--vocab 12] [--decoder-weights shared|separate] [--bidirectional]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/java17-opens.sh"
cd "$root"
[ -f bench/target/classpath.txt ] || mvn -B -q -DskipTests package
jar=$(ls bench/target/carousel-bench-*.jar | head -n 1)
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
exec java -Xmx4g "${JAVA17_OPENS[@]}" -Dlog4j2.configurationFile="$root/conf/log4j2.properties" \
  -Dcarousel.seq2seq.anchor="$root/scripts/torch_seq2seq_anchor.py" \
  -cp "$jar:$(cat bench/target/classpath.txt)" org.carousel.jobs.bench.Seq2SeqBenchmark "$@"
