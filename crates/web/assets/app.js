/* Archipel: the map. Plain script, no framework. Every page works without
   it; it only turns [data-map] blocks into Leaflet maps fed by the
   GeoJSON API. Names are put in the page as text, never as HTML. */
(function () {
  "use strict";

  function popupContent(props, openLabel) {
    var box = document.createElement("div");
    box.className = "popup";
    var name = document.createElement("strong");
    name.dir = "auto";
    name.textContent = props.name;
    box.appendChild(name);
    if (props.label) {
      var kind = document.createElement("span");
      kind.className = "popup-kind";
      kind.textContent = props.label;
      box.appendChild(kind);
    }
    var link = document.createElement("a");
    link.href = props.url;
    link.textContent = openLabel;
    link.className = "popup-link";
    box.appendChild(link);
    return box;
  }

  function icon(kind) {
    return L.divIcon({
      className: "pin pin-" + (kind === "actor" ? "actor" : "place"),
      html: "",
      iconSize: [18, 18],
      iconAnchor: [9, 9],
      popupAnchor: [0, -10]
    });
  }

  function status(el, text) {
    var p = el.parentNode.querySelector(".map-status");
    if (!p) {
      p = document.createElement("p");
      p.className = "map-status note";
      p.setAttribute("role", "status");
      el.parentNode.appendChild(p);
    }
    p.textContent = text;
  }

  /* TopoJSON (world-atlas) to GeoJSON: arcs are delta-encoded and
     quantized; a negative index is an arc walked backwards. */
  function topoToGeo(topo, object) {
    var tf = topo.transform;
    var arcs = topo.arcs.map(function (arc) {
      var x = 0, y = 0;
      return arc.map(function (p) {
        if (!tf) { return [p[0], p[1]]; }
        x += p[0]; y += p[1];
        return [x * tf.scale[0] + tf.translate[0], y * tf.scale[1] + tf.translate[1]];
      });
    });
    function ring(ids) {
      var out = [];
      ids.forEach(function (i, k) {
        var a = i < 0 ? arcs[~i].slice().reverse() : arcs[i];
        out = out.concat(k ? a.slice(1) : a);
      });
      return out;
    }
    var features = [];
    object.geometries.forEach(function (g) {
      var geometry = null;
      if (g.type === "Polygon") {
        geometry = { type: "Polygon", coordinates: g.arcs.map(ring) };
      } else if (g.type === "MultiPolygon") {
        geometry = { type: "MultiPolygon", coordinates: g.arcs.map(function (p) { return p.map(ring); }) };
      }
      if (geometry) { features.push({ type: "Feature", properties: {}, geometry: geometry }); }
    });
    return { type: "FeatureCollection", features: features };
  }

  /* Without a tile server: the countries' outlines, served by Archipel
     itself (Natural Earth through world-atlas), drawn under the markers. */
  function baseMap(map, el) {
    var src = el.getAttribute("data-base");
    if (!src) { return; }
    fetch(src)
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (topo) {
        var geo = topoToGeo(topo, topo.objects.countries);
        L.geoJSON(geo, {
          interactive: false,
          renderer: L.canvas({ padding: 0.2 }),
          attribution: el.getAttribute("data-base-credit") || "",
          style: { color: "#8d9ba6", weight: 1, fillColor: "#fbfaf6", fillOpacity: 1 }
        }).addTo(map);
        el.setAttribute("data-base-ready", "true");
      })
      .catch(function () { el.setAttribute("data-base-ready", "error"); });
  }

  function setup(el) {
    var map = L.map(el, { scrollWheelZoom: false, worldCopyJump: true, maxZoom: 18 });
    map.setView([46.6, 2.4], 5);
    var tiles = el.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, {
        maxZoom: 19,
        attribution: el.getAttribute("data-attribution") || ""
      }).addTo(map);
    } else {
      el.classList.add("no-tiles");
      baseMap(map, el);
    }
    var openLabel = el.getAttribute("data-open") || "Open";
    var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
    map.addLayer(cluster);
    fetch(el.getAttribute("data-src"), { headers: { Accept: "application/geo+json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (fc) {
        var markers = [];
        fc.features.forEach(function (f) {
          var c = f.geometry && f.geometry.coordinates;
          if (!c) { return; }
          var m = L.marker([c[1], c[0]], {
            icon: icon(f.properties.kind),
            title: f.properties.name,
            alt: f.properties.name,
            keyboard: true
          });
          m.bindPopup(popupContent(f.properties, openLabel));
          markers.push(m);
        });
        cluster.addLayers(markers);
        el.setAttribute("data-count", String(markers.length));
        if (markers.length > 0) {
          map.fitBounds(cluster.getBounds(), { padding: [24, 24], maxZoom: 15 });
        } else {
          status(el, el.getAttribute("data-empty") || "");
        }
        el.setAttribute("data-ready", "true");
      })
      .catch(function (err) {
        status(el, String(err));
        el.setAttribute("data-ready", "error");
      });
  }

  function start() {
    if (typeof L === "undefined") { return; }
    var maps = document.querySelectorAll("[data-map]");
    for (var i = 0; i < maps.length; i++) { setup(maps[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
