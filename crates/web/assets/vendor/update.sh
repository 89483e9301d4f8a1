#!/usr/bin/env bash
# Re-vendors Leaflet, Leaflet.markercluster and world-atlas (the base map
# drawn without a tile server) from the npm registry.
# Usage: bash crates/web/assets/vendor/update.sh [LEAFLET_VERSION] [MARKERCLUSTER_VERSION] [WORLD_ATLAS_VERSION]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lv="${1:-1.9.4}"; mv="${2:-1.5.3}"; wv="${3:-2.0.2}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "leaflet@$lv" "leaflet.markercluster@$mv" "world-atlas@$wv" >/dev/null
mkdir l m w
tar xzf "world-atlas-$wv.tgz" -C w
tar xzf "leaflet-$lv.tgz" -C l
tar xzf "leaflet.markercluster-$mv.tgz" -C m
L=l/package; M=m/package
mkdir -p "$here/leaflet/images" "$here/leaflet.markercluster"
cp "$L/dist/leaflet.js" "$L/dist/leaflet.css" "$L/LICENSE" "$here/leaflet/"
cp "$L"/dist/images/* "$here/leaflet/images/"
cp "$M/dist/leaflet.markercluster.js" "$M/dist/MarkerCluster.css" \
   "$M/dist/MarkerCluster.Default.css" "$M/MIT-LICENCE.txt" "$here/leaflet.markercluster/"
mkdir -p "$here/world-atlas"
cp w/package/countries-50m.json w/package/LICENSE "$here/world-atlas/"
echo "vendored leaflet $lv, leaflet.markercluster $mv and world-atlas $wv into $here"
