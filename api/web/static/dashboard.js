/* Draws a dashboard's charts with Chart.js from the JSON the page carries (#dashboard-charts).
   The tables beside them hold the figures; the charts only draw them. */
(function () {
  "use strict";
  var island = document.getElementById("dashboard-charts");
  var colours = ["#1d5f8a", "#c0392b", "#2e7d32", "#7b3fa0", "#b9770e"];
  var greys = ["#6b6b6b", "#8a8a8a", "#a8a8a8"];
  var charts = [];
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });
  if (!island || !window.Chart) return;
  Chart.defaults.animation = false;
  Chart.defaults.font.size = 13;
  JSON.parse(island.textContent).forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas) return;
    var figure = 0, threshold = 0;
    var datasets = spec.series.map(function (s) {
      var flat = s.role === "threshold";
      var colour = flat ? greys[threshold++ % greys.length] : colours[figure++ % colours.length];
      return {
        type: flat ? "line" : spec.type, label: s.label, data: s.values, borderColor: colour,
        backgroundColor: colour, borderDash: flat ? [6, 4] : [], borderWidth: flat ? 1.5 : 2,
        pointRadius: flat ? 0 : 3, spanGaps: true
      };
    });
    // A horizontal bar chart is as tall as its bars need; the others keep a fixed shape.
    if (spec.horizontal) canvas.parentNode.style.height = (28 * spec.labels.length + 50) + "px";
    charts.push(new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        locale: document.documentElement.lang, indexAxis: spec.horizontal ? "y" : "x",
        maintainAspectRatio: !spec.horizontal, aspectRatio: 2.4,
        scales: { x: { beginAtZero: true }, y: { beginAtZero: true } },
        plugins: { legend: { display: datasets.length > 1 } }
      }
    }));
  });
  // A printed page is narrower than the screen: redraw at the page's width, then back.
  window.addEventListener("beforeprint", function () {
    charts.forEach(function (c) {
      c.resize(680, c.options.maintainAspectRatio ? Math.round(680 / c.options.aspectRatio) : c.height);
    });
  });
  window.addEventListener("afterprint", function () { charts.forEach(function (c) { c.resize(); }); });
})();
