// Draws a region and its children from GeoJSON with Leaflet. Works without a tile server:
// when no tile URL is configured the polygons are drawn on a plain background.
// Region names are user-entered: they reach Leaflet as text nodes, never as HTML strings.
(function () {
  const textNode = (s) => {
    const span = document.createElement("span");
    span.textContent = s;
    return span;
  };
  const el = document.getElementById("sz-map");
  if (!el || typeof L === "undefined") return;
  const map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
  if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);
  const palette = ["#206bc4", "#2fb344", "#f76707", "#ae3ec9", "#d63939", "#0ca678", "#f59f00", "#4263eb"];
  fetch(el.dataset.geojson, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((fc) => {
      if (!fc.features.length) {
        const empty = document.createElement("div");
        empty.className = "p-4 text-secondary";
        empty.textContent = el.dataset.empty || "暂无边界数据";
        el.replaceChildren(empty);
        return;
      }
      let i = 0;
      const labelled = fc.features.length <= 30;
      const layer = L.geoJSON(fc, {
        style: (f) => f.properties.self
          ? { color: "#1d4e89", weight: 3, fill: false, dashArray: "6 4" }
          : { color: palette[i++ % palette.length], weight: 1.5, fillOpacity: 0.25 },
        onEachFeature: (f, l) => {
          if (f.properties.self) return;
          if (labelled) {
            // short labels: "玺园第3网格" → "第3网格"
            const short = f.properties.name.replace(/^.*?(第\d+网格)$/, "$1");
            l.bindTooltip(textNode(short), { permanent: true, direction: "center", className: "sz-label" });
          } else {
            l.bindTooltip(textNode(f.properties.name), { sticky: true });
          }
          l.on("click", () => { window.location = "/regions/" + encodeURIComponent(f.properties.code) + "/"; });
        },
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [10, 10] });
      el.dataset.ready = "1";
    });
})();
