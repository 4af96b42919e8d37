#!/usr/bin/env bash
# Natural-language sentence pairs for the encoder-decoder, from Debian's German-English dictionary
# (dict-freedict-deu-eng: FreeDict's edition of the TU Chemnitz Ding dictionary, GPL; its example
# sentences are headwords with their translations). One "German TAB English" record per line: the
# entries whose headword and first translation are both sentences (ending in . ! or ?), bracketed
# usage labels removed, the first of several translations kept, each German sentence once, in a
# seeded order. About 13,000 pairs of 4-200 characters. Downloads the package into a temporary
# directory (apt-get download: no root, nothing installed).
#   scripts/dictionary-pairs.sh OUT_FILE [SEED]
#   scripts/carousel prep --input OUT_FILE --output DATA --set prep.mode=records --set prep.records.pair=tab
set -euo pipefail
out="${1:?usage: dictionary-pairs.sh OUT_FILE [SEED]}"
seed="${2:-1}"
if [ -e "$out" ]; then echo "dictionary-pairs: $out already exists" >&2; exit 2; fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
dict=/usr/share/dictd/freedict-deu-eng.dict.dz
if [ ! -r "$dict" ]; then
  echo "dictionary-pairs: downloading dict-freedict-deu-eng" >&2
  (cd "$tmp" && apt-get download -qq dict-freedict-deu-eng 2>/dev/null || { apt-get update -qq && apt-get download -qq dict-freedict-deu-eng; })
  dpkg-deb -x "$tmp"/dict-freedict-deu-eng_*.deb "$tmp/x"
  dict="$tmp/x/usr/share/dictd/freedict-deu-eng.dict.dz"
fi
python3 - "$dict" "$out" "$seed" <<'PY'
import gzip, os, random, re, sys
dict_file, out, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
# A headword line: the headword, its IPA between slashes, optionally <grammar>; translations follow, indented
# lines (notes, synonyms, cross-references) after them.
headword = re.compile(r'^(.*?) /[^/]*/(\s*<[^>]*>)?\s*$')
lines = gzip.open(dict_file, 'rt', encoding='utf-8').read().split('\n')
pairs, seen = [], set()
for i in range(len(lines) - 1):
    m = headword.match(lines[i]) if lines[i] and not lines[i].startswith(' ') else None
    if not m: continue
    src, tgt = m.group(1).strip(), lines[i + 1]
    if src[-1:] not in '.!?' or not tgt or tgt.startswith('   ') or tgt.startswith(' see:'): continue
    tgt = re.sub(r'\s*\[[^\]]*\]\s*', ' ', tgt).strip().split('; ')[0].strip()
    if tgt[-1:] not in '.!?' or '\t' in src + tgt or src in seen: continue
    seen.add(src)
    pairs.append((src, tgt))
if len(pairs) < 1000: sys.exit(f'dictionary-pairs: only {len(pairs)} sentence pairs found in {dict_file}')
random.Random(seed).shuffle(pairs)
tmp = out + '.tmp'
with open(tmp, 'w', encoding='utf-8') as fh:
    for s, t in pairs: fh.write(f'{s}\t{t}\n')
os.replace(tmp, out)
print(f'dictionary-pairs: {len(pairs):,} German-English sentence pairs in {out}', file=sys.stderr)
PY
