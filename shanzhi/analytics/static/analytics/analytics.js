// 民生大数据 pages: the month slider, the dashboard's charts (age pyramid, 12-month trend, topics by stage)
// and the pivot chart. Data comes from json_script blocks, labels from data- attributes (no inline scripts).
(function () {
  const data = (id, fallback) => JSON.parse(document.getElementById(id)?.textContent || fallback);
  const charts = [];
  const draw = (el, option) => {
    if (!el || !window.echarts) return;
    const chart = echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
  };
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));

  // month slider: moving it picks the month in the select and submits the form
  document.querySelectorAll("[data-sz-month-slider]").forEach((form) => {
    const range = form.querySelector("input[type=range]");
    const select = form.querySelector("select[name=month]");
    const label = form.querySelector("[data-sz-month-label]");
    if (!range || !select) return;
    const months = range.dataset.szMonths.split(",");
    range.value = Math.max(0, months.indexOf(range.dataset.szCurrent));
    range.addEventListener("input", () => { if (label) label.textContent = months[range.value]; });
    range.addEventListener("change", () => { select.value = months[range.value]; form.submit(); });
  });

  const pyramidEl = document.querySelector("[data-sz-chart=pyramid]");
  if (pyramidEl) {
    const p = data("sz-pyramid", "{}");
    draw(pyramidEl, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: (v) => Math.abs(v) },
      legend: { top: 0 }, grid: { left: 60, right: 30, top: 30, bottom: 30 },
      xAxis: { type: "value", axisLabel: { formatter: (v) => Math.abs(v) } },
      yAxis: { type: "category", data: p.bands || [] },
      series: [
        { name: pyramidEl.dataset.male, type: "bar", stack: "p", data: p.male || [], itemStyle: { color: "#206bc4" } },
        { name: pyramidEl.dataset.female, type: "bar", stack: "p", data: p.female || [], itemStyle: { color: "#d6336c" } },
      ],
    });
  }
  const trendEl = document.querySelector("[data-sz-chart=trend]");
  if (trendEl) {
    const t = data("sz-trend-data", "{}");
    const series = (t.series || []).map((s, i) => ({
      name: s.name, type: i === 0 ? "line" : "bar", yAxisIndex: i === 0 ? 1 : 0, connectNulls: true, data: s.data,
    }));
    draw(trendEl, {
      tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 45, right: 45, top: 40, bottom: 30 },
      xAxis: { type: "category", data: t.months || [] }, yAxis: [{ type: "value" }, { type: "value", max: 100 }],
      series,
    });
  }
  const stagesEl = document.querySelector("[data-sz-chart=stages]");
  if (stagesEl) {
    const s = data("sz-stages", "{}");
    draw(stagesEl, {
      tooltip: {}, grid: { left: 40, right: 20, top: 20, bottom: 40 },
      xAxis: { type: "category", data: s.labels || [], axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: s.values || [], itemStyle: { color: "#2fb344" } }],
    });
  }
  const pivotEl = document.querySelector("[data-sz-chart=pivot]");
  if (pivotEl) {
    const c = data("sz-pivot", "{}");
    draw(pivotEl, {
      tooltip: { trigger: "axis" }, legend: { type: "scroll", top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: c.months || [] }, yAxis: { type: "value" },
      series: (c.series || []).map((s) => ({ name: s.name, type: "line", connectNulls: true, data: s.data })),
    });
  }
})();
