#!/usr/bin/env bash
# Assembles a source-code corpus for `carousel brackets` (text with nested brackets and quotes):
# Carousel's own Java sources, plus, when a JDK src.zip is given, the .java files of some of its
# packages. Prep it with one document per file:
#   scripts/code-corpus.sh OUT_DIR [SRC_ZIP [PREFIX...]]
#   scripts/carousel prep --input OUT_DIR --output DATA --set prep.document=file
# e.g. scripts/code-corpus.sh /tmp/code /usr/lib/jvm/temurin-25-jdk-amd64/lib/src.zip java.base/java/util/
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: code-corpus.sh OUT_DIR [SRC_ZIP [PREFIX...]]}"
shift
if [ -e "$out" ]; then echo "code-corpus: $out already exists" >&2; exit 2; fi
mkdir -p "$out/carousel"
(cd "$root" && find lib/src spark/src data-prep/src jobs/src bench/src -name '*.java' -print0 | xargs -0 cp --parents -t "$out/carousel")
if [ $# -ge 1 ]; then
  zip="$1"
  shift
  prefixes=("$@")
  [ ${#prefixes[@]} -gt 0 ] || prefixes=("java.base/java/util/")
  mkdir -p "$out/jdk"
  python3 - "$zip" "$out/jdk" "${prefixes[@]}" <<'PY'
import sys, zipfile, os
zf, dest, prefixes = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(zf) as z:
    for i in z.infolist():
        if i.filename.endswith('.java') and any(i.filename.startswith(p) for p in prefixes):
            z.extract(i, dest)
PY
fi
echo "code-corpus: $(find "$out" -type f | wc -l) files, $(du -sb "$out" | cut -f1) bytes in $out"
