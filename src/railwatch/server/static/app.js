// railwatch dashboard: map (bundled Leaflet) with scene tiles, tracks and cars; counts over time; evidence.
"use strict";

const TYPE_COLORS = {
  locomotive: "#e41a1c", boxcar: "#377eb8", tank: "#4daf4a", flat: "#984ea3", container: "#ff7f00",
  gondola: "#a65628", covered: "#f781bf", passenger: "#ffff33", unknown: "#999999",
};
const params = new URLSearchParams(location.search);
const token = params.get("token");  // a read token, when the server asks for one
const headers = token ? { Authorization: "Bearer " + token } : {};
const withToken = (url) => (token ? url + "?access_token=" + encodeURIComponent(token) : url);
const map = L.map("map", { maxZoom: 22 });
const layers = { tiles: null, site: null, cars: null };
window.railwatch = { map, layers };

async function get(url) {
  const r = await fetch(url, { headers });
  if (!r.ok) throw new Error(url + ": " + r.status + " " + ((await r.json()).error || ""));
  return r.json();
}

function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function showEvidence(p) {
  const chip = document.getElementById("chip");
  chip.src = withToken("/api/cars/" + encodeURIComponent(p.id) + "/chip.png");
  chip.hidden = false;
  document.getElementById("evidence-hint").hidden = true;
  const dl = document.getElementById("evidence-facts");
  dl.replaceChildren();
  const facts = [["car", p.id], ["type", p.type], ["scene", "#" + p.scene_id], ["time (UTC)", p.acquired.slice(0, 16).replace("T", " ")],
    ["track", p.track], ["chainage", p.chainage_m.toFixed(1) + " m (" + p.start_m + "–" + p.end_m + " m)"],
    ["confidence", p.confidence.toFixed(2)], ["colour", p.color]];
  for (const [k, v] of facts) { dl.append(el("dt", k), el("dd", String(v))); }
}

function drawChart(obs, alerts, events) {
  const box = document.getElementById("chart");
  box.replaceChildren();
  const byTime = new Map();
  for (const o of obs) {
    const t = Date.parse(o.acquired);
    const a = byTime.get(t) || { t, n: 0, lo: 0, hi: 0 };
    a.n += o.cars; a.lo += o.cars_low; a.hi += o.cars_high;
    byTime.set(t, a);
  }
  const pts = [...byTime.values()].sort((a, b) => a.t - b.t);
  if (!pts.length) { box.append(el("p", "No observations.", { class: "muted" })); return; }
  const W = 340, H = 160, L = 28, B = 18, T = 6;
  const t0 = pts[0].t - 86400e3, t1 = pts[pts.length - 1].t + 86400e3;
  const ymax = Math.max(1, ...pts.map((p) => p.hi)) * 1.1;
  const x = (t) => L + ((t - t0) / (t1 - t0)) * (W - L - 4);
  const y = (v) => T + (1 - v / ymax) * (H - T - B);
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("width", "100%");
  const add = (tag, attrs, text) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  add("line", { x1: L, y1: y(0), x2: W - 4, y2: y(0), stroke: "#999" });
  for (const v of [0, Math.round(ymax / 2), Math.floor(ymax)]) add("text", { x: 2, y: y(v) + 3 }, String(v));
  add("text", { x: L, y: H - 4 }, new Date(pts[0].t).toISOString().slice(0, 10));
  add("text", { x: W - 70, y: H - 4 }, new Date(pts[pts.length - 1].t).toISOString().slice(0, 10));
  for (const e of events) {
    const t = Date.parse(e.date + "T00:00:00Z");
    if (t < t0 || t > t1) continue;
    add("line", { x1: x(t), x2: x(t), y1: T, y2: y(0), stroke: "#6a51a3", "stroke-dasharray": "3 2", class: "event" })
      .append(Object.assign(document.createElementNS(ns, "title"), { textContent: e.date + " " + e.title }));
  }
  add("polyline", { points: pts.map((p) => x(p.t) + "," + y(p.n)).join(" "), fill: "none", stroke: "#263238" });
  for (const p of pts) {
    add("line", { x1: x(p.t), x2: x(p.t), y1: y(p.lo), y2: y(p.hi), stroke: "#90a4ae" });
    add("circle", { cx: x(p.t), cy: y(p.n), r: 2.5, fill: "#263238", class: "obs" });
  }
  for (const a of alerts) {
    const t = Date.parse(a.date + "T12:00:00Z");
    add("circle", { cx: x(Math.min(Math.max(t, t0), t1)), cy: y(a.count), r: 5, fill: "none", stroke: "#d7301f",
      "stroke-width": 2, class: "alert" });
  }
  box.append(svg);
}

