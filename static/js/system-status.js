/* System status page: two Chart.js line charts fed by the snapshot the page was rendered with,
 * then by "system.status" live events (opsportal:system.status, see live.js) every tick. */
(function () {
  "use strict";
  if (typeof window.Chart !== "function") return;
  var MAX_POINTS = 40;
  function read(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  function label(iso) { var d = new Date(iso); return d.toTimeString().slice(0, 8); }
  function chart(name, series) {
    var canvas = document.querySelector('[data-status-chart="' + name + '"]');
    if (!canvas) return null;
    return new window.Chart(canvas, {
      type: "line",
      data: { labels: [], datasets: series.map(function (s) {
        return { label: s.label, data: [], borderColor: s.color, backgroundColor: s.color, borderWidth: 2, pointRadius: 1, tension: 0.3, fill: false };
      }) },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: { y: { beginAtZero: true }, x: { ticks: { maxRotation: 0, autoSkip: true } } } }
    });
  }
  var lang = document.documentElement.lang || "";
  var zh = lang.indexOf("zh") === 0;
  var host = chart("host", [{ label: zh ? "CPU %" : "CPU %", color: "#3b82f6" }, { label: zh ? "内存 %" : "Memory %", color: "#16a34a" }, { label: zh ? "磁盘 %" : "Disk %", color: "#f59e0b" }]);
  var reqs = chart("requests", [{ label: zh ? "每分钟请求" : "Requests / min", color: "#8b5cf6" }, { label: "p95 ms", color: "#dc2626" }]);
  function push(c, at, values) {
    if (!c) return;
    c.data.labels.push(label(at));
    values.forEach(function (v, i) { c.data.datasets[i].data.push(v); });
    if (c.data.labels.length > MAX_POINTS) { c.data.labels.shift(); c.data.datasets.forEach(function (d) { d.data.shift(); }); }
    c.update();
  }
  function apply(s) {
    push(host, s.at, [s.cpu_usage, s.memory_usage, s.disk_usage]);
    push(reqs, s.at, [s.requests_per_minute, s.p95_ms]);
    Object.keys(s).forEach(function (key) {
      var el = document.querySelector('[data-figure="' + key + '"]');
      if (el) el.textContent = Array.isArray(s[key]) ? s[key].join(" / ") : (s[key] === null ? "—" : s[key]);
    });
    var rate = document.querySelector('[data-figure="error_rate_percent"]');
    if (rate && typeof s.error_rate === "number") rate.textContent = (s.error_rate * 100).toFixed(2);
    var state = document.querySelector("[data-live-state]");
    if (state) state.textContent = (zh ? "更新于 " : "updated ") + label(s.at);
  }
  var first = read("status-snapshot");
  if (first) apply(first);
  document.addEventListener("opsportal:system.status", function (event) { apply(event.detail); });
})();
