#!/usr/bin/env bash
# The encoder-decoder bottleneck measurement of docs/evaluations.md: copy pairs with sources of 5-50
# characters and its random-target control; LSTM 1x64 without attention, without attention and the
# source reversed, with additive and with dot attention, seeds 1 and 2, 10 epochs each; bottleneck on
# the test split. About 25 minutes on 2 cores.   scripts/bottleneck-experiment.sh [OUTPUT_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
C="$root/scripts/carousel"
out="${1:-bottleneck-experiment}"
mkdir -p "$out" && cd "$out"
PREP="--set prep.mode=records --set prep.records.pair=tab --set prep.shards=2 --set prep.records.buckets=8 --set prep.records.max_length=128 --set prep.records.max_tokens=4096 --set prep.split.validation=0.05 --set prep.split.test=0.15"
for task in copy control; do
  ctl=false; [ "$task" = control ] && ctl=true
  "$C" synth --output b-$task.tsv --overwrite --set synth.task=copy --set synth.control=$ctl --set synth.records=14000 \
    --set synth.min_length=5 --set synth.max_length=50 --set synth.symbols=10
  "$C" prep --input b-$task.tsv --output b-$task-data --overwrite $PREP
done
TRAIN="--set model.kind=seq2seq --set model.cell=lstm --set model.layers=1 --set model.hidden=64 --set model.embedding=16 --set train.epochs=10 --set train.learning_rate=0.01 --set train.averaging_frequency=4 --set train.checkpoint.every_steps=0 --set train.progress_interval_s=120"
for seed in 1 2; do
  for v in none:false none:true additive:false dot:false; do
    att=${v%%:*}; rev=${v##*:}; suffix=""; [ "$rev" = true ] && suffix="-rev"
    "$C" train --data b-copy-data --output b-$att$suffix-s$seed --overwrite $TRAIN --set model.attention=$att \
      --set model.reverse_source=$rev --set model.seed=$seed > b-$att$suffix-s$seed.log 2>&1
  done
done
"$C" train --data b-control-data --output b-control-additive-s1 --overwrite $TRAIN --set model.attention=additive --set model.seed=1 > b-control-additive-s1.log 2>&1
BN=(--set eval.bottleneck.alignment=copy --set "eval.bottleneck.buckets=[10,20,30,40,50]")
for seed in 1 2; do
  "$C" bottleneck --split test --models b-none-s$seed,b-none-rev-s$seed,b-additive-s$seed,b-dot-s$seed --data b-copy-data \
    --output b-bn-s$seed --overwrite "${BN[@]}"
done
"$C" bottleneck --split test --models b-control-additive-s1 --data b-control-data --output b-bn-control --overwrite "${BN[@]}"
