/* Draws the dashboard charts with the vendored Chart.js from the JSON the page embeds.
   The same figures are in the page's tables, so nothing is lost without JavaScript. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  // High-contrast colours, one per status figure (same order as data.figureKeys).
  var palette = {
    certified: "#146c2e", due_soon: "#c77700", overdue: "#b00020",
    suspended: "#4a0010", under_review: "#6a1b9a", never: "#5f6b7a"
  };
  var colours = data.figureKeys.map(function (k) { return palette[k]; });
  Chart.defaults.font.size = 16;
  Chart.defaults.color = "#111";
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = false;
  var legend = { position: "bottom", labels: { font: { size: 18 }, padding: 14 } };

  new Chart(document.getElementById("chart-status"), {
    type: "doughnut",
    data: { labels: data.figures, datasets: [{ data: data.totals, backgroundColor: colours }] },
    options: { plugins: { legend: legend } }
  });
  new Chart(document.getElementById("chart-trend"), {
    type: "bar",
    data: { labels: data.months,
            datasets: [
              { label: data.trendLabel, data: data.trend, backgroundColor: "#9db7d9", order: 2 },
              // The rate line is drawn over the bars (lower order on top).
              { type: "line", label: data.rateLabel, data: data.rates, yAxisID: "rate",
                borderColor: "#146c2e", backgroundColor: "#146c2e", borderWidth: 4,
                pointRadius: 5, spanGaps: false, order: 1 }
            ] },
    options: { plugins: { legend: legend },
               scales: { y: { beginAtZero: true, ticks: { precision: 0 } },
                         rate: { position: "right", min: 0, max: 100,
                                 grid: { drawOnChartArea: false },
                                 ticks: { callback: function (v) { return v + "%"; } } } } }
  });
  new Chart(document.getElementById("chart-age"), {
    type: "bar",
    data: {
      labels: data.bands,
      datasets: data.figureKeys.map(function (key, i) {
        return { label: data.figures[i], data: data.byBand[key], backgroundColor: colours[i] };
      })
    },
    options: { plugins: { legend: legend },
               scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true,
                                                      ticks: { precision: 0 } } } }
  });
}());
