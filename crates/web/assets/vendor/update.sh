#!/usr/bin/env bash
# Re-vendors Leaflet and Leaflet.markercluster from the npm registry.
# Usage: bash crates/web/assets/vendor/update.sh [LEAFLET_VERSION] [MARKERCLUSTER_VERSION]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lv="${1:-1.9.4}"; mv="${2:-1.5.3}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "leaflet@$lv" "leaflet.markercluster@$mv" >/dev/null
mkdir l m
tar xzf "leaflet-$lv.tgz" -C l
tar xzf "leaflet.markercluster-$mv.tgz" -C m
L=l/package; M=m/package
mkdir -p "$here/leaflet/images" "$here/leaflet.markercluster"
cp "$L/dist/leaflet.js" "$L/dist/leaflet.css" "$L/LICENSE" "$here/leaflet/"
cp "$L"/dist/images/* "$here/leaflet/images/"
cp "$M/dist/leaflet.markercluster.js" "$M/dist/MarkerCluster.css" \
   "$M/dist/MarkerCluster.Default.css" "$M/MIT-LICENCE.txt" "$here/leaflet.markercluster/"
echo "vendored leaflet $lv and leaflet.markercluster $mv into $here"
