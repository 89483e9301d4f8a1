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
