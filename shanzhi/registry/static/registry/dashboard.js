// Grid dashboard charts (ECharts), fed by the JSON the page embeds as #dash-data.
(function () {
  const el = document.getElementById("dash-data");
  if (!el || !window.echarts) return;
  const d = JSON.parse(el.textContent);
  const charts = [];
  function chart(id, option) {
    const node = document.getElementById(id);
    if (!node) return;
    const c = echarts.init(node);
    c.setOption(option);
    charts.push(c);
  }
  const pie = (items) => ({
    tooltip: { trigger: "item" },
    legend: { bottom: 0 },
    series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"], label: { show: false }, data: items.map((i) => ({ name: i.name, value: i.value })) }],
  });
  const p = d.pyramid;
  chart("chart-pyramid", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: (v) => Math.abs(v) },
    legend: { data: ["男", "女"], top: 0 },
    grid: { left: 50, right: 20, top: 30, bottom: 24 },
    xAxis: { type: "value", axisLabel: { formatter: (v) => Math.abs(v) } },
    yAxis: { type: "category", data: p.bands, axisTick: { show: false } },
    series: [
      { name: "男", type: "bar", stack: "age", data: p.male.map((v) => -v), itemStyle: { color: "#4a90d9" } },
      { name: "女", type: "bar", stack: "age", data: p.female, itemStyle: { color: "#e07a9a" } },
    ],
  });
  chart("chart-residence", pie(d.residence));
  chart("chart-occupancy", { ...pie(d.occupancy), color: ["#2fb344", "#f59f00", "#adb5bd", "#206bc4"] });
  chart("chart-tags", {
    tooltip: {},
    grid: { left: 80, right: 20, top: 10, bottom: 20 },
    xAxis: { type: "value" },
    yAxis: { type: "category", data: d.care_tags.map((t) => t.name) },
    series: [{ type: "bar", data: d.care_tags.map((t) => t.value), itemStyle: { color: "#6a2480" } }],
  });
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
