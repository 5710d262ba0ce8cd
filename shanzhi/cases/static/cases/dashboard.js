// 民情指数 dashboard: the 60-day trend (ECharts) and the map of grid scores and open cases (Leaflet).
// Data comes from the page's json_script blocks, labels from data- attributes; every string that
// reaches Leaflet is given as text (a DOM node or an escaped string), never as HTML.
(function () {
  const data = (id, fallback) => JSON.parse(document.getElementById(id)?.textContent || fallback);
  const textNode = (s) => {
    const span = document.createElement("span");
    span.textContent = s;
    return span;
  };
  const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");

  const series = data("sz-series", "[]");
  const el = document.getElementById("sz-trend");
  if (el && window.echarts) {
    const t = el.dataset;
    const chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" }, legend: { top: 0, data: [t.reported, t.closed, t.satisfaction] },
      grid: { left: 40, right: 40, top: 40, bottom: 30 },
      xAxis: { type: "category", data: series.map((s) => s.day.slice(5)) },
      yAxis: [{ type: "value" }, { type: "value", max: 100 }],
      series: [
        { name: t.reported, type: "bar", data: series.map((s) => s.reported) },
        { name: t.closed, type: "bar", data: series.map((s) => s.closed) },
        { name: t.satisfaction, type: "line", yAxisIndex: 1, connectNulls: true, data: series.map((s) => s.satisfaction) },
      ],
    });
    window.addEventListener("resize", () => chart.resize());
  }

  const geo = data("sz-geo", "null");
  const points = data("sz-points", "[]");
  const outline = data("sz-outline", "null");
  const lightLabels = data("sz-light-labels", "{}");
  const mapEl = document.getElementById("sz-index-map");
  if (!(mapEl && window.L && geo)) return;
  const t = mapEl.dataset;
  // No tile server configured: the polygons and markers are drawn on the plain background.
  const map = L.map(mapEl, { attributionControl: false, zoomSnap: 0.25 });
  if (t.tiles) L.tileLayer(t.tiles, { maxZoom: 19 }).addTo(map);
  const bounds = L.latLngBounds([]);
  if (outline) {
    const self = L.geoJSON(outline, { style: { color: "#1d4e89", weight: 2, fill: false, dashArray: "6 4" }, interactive: false }).addTo(map);
    bounds.extend(self.getBounds());
  }
  const polygons = L.geoJSON(geo, {
    style: (f) => ({ color: "#fff", weight: 1, fillColor: f.properties.colour, fillOpacity: 0.45, interactive: true }),
    onEachFeature: (f, l) => l.bindTooltip(textNode(f.properties.name + " " + f.properties.index), { sticky: true }),
  }).addTo(map);
  if (geo.features.length) bounds.extend(polygons.getBounds());
  // colour, shape and letter: 红 square "!", 黄 diamond "…", 绿 circle "✓" (app.css .sz-pin-*; 1.4.1)
  const MARK = { green: "✓", yellow: "…", red: "!" };
  const popup = (p) => {
    const box = document.createElement("div");
    const head = document.createElement("div");
    head.className = "fw-bold";
    head.textContent = p.number;
    const title = document.createElement("div");
    title.textContent = p.title;
    const meta = document.createElement("div");
    meta.className = "small text-secondary mb-1";
    meta.textContent = [p.category, p.state, lightLabels[p.light]].filter(Boolean).join(" · ");
    const link = document.createElement("a");
    link.href = p.url;
    link.textContent = t.details;
    box.append(head, title, meta, link);
    return box;
  };
  const size = points.length > 100 ? 14 : points.length > 30 ? 16 : 18; // many markers: smaller marks
  const icon = (light) => L.divIcon({
    className: "sz-pin sz-case-marker sz-marker-" + light + " sz-pin-" + (MARK[light] ? light : "green"),
    html: "<span aria-hidden=\"true\">" + (MARK[light] || MARK.green) + "</span>", iconSize: [size, size],
  });
  const markers = L.featureGroup(points.map((p) => L.marker([p.lat, p.lng], {
    icon: icon(p.light), title: [p.number, p.title, lightLabels[p.light]].filter(Boolean).join(" · "),
    alt: [p.number, lightLabels[p.light]].filter(Boolean).join(" "), keyboard: false,
  }).bindPopup(() => popup(p)))).addTo(map);
  if (points.length) bounds.extend(markers.getBounds());
  // The layer control writes its labels as HTML: give it escaped text.
  const overlays = {};
  overlays[escapeHtml(t.indexLayer)] = polygons;
  overlays[escapeHtml(t.casesLayer)] = markers;
  const layers = L.control.layers(null, overlays, { collapsed: mapEl.clientWidth < 480, position: "topright" }).addTo(map);
  const toggle = layers.getContainer().querySelector(".leaflet-control-layers-toggle");
  if (toggle) { toggle.title = t.layers; toggle.setAttribute("aria-label", toggle.title); }
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12], maxZoom: 17 });
  else map.setView([32.39, 119.43], 12);
  mapEl.dataset.ready = "1";
})();
