// 大屏: fetches the street's figures every `data-refresh` seconds and redraws (ECharts, dark theme).
// Grid polygons come from the region map's GeoJSON boundaries; every string is set as text, never HTML.
(function () {
  const body = document.body;
  const url = body.dataset.szScreen;
  const every = (parseInt(body.dataset.refresh, 10) || 60) * 1000;
  const q = (s) => document.querySelector(s);
  const chartOf = {};
  const chart = (name) => {
    const el = q(`[data-sz-chart=${name}]`);
    if (!el || !window.echarts) return null;
    chartOf[name] = chartOf[name] || echarts.init(el, "dark", { renderer: "canvas" });
    return chartOf[name];
  };
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
  const fmt = (v) => (v === null || v === undefined ? "—" : (Math.round(v * 10) / 10).toLocaleString("zh-CN"));
  const colour = (v) => (v === null || v === undefined ? "#4b5563" : v >= 85 ? "#2fb344" : v >= 70 ? "#f59f00" : "#d63939");

  const clock = () => { const el = q("[data-sz-clock]"); if (el) el.textContent = new Date().toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false }); };
  setInterval(clock, 1000); clock();

  function render(d) {
    Object.entries(d.live).forEach(([k, v]) => { const el = q(`[data-sz-live="${k}"]`); if (el) el.textContent = fmt(v); });
    Object.entries(d.kpis).forEach(([k, v]) => { const el = q(`[data-sz-kpi="${k}"]`); if (el) el.textContent = fmt(v); });
    q("[data-sz-updated]").textContent = d.updated;
    document.querySelectorAll("[data-sz-month]").forEach((el) => { el.textContent = d.month; });
    const list = q("[data-sz-events]");
    list.replaceChildren();
    if (!d.events.length) {
      const li = document.createElement("li"); li.textContent = list.dataset.empty; list.append(li);
    }
    d.events.forEach((e) => {
      const li = document.createElement("li");
      const t = document.createElement("time"); t.textContent = e.at;
      const c = document.createElement("span"); c.textContent = e.category;
      const w = document.createElement("span"); w.className = "szs-where"; w.textContent = e.grid;
      li.append(t, c, w); list.append(li);
    });
    const mapEl = q("[data-sz-chart=map]");
    const map = chart("map");
    if (map && d.grids.features.length) {
      echarts.registerMap("grids", d.grids);
      map.setOption({
        backgroundColor: "transparent",
        tooltip: { formatter: (p) => `${esc(p.name)}<br>${esc(mapEl.dataset.index)}: ${fmt(p.value)}` },
        series: [{
          type: "map", map: "grids", roam: false, nameProperty: "name",
          label: { show: false }, layoutCenter: ["50%", "50%"], layoutSize: "98%", aspectScale: 0.85,
          itemStyle: { borderColor: "#0b1426", borderWidth: 1.5 },
          emphasis: { label: { show: true, color: "#fff", fontSize: 16 }, itemStyle: { areaColor: "#1f6feb" } },
          data: d.grids.features.map((f) => ({
            name: f.properties.name, value: f.properties.index, itemStyle: { areaColor: colour(f.properties.index) },
          })),
        }],
      });
    }
    const bars = chart("communities");
    if (bars) {
      const rows = d.communities.slice().sort((a, b) => (b.index ?? -1) - (a.index ?? -1));
      bars.setOption({
        backgroundColor: "transparent", grid: { left: 110, right: 40, top: 10, bottom: 20 },
        xAxis: { type: "value", max: 100, axisLabel: { fontSize: 14 } },
        yAxis: { type: "category", inverse: true, data: rows.map((r) => r.name), axisLabel: { fontSize: 15 } },
        series: [{ type: "bar", barMaxWidth: 26, data: rows.map((r) => ({ value: r.index, itemStyle: { color: colour(r.index) } })),
          label: { show: true, position: "right", fontSize: 14, formatter: (p) => fmt(p.value) } }],
      });
    }
    const trendEl = q("[data-sz-chart=trend]");
    const trend = chart("trend");
    if (trend) {
      trend.setOption({
        backgroundColor: "transparent", tooltip: { trigger: "axis" },
        legend: { top: 0, textStyle: { fontSize: 15 } }, grid: { left: 50, right: 50, top: 36, bottom: 28 },
        xAxis: { type: "category", data: d.trend.months, axisLabel: { fontSize: 14 } },
        yAxis: [{ type: "value" }, { type: "value", max: 100 }],
        series: [
          { name: trendEl.dataset.reported, type: "bar", data: d.trend.reported, itemStyle: { color: "#1f6feb" } },
          { name: trendEl.dataset.index, type: "line", yAxisIndex: 1, data: d.trend.index, connectNulls: true,
            lineStyle: { width: 3, color: "#ffd166" }, itemStyle: { color: "#ffd166" } },
        ],
      });
    }
  }
  // each chart's figures as a table for screen readers (the next sibling, as on every other page)
  function dataTable(name, rows) {
    const el = q(`[data-sz-chart=${name}]`);
    if (!el) return;
    let box = el.nextElementSibling;
    if (!box || !box.classList.contains("sz-chart-table")) {
      box = document.createElement("div");
      box.className = "sz-chart-table szs-chart-data";
      el.after(box);
    }
    const table = document.createElement("table");
    const cap = document.createElement("caption");
    cap.textContent = el.getAttribute("aria-label") || "";
    table.append(cap);
    rows.forEach(([k, v]) => {
      const r = table.insertRow();
      const th = document.createElement("th"); th.scope = "row"; th.textContent = k;
      const td = document.createElement("td"); td.textContent = fmt(v);
      r.append(th, td);
    });
    box.replaceChildren(table);
  }
  function tables(d) {
    dataTable("map", d.grids.features.map((f) => [f.properties.name, f.properties.index]));
    dataTable("communities", d.communities.map((c) => [c.name, c.index]));
    dataTable("trend", d.trend.months.map((m, i) => [m, d.trend.reported[i]]));
    const live = document.getElementById("sz-live");
    if (live) live.textContent = `${d.updated}`;
  }
  async function load() {
    try {
      const resp = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (resp.ok) { const d = await resp.json(); render(d); tables(d); }
    } catch (e) { /* keep the last picture; try again next round */ }
  }
  load();
  setInterval(load, every);
  window.addEventListener("resize", () => Object.values(chartOf).forEach((c) => c.resize()));
})();
