#!/usr/bin/env bash
# Regenerate api/static/vendor/echarts.common.min.js (and its licence files) from the npm registry package.
#   bash scripts/vendor-echarts.sh [VERSION]      # default: the version pinned below
# Apache ECharts is Apache-2.0; its LICENSE and NOTICE are kept beside the file. No CDN is used at run time.
# No geographic China map is vendored: ECharts dropped its map data in v5 and publishing a map of China needs an
# approval number (审图号); the rankings page draws a tile-grid cartogram of the provinces instead.
set -euo pipefail
VERSION="${1:-6.1.0}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/api/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack --silent "echarts@$VERSION" >/dev/null)
tar -xzf "$WORK/echarts-$VERSION.tgz" -C "$WORK"
mkdir -p "$OUT"
cp "$WORK/package/dist/echarts.common.min.js" "$OUT/echarts.common.min.js"
cp "$WORK/package/LICENSE" "$OUT/ECHARTS-LICENSE.txt"
cp "$WORK/package/NOTICE" "$OUT/ECHARTS-NOTICE.txt"
echo "echarts@$VERSION $(sha256sum "$OUT/echarts.common.min.js" | cut -d' ' -f1)" > "$OUT/ECHARTS-VERSION.txt"
echo "vendored echarts@$VERSION into $OUT"
