/* The workbench: loads each widget's figures from the v1 API, draws them with Chart.js (with a
 * table of the same figures for screen readers and keyboard users), and lets the user rearrange,
 * resize, add and remove widgets. Every change is saved to POST /api/v1/dashboard/config.
 * No inline scripts or styles: the page hands over its data in <script type="application/json">
 * and sizes are classes (wb-w-N / wb-h-N), so a strict CSP works.
 */
(function () {
  "use strict";

  var grid = document.getElementById("wb-grid");
  var configEl = document.getElementById("wb-config");
  if (!grid || !configEl) return;
  var state = JSON.parse(configEl.textContent);
  var labels = grid.dataset;
  var GRID = (state.grid && state.grid.grid_size) || 12;
  var charts = {};
  var dragged = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function widgets() {
    return Array.prototype.slice.call(grid.querySelectorAll(".wb-widget"));
  }

  function catalogueEntry(code) {
    return (state.catalogue || []).filter(function (w) { return w.widget_code === code; })[0];
  }

  function shortDate(label) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(label);
    return m ? m[2] + "-" + m[3] : label;
  }

  // --- rendering -----------------------------------------------------------------------------

  function summaryBlock(summary) {
    var keys = Object.keys(summary || {}).filter(function (k) { return summary[k] !== null && summary[k] !== undefined; });
    if (!keys.length) return null;
    var dl = el("dl", "wb-summary");
    keys.slice(0, 6).forEach(function (key) {
      var item = el("div", "wb-summary-item");
      item.appendChild(el("dt", "", (state.summary_labels || {})[key] || key));
      item.appendChild(el("dd", "", summary[key]));
      dl.appendChild(item);
    });
    return dl;
  }

  function dataTable(chart, caption) {
    var details = el("details", "wb-table");
    details.appendChild(el("summary", "", labels.labelsTable));
    var wrap = el("div", "table-wrap");
    var table = el("table", "table table-compact");
    table.appendChild(el("caption", "sr-only", caption));
    var head = el("tr");
    head.appendChild(el("th", "", labels.labelsFigure));
    chart.datasets.forEach(function (ds) { head.appendChild(el("th", "num", ds.label)); });
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var body = el("tbody");
    chart.labels.forEach(function (label, i) {
      var row = el("tr");
      var th = el("th", "", label);
      th.scope = "row";
      row.appendChild(th);
      chart.datasets.forEach(function (ds) { row.appendChild(el("td", "num", ds.data[i])); });
      body.appendChild(row);
    });
    table.appendChild(body);
    wrap.appendChild(table);
    details.appendChild(wrap);
    return details;
  }

  function drawChart(section, container, chart) {
    var id = section.dataset.widgetId;
    if (charts[id]) { charts[id].destroy(); delete charts[id]; }
    if (typeof window.Chart !== "function") return;
    var type = section.dataset.chartType || "bar";
    var canvas = el("canvas");
    var title = section.querySelector("h2");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", (title ? title.textContent : "") + " — " + labels.labelsChart);
    container.appendChild(canvas);
    var round = type === "doughnut";
    var datasets = chart.datasets.map(function (ds) {
      return {
        label: ds.label, data: ds.data, backgroundColor: ds.backgroundColor,
        borderColor: round ? "#ffffff" : ds.borderColor || ds.backgroundColor,
        borderWidth: type === "line" ? 2 : 1, tension: 0.3, pointRadius: type === "line" ? 2 : 0,
        fill: false, maxBarThickness: 36
      };
    });
    var labelsShown = chart.labels.map(shortDate);
    charts[id] = new window.Chart(canvas, {
      type: type,
      data: { labels: labelsShown, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: datasets.length > 1 || round, position: "bottom", labels: { boxWidth: 12 } } },
        scales: round ? {} : { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { ticks: { maxRotation: 0, autoSkip: true } } }
      }
    });
  }

  function renderList(body, items) {
    if (!items.length) { body.appendChild(el("p", "text-sm text-muted wb-empty", labels.labelsEmpty)); return; }
    var list = el("ul", "wb-list");
    items.forEach(function (item) {
      var li = el("li", item.status === "unread" ? "is-unread" : "");
      var link = el("a", "", item.title);
      link.href = item.url || "#";
      li.appendChild(link);
      var meta = el("span", "wb-list-meta");
      if (item.priority) meta.appendChild(el("span", "badge priority-" + (item.priority === "medium" ? "normal" : item.priority), item.priority_label || item.priority));
      if (item.is_overdue) meta.appendChild(el("span", "badge badge-danger", labels.labelsOverdue));
      var when = item.due_time || item.created_at;
      if (when) meta.appendChild(el("span", "text-xs text-muted", when.slice(5, 16).replace("T", " ")));
      li.appendChild(meta);
      list.appendChild(li);
    });
    body.appendChild(list);
  }

  function render(section, data) {
    var body = section.querySelector("[data-wb-body]");
    body.textContent = "";
    var summary = summaryBlock(data.summary);
    if (summary) body.appendChild(summary);
    if (data.items) renderList(body, data.items);
    if (data.chart_data && data.chart_data.labels) {
      var total = 0;
      data.chart_data.datasets.forEach(function (ds) { ds.data.forEach(function (n) { total += Number(n) || 0; }); });
      if (!data.chart_data.labels.length || !total) {
        body.appendChild(el("p", "text-sm text-muted wb-empty", labels.labelsEmpty));
        return;
      }
      var box = el("div", "wb-chart");
      body.appendChild(box);
      drawChart(section, box, data.chart_data);
      var title = section.querySelector("h2");
      body.appendChild(dataTable(data.chart_data, title ? title.textContent : ""));
    }
  }

  function load(section) {
    var body = section.querySelector("[data-wb-body]");
    var url = "/api/v1/dashboard/widgets/" + encodeURIComponent(section.dataset.widgetCode) + "/data";
    var range = section.dataset.timeRange;
    if (range) url += "?time_range=" + encodeURIComponent(range);
    section.classList.add("is-loading");
    return window.OpsPortal.fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (payload) { render(section, payload.data); })
      .catch(function () {
        body.textContent = "";
        body.appendChild(el("p", "text-sm text-danger", labels.labelsError));
      })
      .then(function () { section.classList.remove("is-loading"); section.setAttribute("data-loaded", ""); });
  }

  // --- layout --------------------------------------------------------------------------------

  function setWidth(section, w) {
    section.classList.remove("wb-w-" + section.dataset.w);
    section.dataset.w = String(w);
    section.classList.add("wb-w-" + w);
  }

  function layoutPayload() {
    var x = 0, y = 0, rowH = 0;
    var layouts = [], configs = [];
    widgets().forEach(function (section) {
      var w = Number(section.dataset.w), h = Number(section.dataset.h);
      if (x + w > GRID) { x = 0; y += rowH; rowH = 0; }
      layouts.push({ i: section.dataset.widgetId, x: x, y: y, w: w, h: h, minW: Number(section.dataset.minW) || 1, minH: 2 });
      var config = {};
      if (section.dataset.timeRange) config.time_range = section.dataset.timeRange;
      configs.push({ widget_id: section.dataset.widgetId, widget_code: section.dataset.widgetCode, config: config });
      x += w; rowH = Math.max(rowH, h);
    });
    return {
      config_name: state.config_name,
      layout_config: { grid_size: GRID, row_height: state.grid.row_height || 60, margin: state.grid.margin || [10, 10], layouts: layouts },
      widget_configs: configs,
      is_default: true
    };
  }

  var saveTimer = null;
  function save() {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(function () {
      grid.setAttribute("data-saving", "");
      window.OpsPortal.fetch("/api/v1/dashboard/config", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(layoutPayload())
      }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      }).then(function (payload) {
        state.config_id = payload.data.config_id;
        grid.setAttribute("data-saved", String(Date.now()));
        window.OpsPortal.toast(labels.labelsSaved, "success", { timeout: 2000 });
      }).catch(function () {
        window.OpsPortal.toast(labels.labelsSaveFailed, "error");
      }).then(function () { grid.removeAttribute("data-saving"); });
    }, 250);
  }

  // --- editing -------------------------------------------------------------------------------

  function editButton(action, label, icon) {
    var b = el("button", "btn btn-ghost btn-icon btn-sm wb-ctl");
    b.type = "button";
    b.setAttribute("data-wb-action", action);
    b.setAttribute("aria-label", label);
    b.title = label;
    b.textContent = icon;
    return b;
  }

  function addControls(section) {
    if (section.querySelector(".wb-controls")) return;
    var box = el("div", "wb-controls");
    box.appendChild(editButton("earlier", labels.labelsMoveEarlier, "↑"));
    box.appendChild(editButton("later", labels.labelsMoveLater, "↓"));
    box.appendChild(editButton("narrower", labels.labelsNarrower, "−"));
    box.appendChild(editButton("wider", labels.labelsWider, "+"));
    box.appendChild(editButton("remove", labels.labelsRemove, "×"));
    section.querySelector(".wb-head").appendChild(box);
  }

  function fillAddSelect() {
    var select = document.querySelector("[data-wb-add-select]");
    if (!select) return;
    var placed = widgets().map(function (s) { return s.dataset.widgetCode; });
    select.textContent = "";
    (state.catalogue || []).forEach(function (w) {
      if (placed.indexOf(w.widget_code) >= 0) return;
      var option = el("option", "", w.widget_name);
      option.value = w.widget_code;
      select.appendChild(option);
    });
    var button = document.querySelector("[data-wb-add]");
    if (button) button.disabled = !select.options.length;
    if (!select.options.length) {
      var none = el("option", "", labels.labelsAllAdded);
      none.value = "";
      select.appendChild(none);
    }
  }

  function setEditing(on) {
    grid.classList.toggle("is-editing", on);
    var bar = document.querySelector("[data-wb-editbar]");
    if (bar) bar.hidden = !on;
    var toggle = document.querySelector("[data-wb-edit]");
    if (toggle) {
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      var text = toggle.querySelector("[data-wb-edit-label]");
      if (text) text.textContent = on ? labels.labelsDone : labels.labelsCustomise;
    }
    widgets().forEach(function (section) {
      section.draggable = on;
      if (on) addControls(section);
    });
    if (on) fillAddSelect();
  }

  function newWidget(code) {
    var entry = catalogueEntry(code);
    if (!entry) return null;
    var id = "w_" + code + "_" + Date.now().toString(36);
    var section = el("section", "card wb-widget wb-w-" + entry.default_width + " wb-h-" + entry.default_height);
    section.dataset.widgetId = id;
    section.dataset.widgetCode = code;
    section.dataset.widgetType = entry.widget_type;
    section.dataset.chartType = entry.chart_type || "";
    section.dataset.timeRange = entry.config_schema && entry.config_schema.time_range ? "7d" : "";
    section.dataset.minW = String(entry.min_width);
    section.dataset.w = String(entry.default_width);
    section.dataset.h = String(entry.default_height);
    section.setAttribute("aria-labelledby", "wb-title-" + id);
    var head = el("div", "card-header wb-head");
    head.appendChild(el("span", "wb-handle", "⠿")).setAttribute("aria-hidden", "true");
    var h2 = el("h2", "", entry.widget_name);
    h2.id = "wb-title-" + id;
    head.appendChild(h2);
    if (section.dataset.timeRange) {
      var model = document.querySelector("[data-wb-range]");
      if (model) {
        var select = model.cloneNode(true);
        select.value = "7d";
        head.appendChild(select);
      }
    }
    section.appendChild(head);
    var body = el("div", "card-body wb-body");
    body.setAttribute("data-wb-body", "");
    body.appendChild(el("p", "text-sm text-muted", labels.labelsLoading));
    section.appendChild(body);
    return section;
  }

  grid.addEventListener("click", function (event) {
    var button = event.target.closest("[data-wb-action]");
    if (!button) return;
    var section = button.closest(".wb-widget");
    var action = button.getAttribute("data-wb-action");
    var w = Number(section.dataset.w);
    if (action === "earlier" && section.previousElementSibling) {
      grid.insertBefore(section, section.previousElementSibling);
    } else if (action === "later" && section.nextElementSibling) {
      grid.insertBefore(section.nextElementSibling, section);
    } else if (action === "narrower") {
      setWidth(section, Math.max(Number(section.dataset.minW) || 2, w - 2));
    } else if (action === "wider") {
      setWidth(section, Math.min(GRID, w + 2));
    } else if (action === "remove") {
      var id = section.dataset.widgetId;
      if (charts[id]) { charts[id].destroy(); delete charts[id]; }
      section.remove();
      fillAddSelect();
    } else {
      return;
    }
    button.focus();
    save();
  });

  grid.addEventListener("change", function (event) {
    var select = event.target.closest("[data-wb-range]");
    if (!select) return;
    var section = select.closest(".wb-widget");
    section.dataset.timeRange = select.value;
    load(section);
    save();
  });

  // HTML5 drag and drop (edit mode): drop a widget on another to take its place.
  grid.addEventListener("dragstart", function (event) {
    var section = event.target.closest && event.target.closest(".wb-widget");
    if (!section || !grid.classList.contains("is-editing")) return;
    dragged = section;
    section.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", section.dataset.widgetId);
  });
  grid.addEventListener("dragover", function (event) {
    if (!dragged) return;
    var target = event.target.closest(".wb-widget");
    if (!target || target === dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    widgets().forEach(function (s) { s.classList.toggle("is-drop-target", s === target); });
  });
  grid.addEventListener("drop", function (event) {
    if (!dragged) return;
    var target = event.target.closest(".wb-widget");
    event.preventDefault();
    if (target && target !== dragged) {
      var order = widgets();
      var after = order.indexOf(dragged) < order.indexOf(target);
      grid.insertBefore(dragged, after ? target.nextElementSibling : target);
      save();
    }
  });
  grid.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    widgets().forEach(function (s) { s.classList.remove("is-drop-target"); });
    dragged = null;
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-wb-edit]")) {
      setEditing(!grid.classList.contains("is-editing"));
    } else if (event.target.closest("[data-wb-add]")) {
      var select = document.querySelector("[data-wb-add-select]");
      var section = select && select.value ? newWidget(select.value) : null;
      if (!section) return;
      var empty = grid.querySelector("[data-wb-empty]");
      if (empty) empty.remove();
      grid.appendChild(section);
      section.draggable = true;
      addControls(section);
      fillAddSelect();
      load(section);
      save();
    } else if (event.target.closest("[data-wb-reset]")) {
      if (event.defaultPrevented) return; // the confirmation was declined
      var done = function () { window.location.reload(); };
      if (!state.config_id) { done(); return; }
      window.OpsPortal.fetch("/api/v1/dashboard/config/" + state.config_id, { method: "DELETE" }).then(done, done);
    }
  });

  widgets().forEach(load);
})();
