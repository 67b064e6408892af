#!/usr/bin/env bash
# Refresh the vendored pdf.js (Mozilla) from the npm package pdfjs-dist (needs npm and the registry).
#
#   bash scripts/update-pdfjs.sh 5.4.624
#
# Copies the *legacy* build (older tablet browsers), the CMaps for Chinese, the two symbol fonts, the wasm image
# decoders and the CMYK profile into static/vendor/pdfjs/, then prints the rows for the table in
# static/vendor/pdfjs/VERSION.md (the checksum test in tests/meeting/test_static_assets.py reads that table).
set -euo pipefail
version="${1:?usage: update-pdfjs.sh VERSION (e.g. 5.4.624)}"
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/static/vendor/pdfjs"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "pdfjs-dist@${version}" >/dev/null && tar xzf pdfjs-dist-*.tgz)
pkg="$tmp/package"
grep -q "\"version\": \"${version}\"" "$pkg/package.json" || { echo "unexpected package version" >&2; exit 1; }

# Start from a clean tree so files dropped upstream do not linger (VERSION.md is kept).
rm -rf "$dest/cmaps" "$dest/standard_fonts" "$dest/wasm" "$dest/iccs"
rm -f "$dest/pdf.min.js" "$dest/pdf.worker.min.js" "$dest/LICENSE"
mkdir -p "$dest/cmaps" "$dest/standard_fonts" "$dest/wasm" "$dest/iccs"

# The library and its worker, legacy build. Renamed .mjs → .js: both are ES modules, but every Python/OS MIME table
# knows .js (JavaScript), while .mjs is missing from Python 3.11's built-in table and from Windows' registry — and a
# browser refuses a module served as application/octet-stream.
cp "$pkg/legacy/build/pdf.min.mjs" "$dest/pdf.min.js"
cp "$pkg/legacy/build/pdf.worker.min.mjs" "$dest/pdf.worker.min.js"
cp "$pkg/LICENSE" "$dest/LICENSE"

# CMaps for Chinese text in fonts that are not embedded or use a predefined encoding: the Adobe-GB1 (简体) and
# Adobe-CNS1 (繁體) collections with their encodings. Japanese and Korean CMaps are left out. Every vertical (-V)
# CMap here only `usecmap`s its horizontal (-H) twin, which is included; the test checks that closure.
for pattern in 'Adobe-GB1-*' 'UniGB-*' 'GB*' 'Adobe-CNS1-*' 'UniCNS-*' 'B5*' 'CNS*' 'ETen*' 'ETHK*' 'HK*'; do
  cp "$pkg"/cmaps/$pattern.bcmap "$dest/cmaps/"
done
cp "$pkg/cmaps/LICENSE" "$dest/cmaps/LICENSE"

# In a browser pdf.js draws the other non-embedded standard fonts (Helvetica, Times, Courier) with system fonts
# (useSystemFonts); it always fetches only the symbol fonts.
cp "$pkg/standard_fonts/FoxitSymbol.pfb" "$pkg/standard_fonts/FoxitDingbats.pfb" "$pkg/standard_fonts/LICENSE_FOXIT" \
   "$dest/standard_fonts/"

# Image decoders: JPEG 2000 has no JavaScript decoder without these (openjpeg_nowasm_fallback.js is only for browsers
# without WebAssembly and is left out); JBIG2 falls back to JavaScript but the wasm is faster; qcms handles ICC colour.
cp "$pkg/wasm/openjpeg.wasm" "$pkg/wasm/jbig2.wasm" "$pkg/wasm/qcms_bg.wasm" "$pkg"/wasm/LICENSE_* "$dest/wasm/"
cp "$pkg"/iccs/*.icc "$pkg/iccs/LICENSE" "$dest/iccs/"

echo "Rows for static/vendor/pdfjs/VERSION.md (file | from the package | sha256):"
cd "$dest"
row() { printf '| `%s` | `%s` | `%s` |\n' "$1" "$2" "$(sha256sum "$1" | cut -d' ' -f1)"; }
row pdf.min.js legacy/build/pdf.min.mjs
row pdf.worker.min.js legacy/build/pdf.worker.min.mjs
for f in wasm/*.wasm iccs/*.icc standard_fonts/*.pfb; do row "$f" "$f"; done
count=$(ls cmaps/*.bcmap | wc -l)
digest=$(cd cmaps && LC_ALL=C sha256sum -- *.bcmap | sha256sum | cut -d' ' -f1)
printf '| `cmaps/*.bcmap` | `cmaps/` (%s files, see above) | `%s` |\n' "$count" "$digest"
echo
du -sh "$dest" | sed 's/^/total size: /'
echo "Now update the version and this table in static/vendor/pdfjs/VERSION.md, then run"
echo "  .venv/bin/pytest tests/meeting/test_static_assets.py tests/e2e/test_pdf_viewer.py"
