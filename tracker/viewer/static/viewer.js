/* tracker's front-line viewer: draws window.TRACKER_VIEWER (written by tracker/viewer/data.py) with Leaflet.
 *
 * Each place's cell is one canvas polygon, drawn once; moving the slider walks the per-day deltas between the
 * shown day and the new one and restyles only the places whose class changed, toggles only the front edges that
 * changed, and redraws the day's change outlines. See docs/viewer.md. */
(function () {
  "use strict";
  var D = window.TRACKER_VIEWER;
  if (!D) { document.body.textContent = "data.js is missing or damaged: write the viewer again."; return; }

  var C = D.style.colours, A = D.style.alpha, W = D.style.lines;
  var P = D.places, N = P.id.length, NC = P.cells;
  var SCALE = D.scale;
  // a label of rank r shows from this zoom on: the towns of render.toml (0, 1), cities, towns, villages, others
  var LABEL_ZOOMS = [0, 7.5, 8.25, 9.25, 10.25, 11.5];
  var MAX_LABELS = 220;
  var DAY_MS = 86400000;
  var START = Date.parse(D.start + "T00:00:00Z");
  var timings = [];
  var hooks = { ready: false, timings: timings, measured: 0 };
  window.trackerViewer = hooks;

  // ---------------------------------------------------------------- decoding
  function ring(flat) {
    var out = new Array(flat.length / 2), x = 0, y = 0;
    for (var i = 0; i < flat.length; i += 2) { x += flat[i]; y += flat[i + 1]; out[i / 2] = [y / SCALE, x / SCALE]; }
    return out;
  }
  function polygonLatLngs(g) { return g.map(function (poly) { return poly.map(ring); }); }
  function point(pt) { return pt ? [pt[1] / SCALE, pt[0] / SCALE] : null; }
  function isoDay(k) { return new Date(START + k * DAY_MS).toISOString().slice(0, 10); }
  function longDay(k) {
    return new Date(START + k * DAY_MS).toLocaleDateString("en-GB",
      { weekday: "short", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  }
  function dayOfIso(iso) { return Math.round((Date.parse(iso + "T00:00:00Z") - START) / DAY_MS); }
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function sideLabel(i) { return i < 0 ? "" : D.sides[i].label; }
  function sideColour(i) { return i < 0 ? C.syria : D.sides[i].colour; }
  var RTL = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]/;
  function arSpan(text) { return text ? '<span class="ar" lang="ar" dir="rtl">' + esc(text) + "</span>" : ""; }

  // ---------------------------------------------------------------- colours and fills
  function rgb(hex) { var n = parseInt(hex.slice(1), 16); return [(n >> 16) & 255, (n >> 8) & 255, n & 255]; }
  function mix(hex, under, alpha) {
    var a = rgb(hex), b = rgb(under);
    return "rgb(" + [0, 1, 2].map(function (i) { return Math.round(a[i] * alpha + b[i] * (1 - alpha)); }).join(",") + ")";
  }
  // a tile of the fill: the side's colour blended with the land (opaque: neighbours never darken each other),
  // hatched in the attacker's colour when contested, dotted when claimed, striped with the land colour when stale,
  // stippled with it when thinly held (as the PNG maps do)
  function paintTile(ctx, size, c, thin) {
    var side = c[0], status = c[1], stale = c[3];
    var fill = side < 0 || !status ? C.syria : mix(sideColour(side), C.syria, A[status] != null ? A[status] : A.held);
    ctx.fillStyle = fill;
    ctx.fillRect(0, 0, size, size);
    ctx.lineWidth = 1.6;
    function diagonal(colour, up) {
      ctx.strokeStyle = colour;
      ctx.beginPath();
      for (var o = -size; o <= size; o += size / 2) {
        if (up) { ctx.moveTo(o, size); ctx.lineTo(o + size, 0); } else { ctx.moveTo(o, 0); ctx.lineTo(o + size, size); }
      }
      ctx.stroke();
    }
    function dots(colour, r, step) {
      ctx.fillStyle = colour;
      for (var x = step / 2; x < size; x += step) for (var y = step / 2; y < size; y += step) {
        ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.fill();
      }
    }
    if (status === "contested") diagonal(c[2] >= 0 ? sideColour(c[2]) : "#333333", true);
    if (status === "claimed") dots(sideColour(side), 1.1, size / 2);
    if (stale) { ctx.lineWidth = 1.1; diagonal(C.syria, false); }
    if (thin && side >= 0 && status) dots(C.syria, 0.7, size / 3);
    return fill;
  }
  var fills = {};
  function fillFor(k, thin) {
    var key = k + (thin ? "t" : "");
    if (fills[key]) return fills[key];
    var c = D.classes[k], plain = !thin && c[1] !== "contested" && c[1] !== "claimed" && !c[3];
    var tile = document.createElement("canvas");
    tile.width = tile.height = 12;
    var colour = paintTile(tile.getContext("2d"), 12, c, thin);
    var pattern = plain ? colour : tile.getContext("2d").createPattern(tile, "repeat");
    fills[key] = { fill: pattern, line: colour };
    return fills[key];
  }
  // ---------------------------------------------------------------- the map
  var mapEl = document.getElementById("map");
  mapEl.style.background = C.sea;
  var map = L.map(mapEl, { zoomSnap: 0.25, zoomDelta: 0.5, minZoom: 5, maxZoom: 13, preferCanvas: true,
                           attributionControl: true, boxZoom: true });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com" title="Leaflet, BSD-2-Clause">Leaflet</a>');
  map.attributionControl.addAttribution(esc(D.notes.credit) + "; " + esc(D.notes.baseline));
  L.control.scale({ imperial: false, maxWidth: 140 }).addTo(map);
  // two canvases: the land and the cells under, every line and mark over (each draws in the order added);
  // labels are DOM markers above both, so the browser shapes Arabic and never redraws them for a new day
  [["cells", 400], ["lines", 450], ["labels", 500]].forEach(function (p) { map.createPane(p[0]).style.zIndex = p[1]; });
  var cellR = L.canvas({ pane: "cells", padding: 0.1 }), lineR = L.canvas({ pane: "lines", padding: 0.1 });
  var baseR = cellR, pointR = lineR, markR = lineR;
  var b = D.region.bbox;
  map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);

  var BM = D.basemap;
  BM.countries.forEach(function (c) {
    L.polygon(polygonLatLngs(c.g), { renderer: baseR, interactive: false, fillColor: C.neighbour, fillOpacity: 1,
                                     color: C.neighbour_edge, weight: 0.8 }).addTo(map);
  });
  BM.outline.forEach(function (g) {
    L.polygon(polygonLatLngs(g), { renderer: baseR, interactive: false, fillColor: C.syria, fillOpacity: 1,
                                   stroke: false }).addTo(map);
  });
  BM.governorates.forEach(function (g) {
    L.polyline(g.map(ring), { renderer: lineR, interactive: false, color: C.governorate_edge,
                                weight: W.governorate, opacity: 0.8 }).addTo(map);
  });
  if (BM.rivers.length) {
    L.polyline(BM.rivers.map(ring), { renderer: lineR, interactive: false, color: C.water, weight: W.river }).addTo(map);
  }
  BM.lakes.forEach(function (g) {
    L.polygon(polygonLatLngs(g), { renderer: lineR, interactive: false, fillColor: C.water, fillOpacity: 1,
                                   color: C.water, weight: 0.5 }).addTo(map);
  });
  BM.outline.forEach(function (g) {
    L.polygon(polygonLatLngs(g), { renderer: lineR, interactive: false, fill: false, color: C.syria_edge,
                                   weight: W.syria }).addTo(map);
  });

  // ---------------------------------------------------------------- places: cells, points, classes per day
  // One canvas polygon per cell (drawn in a class's fill; restyled only when its class changes), one circle per
  // place without a cell. Clicks are resolved by placeAt below, not by Leaflet's per-layer hit tests.
  var thin = new Uint8Array(NC);
  D.thin.forEach(function (i) { thin[i] = 1; });
  var latlngs = new Array(N), layers = new Array(N);
  for (var i = 0; i < N; i++) {
    if (i < NC) {
      latlngs[i] = D.cells[i].map(function (poly) { return poly.map(function (r) { return ring(r).map(L.latLng); }); });
      if (latlngs[i].length) layers[i] = L.polygon(latlngs[i], { renderer: cellR, interactive: false, smoothFactor: 0.5 });
    } else if (P.pt[i]) {
      layers[i] = L.circleMarker(point(P.pt[i]), { renderer: pointR, radius: 5, interactive: false });
    }
  }
  function cellStyle(k, thinCell) {
    var f = fillFor(k, thinCell);
    // a hairline of the fill's own colour closes the anti-aliasing seams between plain neighbours; a patterned
    // fill hides them itself, and leaving its stroke out halves the drawing of a day that ages every cell
    return { fill: true, fillColor: f.fill, fillOpacity: 1, stroke: f.fill === f.line, color: f.line, weight: 0.8,
             opacity: 1 };
  }

  var cls = Int32Array.from(D.state0), shown = new Int32Array(N).fill(-1);
  // the class each delta replaces, so the slider can walk back as fast as forward
  var undo = new Array(D.days);
  (function () {
    var c = Int32Array.from(D.state0);
    for (var k = 1; k < D.days; k++) {
      var d = D.deltas[k];
      if (!d.length) continue;
      var u = new Int32Array(d.length / 2);
      for (var j = 0; j < d.length; j += 2) { u[j / 2] = c[d[j]]; c[d[j]] = d[j + 1]; }
      undo[k] = u;
    }
  })();
  function restyle(p) {
    var k = cls[p], layer = layers[p];
    if (shown[p] === k || !layer) { shown[p] = k; return; }
    shown[p] = k;
    if (p < NC) { layer.setStyle(cellStyle(k, thin[p])); return; }
    if (k === 0) { layer.remove(); return; }
    layer.setStyle({ fillColor: fillFor(k, false).line, fillOpacity: 1, color: C.syria_edge, weight: 1.2, dashArray: "2 2" });
    if (!map.hasLayer(layer)) layer.addTo(map);
  }

  // which place a click means: a point within a few pixels, else the cell under it (a grid of the cells' boxes)
  var GRID = 0.1, grid = {}, boxes = new Array(NC);
  for (var c0 = 0; c0 < NC; c0++) {
    var bb = L.latLngBounds([]);
    latlngs[c0].forEach(function (poly) { bb.extend(poly[0]); });
    if (!bb.isValid()) continue;
    boxes[c0] = bb;
    for (var gx = Math.floor(bb.getWest() / GRID); gx <= Math.floor(bb.getEast() / GRID); gx++)
      for (var gy = Math.floor(bb.getSouth() / GRID); gy <= Math.floor(bb.getNorth() / GRID); gy++)
        (grid[gx + ":" + gy] = grid[gx + ":" + gy] || []).push(c0);
  }
  function inRing(ll, r) {
    var inside = false;
    for (var a = 0, z = r.length - 1; a < r.length; z = a++) {
      if ((r[a].lat > ll.lat) !== (r[z].lat > ll.lat) &&
          ll.lng < (r[z].lng - r[a].lng) * (ll.lat - r[a].lat) / (r[z].lat - r[a].lat) + r[a].lng) inside = !inside;
    }
    return inside;
  }
  function placeAt(ll) {
    var here = map.latLngToContainerPoint(ll), best = -1, bestD = 9;
    for (var q = NC; q < N; q++) {
      if (!layers[q] || !map.hasLayer(layers[q])) continue;
      var d = here.distanceTo(map.latLngToContainerPoint(layers[q].getLatLng()));
      if (d < bestD) { best = q; bestD = d; }
    }
    if (best >= 0) return best;
    var cand = grid[Math.floor(ll.lng / GRID) + ":" + Math.floor(ll.lat / GRID)] || [];
    for (var j = 0; j < cand.length; j++) {
      var p = cand[j];
      if (!boxes[p].contains(ll)) continue;
      var hit = latlngs[p].some(function (poly) {
        return inRing(ll, poly[0]) && !poly.slice(1).some(function (hole) { return inRing(ll, hole); });
      });
      if (hit) return p;
    }
    return -1;
  }
  map.on("click", function (e) { var p = placeAt(e.latlng); if (p >= 0) select(p); });

  // front lines: one polyline (with a white casing) of the edges on a front, rebuilt when an edge toggles
  var edgeLatLngs = D.edges.map(function (g) { return g.map(ring); });
  var front = new Uint8Array(D.edges.length);
  D.front0.forEach(function (e) { front[e] = 1; });
  var casing = L.polyline([], { renderer: lineR, interactive: false, color: "#ffffff", weight: W.front + 2, opacity: 0.9 });
  var frontLine = L.polyline([], { renderer: lineR, interactive: false, color: C.front, weight: W.front });
  casing.addTo(map); frontLine.addTo(map);
  function drawFronts() {
    var parts = [];
    for (var e = 0; e < front.length; e++) if (front[e]) Array.prototype.push.apply(parts, edgeLatLngs[e]);
    casing.setLatLngs(parts); frontLine.setLatLngs(parts);
  }

  // events: by day (the change list) and by place (the history)
  var byDay = {}, byPlace = {};
  D.events.forEach(function (ev, j) {
    (byDay[ev[0]] = byDay[ev[0]] || []).push(j);
    (byPlace[ev[1]] = byPlace[ev[1]] || []).push(j);
  });
  var changeDays = Object.keys(byDay).map(Number).filter(function (k) { return k >= 0 && k < D.days; })
    .sort(function (a, b) { return a - b; });

  // ---------------------------------------------------------------- moving between days
  var day = 0, selected = -1;
  var slider = document.getElementById("slider");
  slider.max = String(D.days - 1);
  var marks = L.layerGroup().addTo(map);

  function walk(to) {
    var touched = [], fronts = false, k, d, j;
    if (to > day) {
      for (k = day + 1; k <= to; k++) {
        d = D.deltas[k];
        for (j = 0; j < d.length; j += 2) { cls[d[j]] = d[j + 1]; touched.push(d[j]); }
        d = D.frontDeltas[k];
        for (j = 0; j < d.length; j++) front[d[j]] ^= 1;
        fronts = fronts || d.length > 0;
      }
    } else {
      for (k = day; k > to; k--) {
        d = D.deltas[k];
        for (j = d.length - 2; j >= 0; j -= 2) { cls[d[j]] = undo[k][j / 2]; touched.push(d[j]); }
        d = D.frontDeltas[k];
        for (j = 0; j < d.length; j++) front[d[j]] ^= 1;
        fronts = fronts || d.length > 0;
      }
    }
    day = to;
    for (j = 0; j < touched.length; j++) restyle(touched[j]);
    if (fronts) drawFronts();
  }

  function outline(p, style) {
    if (p < NC) { if (latlngs[p].length) marks.addLayer(L.polygon(latlngs[p], L.extend({ renderer: markR, interactive: false, fill: false }, style))); }
    else if (P.pt[p]) marks.addLayer(L.circleMarker(point(P.pt[p]), L.extend({ renderer: markR, interactive: false, fill: false, radius: 8 }, style)));
  }
  function drawMarks() {
    marks.clearLayers();
    for (var p = 0; p < N; p++) {
      if (D.classes[cls[p]][1] === "besieged") outline(p, { color: C.besieged_ring, weight: W.besieged, dashArray: "5 3" });
    }
    (byDay[day] || []).forEach(function (j) { outline(D.events[j][1], { color: C.change_edge, weight: W.change }); });
    if (selected >= 0) outline(selected, { color: C.text, weight: 2.5, dashArray: "1 4", lineCap: "round" });
  }

  function setDay(k, why) {
    k = Math.max(0, Math.min(D.days - 1, k | 0));
    var t0 = performance.now();
    walk(k);
    drawMarks();
    slider.value = String(k);
    document.getElementById("date").textContent = longDay(k);
    document.getElementById("day-of").textContent = isoDay(k) + " \u00b7 day " + (k + 1) + " of " + D.days;
    listChanges();
    if (selected >= 0) showPlace(selected);
    if (why !== "load") writeHash();
    var js = performance.now() - t0;
    // the time until the browser has drawn the new day: after Leaflet's redraw (requested above, so run first
    // in the next frame) and that frame's paint
    requestAnimationFrame(function () {
      setTimeout(function () {
        timings.push({ day: isoDay(k), ms: performance.now() - t0, js: js, why: why || "" });
        hooks.measured += 1;
        if (timings.length > 2000) timings.shift();
      }, 0);
    });
  }

  // ---------------------------------------------------------------- the panel: changes, place, legend
  // a status in words, naming the other side where the status has one (the attacker, the besieger)
  function statusText(status, other) {
    var by = other >= 0 ? " by " + esc(sideLabel(other)) : "";
    if (status === "contested" || status === "besieged") return status + by;
    if (status === "claimed") return "claimed, awaiting confirmation";
    return esc(status || "");
  }
  function stateText(k) {
    var c = D.classes[k];
    return k ? esc(sideLabel(c[0])) + ", " + statusText(c[1], c[2]) : "nothing known";
  }
  function swatch(k, thinCell) {
    var f = fillFor(k, !!thinCell);
    return '<span class="swatch" style="background:' + f.line + '"></span>';
  }
  function moveText(ev) {
    var paren = function (status, other) { return status && status !== "held" ? " (" + statusText(status, other) + ")" : ""; };
    var from = ev[2] >= 0 ? esc(sideLabel(ev[2])) + paren(ev[3], -1) : "unknown";
    return from + " \u2192 " + '<span class="swatch" style="background:' + sideColour(ev[4]) + '"></span>' +
      esc(sideLabel(ev[4])) + paren(ev[5], ev[6]) +
      (ev[7] ? '<span class="tag" title="' + esc(ev[9] || "derived from other claims") + '">inferred</span>' : "");
  }
  function names(p) {
    return '<span class="names"><b>' + esc(P.en[p] || P.id[p]) + "</b>" + arSpan(P.ar[p]) + "</span>";
  }
  function sourceText(c) {
    var parts = [];
    if (c[1]) parts.push(esc(c[1]) + (c[2] && c[2] !== c[1] ? ", citing " + esc(c[2]) : ""));
    else if (c[2]) parts.push(esc(c[2]));
    if (c[6]) parts.push("\u201c" + esc(c[6]) + "\u201d");
    if (c[3]) parts.push("report of " + esc(c[3]));
    var s = parts.join(" \u00b7 ");
    if (c[7] && /^https?:\/\//.test(c[7])) s += ' \u00b7 <a href="' + esc(c[7]) + '" target="_blank" rel="noopener noreferrer">link</a>';
    return s || "source not recorded";
  }
  function claimsHtml(ev) {
    if (!ev[10].length) return ev[9] ? '<div class="src">' + esc(ev[9]) + "</div>" : "";
    return '<ul class="claims">' + ev[10].map(function (j) {
      var c = D.claims[j], lang = c[4] || (RTL.test(c[5]) ? "ar" : "");
      var dir = RTL.test(c[5]) ? "rtl" : "auto";
      return "<li>" + (c[5] ? '<blockquote class="quote" dir="' + dir + '"' + (lang ? ' lang="' + esc(lang) + '"' : "") + ">" +
        esc(c[5]) + "</blockquote>" : "") + '<div class="src">' + sourceText(c) + "</div></li>";
    }).join("") + "</ul>";
  }

  function listChanges() {
    var list = document.getElementById("change-list"), evs = byDay[day] || [];
    if (!evs.length) {
      var next = changeDays.filter(function (k) { return k > day; })[0];
      list.innerHTML = '<li class="none">None reported.' + (next != null ? " Next: " + esc(isoDay(next)) + "." : "") + "</li>";
      return;
    }
    list.innerHTML = evs.map(function (j) {
      var ev = D.events[j];
      return '<li tabindex="0" data-place="' + ev[1] + '">' + names(ev[1]) + '<div class="move">' + moveText(ev) +
        "</div>" + (ev[10].length ? '<div class="src">' + sourceText(D.claims[ev[10][0]]) +
        (ev[10].length > 1 ? " and " + (ev[10].length - 1) + " more" : "") + "</div>" : "") + "</li>";
    }).join("");
  }
  function goTo(p) {
    var target = P.pt[p] ? point(P.pt[p]) : boxes[p] ? boxes[p].getCenter() : null;
    if (target) map.flyTo(target, Math.max(map.getZoom(), 10), { duration: 0.6 });
    select(p);
  }
  document.getElementById("change-list").addEventListener("click", function (e) {
    var li = e.target.closest("li[data-place]");
    if (li && !e.target.closest("a")) goTo(+li.getAttribute("data-place"));
  });
  document.getElementById("change-list").addEventListener("keydown", function (e) {
    var li = e.target.closest("li[data-place]");
    if (li && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); goTo(+li.getAttribute("data-place")); }
  });

  // the event that opened the place's state on the shown day (an inferred one when the state is inferred);
  // null when the state comes from the baseline
  function opening(p) {
    var inferred = D.classes[cls[p]][1] === "inferred", last = null;
    (byPlace[p] || []).forEach(function (j) { if (D.events[j][0] <= day && D.events[j][7] === inferred) last = j; });
    return last;
  }
  function showPlace(p) {
    var el = document.getElementById("place"), k = cls[p], c = D.classes[k], b = P.baseline[p];
    var where = [P.adm3[p] >= 0 ? P.adm_names[P.adm3[p]] + " subdistrict" : "", P.adm1[p] >= 0 ? P.adm_names[P.adm1[p]] : ""]
      .filter(Boolean).join(", ");
    var prec = P.precision[p] >= 0 ? P.precisions[P.precision[p]] : "";
    var open = opening(p), since = open != null ? isoDay(D.events[open][0]) : b >= 0 ? P.baselines[b][0] : null;
    var notes = [];
    if (c[3]) notes.push("Stale: no report about it for over " + D.notes.stale_days + " days.");
    if (c[1] === "inferred") notes.push("Inferred from nearby claims, not reported itself.");
    if (p < NC && thin[p]) notes.push("Thinly held: its cell is wider than a disc of " + D.notes.thin_km + " km (desert).");
    if (p >= NC) notes.push("Known only " + (prec ? "to its " + esc(prec) : "approximately") + ": drawn as a point.");
    var html = '<button type="button" class="close" aria-label="Close">\u00d7</button><h2>' + names(p) + "</h2>" +
      '<p class="where muted">' + esc(where) + (where ? " \u00b7 " : "") + esc(P.id[p]) + "</p>" +
      '<p class="now">' + swatch(k, p < NC && thin[p]) + "<b>" + stateText(k) + "</b>" +
      (since && k ? " since " + esc(since) : "") + ' <span class="muted">on ' + esc(isoDay(day)) + "</span></p>" +
      notes.map(function (n) { return '<p class="muted">' + n + "</p>"; }).join("") + '<h3>History</h3><ol class="history">';
    var evs = (byPlace[p] || []).slice().reverse();
    html += evs.map(function (j) {
      var ev = D.events[j];
      return '<li class="' + (ev[0] > day ? "later" : j === open ? "current" : "") + '"><time>' + esc(isoDay(ev[0])) +
        "</time>" + moveText(ev) + (ev[8] ? ' <span class="tag">' + esc(ev[8]) + "</span>" : "") + claimsHtml(ev) + "</li>";
    }).join("");
    if (b >= 0) {
      var first = evs.map(function (j) { return D.events[j]; }).filter(function (ev) { return !ev[7]; }).pop();
      var held = first ? (first[2] >= 0 ? esc(sideLabel(first[2])) + (first[3] ? ", " + esc(first[3]) : "") : "unknown")
        : stateText(D.state0[p]);
      html += '<li class="' + (open == null ? "current" : "") + '"><time>' + esc(P.baselines[b][0]) + "</time>Baseline: " +
        held + '<div class="src">' + esc(P.baselines[b][1] || "") + (P.baselines[b][2] ? " \u00b7 " + esc(P.baselines[b][2]) : "") +
        " \u00b7 " + esc(D.notes.baseline) + "</div></li>";
    }
    el.innerHTML = html + "</ol>";
    el.hidden = false;
    el.querySelector(".close").onclick = function () { select(-1); };
  }
  function select(p) {
    selected = p;
    if (p < 0) document.getElementById("place").hidden = true;
    else { showPlace(p); document.getElementById("panel").scrollTop = 0; }
    drawMarks();
    writeHash();
  }

  function legend() {
    var used = {};
    D.classes.forEach(function (c) { if (c[1]) used[c[0]] = true; });
    var gov = -1, att = -1;
    D.sides.forEach(function (s, j) { if (s.name === "government") gov = j; if (s.name === "isis") att = j; });
    var rows = D.sides.map(function (s, j) { return used[j] ? [[j, "held", -1, false], false, esc(s.label)] : null; })
      .filter(Boolean);
    rows.push([[gov, "contested", att, false], false, "Contested (hatched in the attacker's colour)"]);
    rows.push([[gov, "claimed", -1, false], false, "Claimed, awaiting confirmation (dots)"]);
    rows.push([[gov, "inferred", -1, false], false, "Inferred advance (lighter)"]);
    rows.push([[gov, "held", -1, true], false, "Stale: no report for " + D.notes.stale_days + " days (stripes)"]);
    rows.push([[gov, "held", -1, false], true, "Thinly held desert (stipple)"]);
    var html = rows.map(function (r) { return "<li><canvas width=\"22\" height=\"14\"></canvas>" + r[2] + "</li>"; }).join("");
    var line = function (colour, width, dash, text) {
      return '<li><svg width="24" height="14"><line x1="1" y1="7" x2="23" y2="7" stroke="' + colour + '" stroke-width="' +
        width + '"' + (dash ? ' stroke-dasharray="' + dash + '"' : "") + "/></svg>" + text + "</li>";
    };
    html += line(C.besieged_ring, W.besieged, "5 3", "Besieged (outline)");
    html += line(C.front, W.front, "", "Front line");
    html += line(C.change_edge, W.change, "", "Changed hands on this day");
    html += '<li><svg width="24" height="14"><circle cx="12" cy="7" r="5" fill="' + mix(sideColour(gov), C.syria, A.held) +
      '" stroke="' + C.syria_edge + '" stroke-dasharray="2 2"/></svg>Place known only to its subdistrict</li>';
    var ul = document.getElementById("legend-list");
    ul.innerHTML = html;
    var canvases = ul.querySelectorAll("canvas");
    rows.forEach(function (r, j) {
      var ctx = canvases[j].getContext("2d");
      ctx.fillStyle = ctx.createPattern((function () {
        var t = document.createElement("canvas"); t.width = t.height = 12; paintTile(t.getContext("2d"), 12, r[0], r[1]); return t;
      })(), "repeat");
      ctx.fillRect(0, 0, 22, 14);
    });
  }

  // ---------------------------------------------------------------- labels (English and Arabic, by zoom)
  var labelLayer = L.layerGroup().addTo(map), labelMarkers = {};
  var measure = document.createElement("canvas").getContext("2d");
  function textWidth(text, px, bold) {
    measure.font = (bold ? "bold " : "") + px + 'px "DejaVu Sans", sans-serif';
    return measure.measureText(text || "").width;
  }
  // what may be labelled, best first: the towns of render.toml, then the places by rank
  var items = P.towns.map(function (t) { return { ll: point(t.at), en: t.en, ar: t.ar, rank: t.rank, key: "t" + t.en }; });
  for (var q = 0; q < N; q++) {
    if (P.pt[q] && P.rank[q] >= 0 && (P.en[q] || P.ar[q])) items.push({ ll: point(P.pt[q]), en: P.en[q], ar: P.ar[q], rank: P.rank[q], key: q });
  }
  items.sort(function (a, c) { return a.rank - c.rank; });
  function drawLabels() {
    var z = map.getZoom(), bounds = map.getBounds().pad(0.05), taken = [], keep = {};
    function free(box) {
      for (var t = 0; t < taken.length; t++) {
        var o = taken[t];
        if (box[0] < o[2] && box[2] > o[0] && box[1] < o[3] && box[3] > o[1]) return false;
      }
      taken.push(box);
      return true;
    }
    BM.countries.forEach(function (c, j) {
      var ll = point(c.at), key = "c" + j;
      if (z > 8.5 || !bounds.contains(ll)) return;
      var pt = map.latLngToContainerPoint(ll), w = textWidth(c.name, 13, false);
      if (!free([pt.x - w / 2, pt.y - 10, pt.x + w / 2, pt.y + 10])) return;
      keep[key] = true;
      if (!labelMarkers[key]) labelMarkers[key] = L.marker(ll, { pane: "labels", interactive: false, keyboard: false,
        icon: L.divIcon({ className: "country-label", iconSize: null, html: '<div class="box">' + esc(c.name) + "</div>" }) });
    });
    var count = 0;
    for (var j = 0; j < items.length && count < MAX_LABELS; j++) {
      var it = items[j], r = it.rank;
      if (z < LABEL_ZOOMS[Math.min(r, LABEL_ZOOMS.length - 1)]) break;
      if (!bounds.contains(it.ll)) continue;
      var pt = map.latLngToContainerPoint(it.ll), px = r === 0 ? 13 : r <= 2 ? 12 : 11;
      var w = Math.max(textWidth(it.en, px, r < 3), textWidth(it.ar, px, r < 3)) + 4;
      var h = (it.en && it.ar ? 2 : 1) * px * 1.15 + 6;
      if (!free([pt.x - w / 2, pt.y - h, pt.x + w / 2, pt.y + 3])) continue;
      count++;
      keep[it.key] = true;
      if (!labelMarkers[it.key]) {
        labelMarkers[it.key] = L.marker(it.ll, { pane: "labels", interactive: false, keyboard: false, icon: L.divIcon({
          className: "place-label r" + Math.min(r, 3), iconSize: null,
          html: '<div class="dot"></div><div class="box">' + (it.en ? "<span>" + esc(it.en) + "</span>" : "") +
            (it.ar ? '<span lang="ar" dir="rtl">' + esc(it.ar) + "</span>" : "") + "</div>" }) });
      }
    }
    Object.keys(labelMarkers).forEach(function (key) {
      var m = labelMarkers[key];
      if (keep[key] && !labelLayer.hasLayer(m)) labelLayer.addLayer(m);
      if (!keep[key] && labelLayer.hasLayer(m)) labelLayer.removeLayer(m);
    });
  }
  map.on("zoomend moveend resize", drawLabels);

  // ---------------------------------------------------------------- controls, keyboard, address
  slider.addEventListener("input", function () { stop(); setDay(+slider.value, "slider"); });
  document.getElementById("prev-day").onclick = function () { stop(); setDay(day - 1, "button"); };
  document.getElementById("next-day").onclick = function () { stop(); setDay(day + 1, "button"); };
  document.getElementById("prev-change").onclick = function () {
    stop();
    var before = changeDays.filter(function (k) { return k < day; });
    if (before.length) setDay(before[before.length - 1], "button");
  };
  document.getElementById("next-change").onclick = function () {
    stop();
    var after = changeDays.filter(function (k) { return k > day; });
    if (after.length) setDay(after[0], "button");
  };
  var timer = null, playBtn = document.getElementById("play"), speed = document.getElementById("speed");
  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    playBtn.innerHTML = "&#9654;"; playBtn.setAttribute("aria-label", "Play");
  }
  function play() {
    if (day >= D.days - 1) setDay(0, "play");
    timer = setInterval(function () { if (day >= D.days - 1) stop(); else setDay(day + 1, "play"); }, +speed.value);
    playBtn.innerHTML = "&#9632;"; playBtn.setAttribute("aria-label", "Pause");
  }
  playBtn.onclick = function () { if (timer) stop(); else play(); };
  speed.onchange = function () { if (timer) { stop(); play(); } };
  document.addEventListener("keydown", function (e) {
    if (e.target.closest && e.target.closest("input, select, button, li[data-place]")) return;
    if (e.key === " ") { e.preventDefault(); playBtn.click(); }
    else if (e.key === "ArrowRight" && e.shiftKey) { stop(); setDay(day + 1, "key"); }
    else if (e.key === "ArrowLeft" && e.shiftKey) { stop(); setDay(day - 1, "key"); }
  });
  function writeHash() {
    var h = "#day=" + isoDay(day) + (selected >= 0 ? "&place=" + encodeURIComponent(P.id[selected]) : "");
    if (location.hash !== h) history.replaceState(null, "", h);
  }
  function readHash() {
    var m = /day=(\d{4}-\d{2}-\d{2})/.exec(location.hash), n = /place=([^&]+)/.exec(location.hash);
    return { day: m ? dayOfIso(m[1]) : null, place: n ? P.id.indexOf(decodeURIComponent(n[1])) : -1 };
  }

  // ---------------------------------------------------------------- start
  document.title = D.region.label + ", " + D.start + " to " + isoDay(D.days - 1) + ": who controls what";
  document.getElementById("region").textContent = D.region.label + " \u00b7 " + D.start + " to " + isoDay(D.days - 1) +
    " \u00b7 " + N + " places";
  for (var p0 = 0; p0 < N; p0++) { restyle(p0); if (p0 < NC && layers[p0]) layers[p0].addTo(map); }
  drawFronts();
  legend();
  var asked = readHash();
  if (asked.day != null && asked.day > 0) walk(Math.min(asked.day, D.days - 1));
  setDay(day, "load");
  if (asked.place >= 0) select(asked.place);
  drawLabels();

  // for tests and scripts: where a place is on the screen, its class, and how fast the page answers
  hooks.setDay = function (iso) { stop(); setDay(dayOfIso(iso), "script"); };
  hooks.day = function () { return isoDay(day); };
  hooks.place = function (id) { return P.id.indexOf(id); };
  hooks.classOf = function (id) { var c = D.classes[cls[P.id.indexOf(id)]]; return { side: c[0] >= 0 ? D.sides[c[0]].name : null, status: c[1], stale: c[3] }; };
  hooks.screenPoint = function (id) {
    var p = P.id.indexOf(id), pt = map.latLngToContainerPoint(point(P.pt[p])), box = mapEl.getBoundingClientRect();
    return { x: box.left + pt.x, y: box.top + pt.y };
  };
  hooks.home = function () { map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { animate: false }); };
  hooks.view = function (id, zoom) { var p = P.id.indexOf(id); map.setView(point(P.pt[p]), zoom, { animate: false }); };
  requestAnimationFrame(function () {
    setTimeout(function () { hooks.readyMs = performance.now(); hooks.ready = true; }, 0);
  });
})();
