#!/usr/bin/env bash
# The encoder-decoder on natural language (docs/evaluations.md, "German to English"): Debian's
# German-English dictionary sentences (scripts/dictionary-pairs.sh), BPE of 1,024 ids, one vocabulary
# for both languages (VOCABULARIES = shared) or one of 1,024 per language (separate), LSTM 1x128 with
# each of ATTENTIONS (default: none and additive), SEEDS seeds at EPOCHS epochs each, then bottleneck
# with BLEU by source length on the test split. About 40 minutes on 2 cores at the defaults (10
# epochs, seeds 1 and 2, shared, none and additive).
#   scripts/translation-experiment.sh [OUTPUT_DIR [EPOCHS [SEEDS [VOCABULARIES [ATTENTIONS]]]]]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
C="$root/scripts/carousel"
out="${1:-translation-experiment}"
epochs="${2:-10}"
seeds="${3:-1 2}"
vocabularies="${4:-shared}"
attentions="${5:-none additive}"
mkdir -p "$out" && cd "$out"
[ -e de-en.tsv ] || "$root/scripts/dictionary-pairs.sh" de-en.tsv
PREP="--set prep.mode=records --set prep.records.pair=tab --set prep.tokenizer.kind=bpe --set prep.tokenizer.bpe.vocab_size=1024 --set prep.shards=2 --set prep.records.buckets=8 --set prep.records.max_length=160 --set prep.records.max_tokens=1024 --set prep.split.validation=0.05 --set prep.split.test=0.1 --set prep.records.vocabularies=$vocabularies"
[ -e de-en-data/manifest.json ] || "$C" prep --input de-en.tsv --output de-en-data --overwrite $PREP
TRAIN="--set model.kind=seq2seq --set model.cell=lstm --set model.layers=1 --set model.hidden=128 --set model.embedding=96 --set train.epochs=$epochs --set train.learning_rate=0.01 --set train.averaging_frequency=4 --set train.checkpoint.every_steps=0 --set train.progress_interval_s=120"
models=()
for seed in $seeds; do
  for att in $attentions; do
    [ -e m-$att-s$seed/manifest.json ] || "$C" train --data de-en-data --output m-$att-s$seed --overwrite $TRAIN \
      --set model.attention=$att --set model.seed=$seed > m-$att-s$seed.log 2>&1
    models+=("m-$att-s$seed")
  done
done
"$C" bottleneck --split test --models "$(IFS=,; echo "${models[*]}")" --data de-en-data --output bn --overwrite \
  --set eval.bottleneck.bleu=true --set "eval.bottleneck.buckets=[5,10,15,20,25,30]"
