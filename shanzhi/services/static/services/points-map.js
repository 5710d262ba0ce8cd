// 便民服务地图: service points as circle markers by category, a search/category filter, and the points
// nearest to the resident's building. Works without a tile server (markers on a plain background).
// Point names are user-entered: they reach the page as text nodes, never as HTML strings.
(function () {
  const el = document.getElementById("sz-points-map");
  if (!el || typeof L === "undefined") return;
  const list = document.getElementById("sz-point-list");
  const form = document.getElementById("sz-point-filter");
  const colours = { medical: "#d63939", elderly: "#f76707", childcare: "#ae3ec9", store: "#2fb344",
    repair: "#206bc4", kiosk: "#0ca678", other: "#667382" };
  const map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
  if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);
  map.setView([32.37, 119.44], 14);
  const layer = L.layerGroup().addTo(map);
  const home = el.dataset.homeLat ? [parseFloat(el.dataset.homeLat), parseFloat(el.dataset.homeLng)] : null;
  const text = (tag, s, cls) => { const n = document.createElement(tag); n.textContent = s; if (cls) n.className = cls; return n; };
  let labels = {};
  const popup = (p) => {
    const box = document.createElement("div");
    box.append(text("strong", p.name), text("div", (labels[p.category] || "") + (p.hours ? " · " + p.hours : ""), "small"));
    if (p.address) box.append(text("div", p.address, "small"));
    if (p.phone) box.append(text("div", p.phone, "small"));
    return box;
  };
  function load() {
    const params = new URLSearchParams(new FormData(form));
    if (el.dataset.region) params.set("region", el.dataset.region);
    fetch(el.dataset.points + "?" + params.toString(), { credentials: "same-origin" })
      .then((r) => r.json())
      .then((data) => {
        labels = data.categories || {};
        layer.clearLayers();
        const bounds = [];
        const byId = {};
        data.points.forEach((p) => {
          byId[p.id] = p;
          const m = L.circleMarker([p.lat, p.lng], { radius: 7, color: colours[p.category] || "#667382",
            weight: 2, fillOpacity: 0.7, className: "sz-point sz-point-" + p.category });
          m.bindPopup(popup(p));
          m.addTo(layer);
          bounds.push([p.lat, p.lng]);
        });
        if (home) {
          L.circleMarker(home, { radius: 9, color: "#1d273b", weight: 3, fillOpacity: 0.2, className: "sz-home" })
            .bindTooltip(text("span", "⌂")).addTo(layer);
          bounds.push(home);
        }
        if (bounds.length) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 });
        const shown = data.nearest.length ? data.nearest.map((id) => byId[id]) : data.points.slice(0, 20);
        list.replaceChildren();
        shown.forEach((p) => {
          const li = text("li", "", "list-group-item");
          li.dataset.testid = "point";
          const row = document.createElement("div");
          row.className = "d-flex justify-content-between";
          row.append(text("strong", p.name));
          if (data.distances[p.id] !== undefined) row.append(text("span", data.distances[p.id] + " " + list.dataset.metres, "small text-secondary"));
          li.append(row, text("div", (labels[p.category] || "") + (p.hours ? " · " + p.hours : ""), "small text-secondary"));
          list.append(li);
        });
        if (!shown.length) list.append(text("li", list.dataset.empty, "list-group-item text-secondary"));
        el.dataset.ready = "1";
        el.dataset.count = String(data.points.length);
      });
  }
  form.addEventListener("submit", (e) => { e.preventDefault(); el.dataset.ready = ""; load(); });
  load();
})();
