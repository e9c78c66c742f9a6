/* Ticket statistics page: charts drawn from the page's own tables (the tables are the
 * accessible fallback and the single source of the figures). */
(function () {
  "use strict";
  if (typeof window.Chart !== "function") return;
  var COLORS = ["#3b82f6", "#16a34a", "#f59e0b", "#dc2626", "#8b5cf6", "#0ea5e9", "#94a3b8", "#ea580c", "#14b8a6", "#64748b", "#a855f7"];

  function read(name) {
    var table = document.querySelector('[data-st-table="' + name + '"]');
    if (!table) return null;
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
    var rows = Array.prototype.map.call(table.querySelectorAll("tbody tr"), function (tr) {
      return Array.prototype.map.call(tr.children, function (cell) { return cell.textContent.trim(); });
    });
    return { heads: heads, rows: rows };
  }

  function number(text) { var n = Number(text); return isNaN(n) ? null : n; }

  function draw(name, type, columns) {
    var canvas = document.querySelector('[data-st-chart="' + name + '"]');
    var data = read(name);
    if (!canvas || !data || !data.rows.length) return;
    var labels = data.rows.map(function (r) { return name === "trend" ? r[0].slice(5) : r[0]; });
    var datasets = columns.map(function (col, i) {
      var color = type === "doughnut" ? COLORS : COLORS[i];
      return {
        label: data.heads[col], data: data.rows.map(function (r) { return number(r[col]); }),
        backgroundColor: color, borderColor: type === "doughnut" ? "#ffffff" : color,
        borderWidth: type === "line" ? 2 : 1, tension: 0.3, pointRadius: 2, fill: false, maxBarThickness: 40
      };
    });
    new window.Chart(canvas, {
      type: type,
      data: { labels: labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: type === "doughnut" ? {} : { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { ticks: { maxRotation: 0, autoSkip: true } } }
      }
    });
  }

  draw("trend", "line", [1, 2, 3]);
  draw("priority", "doughnut", [1]);
  draw("category", "bar", [1]);
})();
