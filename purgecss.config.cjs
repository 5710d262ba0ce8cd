// Trims Tabler to the selectors shanzhi's templates, Python (form widget classes) and scripts use; run by
// `shanzhi assets` (core/management/commands/assets.py), which passes the css file and the output folder.
// Classes that only scripts add at run time, or that third-party scripts (htmx, Leaflet, ECharts) set, are safelisted.
module.exports = {
  content: [
    "shanzhi/**/templates/**/*.html",
    "shanzhi/**/*.py",
    "shanzhi/static/shanzhi/*.js",
    "shanzhi/*/static/**/*.js",
  ],
  safelist: {
    standard: [/^show$/, /^collapse/, /^collapsing$/, /^active$/, /^disabled$/, /^is-(in)?valid$/, /^htmx-/, /^fade$/,
      /^was-validated$/, /^btn-warning$/, /^sz-/],
    deep: [/data-bs-theme/],
    greedy: [/^leaflet-/, /^echarts/],
  },
  variables: false,
  keyframes: false,
  fontFace: true,
};
