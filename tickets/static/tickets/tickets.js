// Ticket pages. No inline handlers (strict CSP): behaviour hangs on data attributes.
//
// data-check-all="name"  a checkbox that (un)checks every checkbox named ``name`` in its form
// [data-bulk-form]       the list's bulk bar: shown only while rows are selected, offering only the
//                        operations every selected row allows (rows carry data-bulk-statuses and
//                        data-bulk-assign, computed by the server from the same policy the
//                        services enforce)
// details[data-multi]    a filter dropdown of checkboxes: closes on a click elsewhere or Escape
(function () {
  "use strict";

  function selected(form) {
    return Array.prototype.slice.call(form.querySelectorAll('input[type=checkbox][name="ids"]:checked'));
  }

  function updateBulk(form) {
    var bar = form.querySelector("[data-bulk-bar]");
    if (!bar) return;
    var boxes = selected(form);
    bar.hidden = boxes.length === 0;
    var all = form.querySelector("[data-check-all]");
    var every = form.querySelectorAll('input[type=checkbox][name="ids"]');
    if (all) {
      all.checked = boxes.length > 0 && boxes.length === every.length;
      all.indeterminate = boxes.length > 0 && boxes.length < every.length;
    }
    if (!boxes.length) return;
    var count = bar.querySelector("[data-bulk-count]");
    count.textContent = boxes.length === 1 ? count.dataset.templateOne : count.dataset.templateMany.replace("__n__", boxes.length);
    var statuses = null;
    var assign = true;
    boxes.forEach(function (box) {
      var row = box.closest("[data-ticket-row]");
      var mine = (row.dataset.bulkStatuses || "").split(" ").filter(Boolean);
      statuses = statuses === null ? mine : statuses.filter(function (s) { return mine.indexOf(s) >= 0; });
      assign = assign && row.dataset.bulkAssign === "1";
    });
    var select = bar.querySelector("#bulk-status");
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.value) return;
      var ok = statuses.indexOf(option.value) >= 0;
      option.hidden = !ok;
      option.disabled = !ok;
      if (!ok && option.selected) select.value = "";
    });
    bar.querySelector('[data-bulk-op="status"]').hidden = statuses.length === 0;
    bar.querySelector('[data-bulk-op="assign"]').hidden = !assign;
    bar.querySelector("[data-bulk-none]").hidden = statuses.length > 0 || assign;
  }

  document.addEventListener("change", function (event) {
    var box = event.target.closest("[data-check-all]");
    if (box) {
      var scope = box.form || document;
      scope.querySelectorAll('input[type=checkbox][name="' + box.dataset.checkAll + '"]').forEach(function (item) {
        item.checked = box.checked;
      });
    }
    var form = event.target.form;
    if (form && form.hasAttribute("data-bulk-form")) updateBulk(form);
  });

  document.addEventListener("click", function (event) {
    var clear = event.target.closest("[data-bulk-clear]");
    if (clear) {
      clear.form.querySelectorAll('input[type=checkbox][name="ids"], [data-check-all]').forEach(function (b) { b.checked = false; });
      updateBulk(clear.form);
    }
    document.querySelectorAll("details[data-multi][open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details[data-multi][open]").forEach(function (menu) { menu.open = false; });
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-bulk-form")) return;
    var op = event.submitter && event.submitter.value;
    var field = op === "assign" ? form.querySelector("#bulk-assignee") : op === "status" ? form.querySelector("#bulk-status") : null;
    if (field && !field.value) {
      event.preventDefault();
      field.focus();
      if (window.OpsPortal) window.OpsPortal.toast(field.options[0].textContent, "warning");
    }
  });

  // Rows replaced or added by the live list keep their checkboxes; the bar follows them.
  document.addEventListener("opsportal:tickets-refreshed", function () {
    var form = document.querySelector("[data-bulk-form]");
    if (form) updateBulk(form);
  });
  document.querySelectorAll("[data-bulk-form]").forEach(updateBulk);

  // [data-deadline]: the SLA clock counts down each minute (and up, in red, once late).
  function span(ms, el) {
    var minutes = Math.max(1, Math.round(Math.abs(ms) / 60000));
    var d = Math.floor(minutes / 1440), h = Math.floor((minutes % 1440) / 60), m = minutes % 60;
    var parts = [];
    if (d) parts.push(el.dataset.unitD.replace("__n__", d));
    if (h) parts.push(el.dataset.unitH.replace("__n__", h));
    if (!d && m) parts.push(el.dataset.unitM.replace("__n__", m));
    return parts.join(" ");
  }
  function tick() {
    document.querySelectorAll("[data-deadline]:not([data-stopped])").forEach(function (el) {
      var left = new Date(el.dataset.deadline).getTime() - Date.now();
      var out = el.querySelector("[data-countdown]");
      var label = left >= 0 ? el.dataset.labelLeft : el.dataset.labelLate;
      out.textContent = label.replace("__t__", span(left, el));
      el.classList.toggle("is-late", left < 0);
      el.classList.toggle("is-soon", left >= 0 && left < 3600000);
    });
  }
  tick();
  setInterval(tick, 30000);
  document.addEventListener("opsportal:tickets-refreshed", tick);
})();
