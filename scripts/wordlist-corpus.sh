#!/usr/bin/env bash
# A real labelled corpus for the sequence classifier, from Debian's word lists: one "language TAB word"
# record per line, the same number of words from each of six languages (en de fr es it pt), words found
# in more than one list dropped (their label would be ambiguous), a seeded sample. Installs the
# word-list packages when they are missing (needs apt and root).
#   scripts/wordlist-corpus.sh OUT_FILE [WORDS_PER_LANGUAGE [SEED]]
#   scripts/carousel prep --input OUT_FILE --output DATA --set prep.mode=records --set prep.records.label=tab-first
set -euo pipefail
out="${1:?usage: wordlist-corpus.sh OUT_FILE [WORDS_PER_LANGUAGE [SEED]]}"
per="${2:-15000}"
seed="${3:-1}"
if [ -e "$out" ]; then echo "wordlist-corpus: $out already exists" >&2; exit 2; fi
declare -A pkg=([en]=wamerican [de]=wngerman [fr]=wfrench [es]=wspanish [it]=witalian [pt]=wportuguese)
declare -A file=([en]=american-english [de]=ngerman [fr]=french [es]=spanish [it]=italian [pt]=portuguese)
missing=()
for l in "${!pkg[@]}"; do [ -r "/usr/share/dict/${file[$l]}" ] || missing+=("${pkg[$l]}"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "wordlist-corpus: installing ${missing[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
python3 - "$out" "$per" "$seed" <<'PY'
import sys, random, os
out, per, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
files = {'en': 'american-english', 'de': 'ngerman', 'fr': 'french', 'es': 'spanish', 'it': 'italian', 'pt': 'portuguese'}
words = {}
for lang, f in files.items():
    with open('/usr/share/dict/' + f, encoding='utf-8') as fh:
        words[lang] = {w.strip() for w in fh if w.strip() and "'" not in w and '\t' not in w}
count = {}
for ws in words.values():
    for w in ws: count[w] = count.get(w, 0) + 1
rnd = random.Random(seed)
rows = []
for lang in sorted(files):
    own = sorted(w for w in words[lang] if count[w] == 1)
    if len(own) < per: sys.exit(f'wordlist-corpus: {lang} has {len(own)} words of its own, fewer than {per}')
    rows += [(lang, w) for w in rnd.sample(own, per)]
rnd.shuffle(rows)
tmp = out + '.tmp'
with open(tmp, 'w', encoding='utf-8') as fh:
    for lang, w in rows: fh.write(f'{lang}\t{w}\n')
os.replace(tmp, out)
print(f'wordlist-corpus: {len(rows)} words, {per} per language ({", ".join(sorted(files))}), seed {seed}, in {out}')
PY