async function loadSite(id) {
  const status = document.getElementById("status");
  status.textContent = "loading " + id + "…";
  for (const k of Object.keys(layers)) if (layers[k]) { map.removeLayer(layers[k]); layers[k] = null; }
  const [site, cars, obs, alerts, events] = await Promise.all([
    get("/api/sites/" + encodeURIComponent(id)), get("/api/cars?latest=true&limit=1000&site=" + encodeURIComponent(id)),
    get("/api/observations?limit=1000&site=" + encodeURIComponent(id)), get("/api/alerts?site=" + encodeURIComponent(id)),
    get("/api/events")]);
  const sceneIds = [...new Set(cars.features.map((f) => f.properties.scene_id))];
  if (sceneIds.length) {
    const latest = cars.features.reduce((a, f) => (f.properties.acquired > a.properties.acquired ? f : a));
    layers.tiles = L.tileLayer(withToken("/api/scenes/" + latest.properties.scene_id + "/tiles/{z}/{x}/{y}.png"),
      { maxZoom: 22, minZoom: 12, attribution: "scene #" + latest.properties.scene_id }).addTo(map);
  }
  layers.site = L.geoJSON(site, {
    style: { color: "#263238", weight: 2, opacity: 0.8 },
    pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 5, color: "#d7301f" }),
    onEachFeature: (f, layer) => layer.bindTooltip(f.properties.name || f.properties.id),
  }).addTo(map);
  layers.cars = L.geoJSON(cars, {
    style: (f) => ({ color: TYPE_COLORS[f.properties.type] || "#999", weight: 2, fillOpacity: 0.35, className: "rw-car" }),
    onEachFeature: (f, layer) => layer.on("click", () => showEvidence(f.properties)),
  }).addTo(map);
  const bounds = cars.features.length ? layers.cars.getBounds() : layers.site.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 19 });
  const counts = {};
  for (const f of cars.features) counts[f.properties.type] = (counts[f.properties.type] || 0) + 1;
  const types = document.getElementById("types");
  types.replaceChildren(...Object.entries(counts).sort().map(([t, n]) => {
    const li = el("li", ` ${t}: ${n}`);
    li.prepend(el("span", undefined, { class: "sw", style: "background:" + (TYPE_COLORS[t] || "#999") }));
    return li;
  }));
  drawChart(obs.items, alerts.items, events.items);
  document.getElementById("alerts").replaceChildren(...alerts.items.map((a) => el("li", `${a.date} ${a.kind}: ${a.message}`)));
  status.textContent = `${cars.features.length} cars · ${obs.total} observations · ${alerts.total} alerts`;
  document.body.dataset.ready = "1";
}

async function main() {
  try {
    const sites = await get("/api/sites");
    const select = document.getElementById("site");
    for (const s of sites.items) select.append(el("option", s.name, { value: s.id }));
    select.addEventListener("change", () => loadSite(select.value));
    const first = params.get("site") || (sites.items[0] && sites.items[0].id);
    if (first) { select.value = first; await loadSite(first); } else {
      map.setView([42.42, 130.6], 12);
      document.getElementById("status").textContent = "no sites in the store";
      document.body.dataset.ready = "1";
    }
  } catch (err) {
    document.getElementById("status").textContent = String(err);
    document.body.dataset.ready = "error";
  }
}
main();
