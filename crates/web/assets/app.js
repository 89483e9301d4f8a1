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
    function add(g) {
      var geometry = null;
      if (g.type === "GeometryCollection") {
        (g.geometries || []).forEach(add);
      } else if (g.type === "Polygon") {
        geometry = { type: "Polygon", coordinates: g.arcs.map(ring) };
      } else if (g.type === "MultiPolygon") {
        geometry = { type: "MultiPolygon", coordinates: g.arcs.map(function (p) { return p.map(ring); }) };
      } else if (g.type === "LineString") {
        geometry = { type: "LineString", coordinates: ring(g.arcs) };
      } else if (g.type === "MultiLineString") {
        geometry = { type: "MultiLineString", coordinates: g.arcs.map(ring) };
      }
      if (geometry) { features.push({ type: "Feature", properties: {}, geometry: geometry }); }
    }
    add(object);
    return { type: "FeatureCollection", features: features };
  }

  function getJSON(src) {
    return fetch(src).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  /* Without a tile server: the countries' outlines, served by Archipel
     itself (Natural Earth through world-atlas), drawn under the markers;
     then, over them, the finer outlines the operator provides, if any
     (GeoJSON or TopoJSON, every object of a topology). */
  function baseMap(map, el) {
    var src = el.getAttribute("data-base");
    if (!src) { return; }
    var finer = el.getAttribute("data-outlines");
    var outlines = finer ? getJSON(finer) : null;
    getJSON(src)
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
      .catch(function () { el.setAttribute("data-base-ready", "error"); })
      .then(function () { return outlines; })
      .then(function (doc) {
        if (!doc) { return; }
        var geo = doc;
        if (doc.type === "Topology") {
          var all = [];
          Object.keys(doc.objects || {}).forEach(function (k) {
            all = all.concat(topoToGeo(doc, doc.objects[k]).features);
          });
          geo = { type: "FeatureCollection", features: all };
        }
        var layer = L.geoJSON(geo, {
          interactive: false,
          renderer: L.canvas({ padding: 0.2 }),
          pointToLayer: function () { return L.layerGroup(); },
          style: { color: "#6f7e8a", weight: 1, fill: false }
        }).addTo(map);
        el.setAttribute("data-outlines-count", String(layer.getLayers().length));
        el.setAttribute("data-outlines-ready", "true");
      })
      .catch(function () { el.setAttribute("data-outlines-ready", "error"); });
  }

  /* `#map=ZOOM/LAT/LON` in the address, when the page keeps it there. */
  function readHash() {
    var m = /^#map=(\d{1,2})\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(location.hash);
    if (!m) { return null; }
    var z = Number(m[1]), lat = Number(m[2]), lon = Number(m[3]);
    if (z > 18 || Math.abs(lat) > 90 || Math.abs(lon) > 180) { return null; }
    return { zoom: z, lat: lat, lon: lon };
  }

  function writeHash(map) {
    var c = map.getCenter();
    var h = "#map=" + map.getZoom() + "/" + c.lat.toFixed(4) + "/" + c.lng.toFixed(4);
    history.replaceState(null, "", location.pathname + location.search + h);
    var code = document.getElementById("embed-code");
    if (code) {
      code.value = code.value.replace(/src="([^"#]*)(#[^"]*)?"/, function (all, url) {
        return "src=\"" + url + h + "\"";
      });
    }
  }

  /* The list of what the map shows, with links: the map's accessible
     alternative, below it. */
  function listOf(el, features) {
    var box = document.createElement("details");
    box.className = "map-list";
    var sum = document.createElement("summary");
    sum.textContent = (el.getAttribute("data-list-title") || "") + " (" + features.length + ")";
    box.appendChild(sum);
    var ul = document.createElement("ul");
    features.slice(0, 1000).forEach(function (f) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = f.properties.url;
      a.textContent = f.properties.name;
      a.dir = "auto";
      li.appendChild(a);
      if (f.properties.label) {
        var k = document.createElement("span");
        k.className = "meta";
        k.textContent = " · " + f.properties.label;
        li.appendChild(k);
      }
      ul.appendChild(li);
    });
    box.appendChild(ul);
    el.parentNode.insertBefore(box, el.nextSibling);
  }

  function setup(el) {
    var label = function (name, fallback) { return el.getAttribute(name) || fallback; };
    var map = L.map(el, { scrollWheelZoom: false, worldCopyJump: true, maxZoom: 18, zoomControl: false });
    L.control.zoom({
      zoomInTitle: label("data-zoom-in", "Zoom in"),
      zoomOutTitle: label("data-zoom-out", "Zoom out")
    }).addTo(map);
    var keepHash = el.getAttribute("data-hash") === "true";
    var start = keepHash ? readHash() : null;
    if (start) {
      map.setView([start.lat, start.lon], start.zoom);
    } else {
      map.setView([46.6, 2.4], 5);
    }
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
    var openLabel = label("data-open", "Open");
    var clusterLabel = label("data-cluster", "{n}");
    var closeLabel = label("data-close", "Close");
    var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
    map.addLayer(cluster);

    /* Clusters: named, and opened with Enter or Space. */
    map.on("layeradd", function (e) {
      var l = e.layer;
      if (!l.getChildCount || !l._icon || l._icon.getAttribute("data-named")) { return; }
      var name = clusterLabel.replace("{n}", String(l.getChildCount()));
      l._icon.setAttribute("aria-label", name);
      l._icon.setAttribute("title", name);
      l._icon.setAttribute("role", "button");
      l._icon.setAttribute("data-named", "true");
      L.DomEvent.on(l._icon, "keydown", function (ev) {
        if (ev.key !== "Enter" && ev.key !== " ") { return; }
        L.DomEvent.preventDefault(ev);
        if (map.getZoom() >= map.getMaxZoom()) {
          l.spiderfy();
        } else {
          map.once("moveend", function () {
            var first = el.querySelector(".leaflet-marker-icon");
            if (first) { first.focus(); }
          });
          l.zoomToBounds({ padding: [20, 20] });
        }
      });
    });

    /* Popups take the focus, close with Escape and give it back. */
    var opener = null;
    map.on("popupopen", function (e) {
      opener = e.popup._source && e.popup._source._icon;
      var box = e.popup.getElement();
      if (!box) { return; }
      var close = box.querySelector(".leaflet-popup-close-button");
      if (close) {
        close.setAttribute("aria-label", closeLabel);
        close.setAttribute("title", closeLabel);
      }
      box.addEventListener("keydown", function (ev) {
        if (ev.key === "Escape") { map.closePopup(); }
      });
      var link = box.querySelector("a.popup-link");
      if (link) { link.focus(); }
    });
    map.on("popupclose", function () {
      var back = opener;
      opener = null;
      if (back && document.body.contains(back)) { back.focus(); }
    });
    if (keepHash) {
      map.on("moveend", function () { writeHash(map); });
    }

    fetch(el.getAttribute("data-src"), { headers: { Accept: "application/geo+json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (fc) {
        var markers = [];
        var shown = [];
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
          shown.push(f);
        });
        cluster.addLayers(markers);
        el.setAttribute("data-count", String(markers.length));
        if (markers.length > 0) {
          if (!start) {
            map.fitBounds(cluster.getBounds(), { padding: [24, 24], maxZoom: 15 });
          }
          listOf(el, shown);
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

  /* "Copy the code" buttons. */
  function copyButtons() {
    var buttons = document.querySelectorAll("button[data-copy]");
    Array.prototype.forEach.call(buttons, function (b) {
      b.addEventListener("click", function () {
        var area = document.getElementById(b.getAttribute("data-copy"));
        var said = b.parentNode.querySelector(".copy-status");
        if (!area) { return; }
        area.select();
        var done = function () { if (said) { said.textContent = b.getAttribute("data-done") || ""; } };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(area.value).then(done, function () {
            if (document.execCommand("copy")) { done(); }
          });
        } else if (document.execCommand("copy")) {
          done();
        }
      });
    });
  }

  function start() {
    copyButtons();
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
