/* OpsPortal shell behaviour. No inline scripts: everything hooks onto data-* attributes, so a
 * strict Content-Security-Policy (script-src 'self') can be used.
 *
 *   data-nav-toggle                 opens/closes the sidebar on small screens
 *   data-dismiss                    removes the closest .alert / .toast
 *   data-dialog-open="dialog-id"    opens <dialog id="dialog-id"> as a modal
 *   data-dialog-close               closes the enclosing <dialog>
 *   data-confirm="Are you sure?"    on a <form> or button: asks before submitting
 *   data-autosubmit                 on a form control: submits its form on change
 *
 * JS API:  OpsPortal.toast(message, level = "info", {timeout})   level: info|success|warning|error
 *          OpsPortal.openDialog(idOrElement) / OpsPortal.closeDialog(idOrElement)
 *          OpsPortal.csrfToken()  and  OpsPortal.fetch(url, options) (same-origin, CSRF header set)
 */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function isSafeMethod(method) {
    return /^(GET|HEAD|OPTIONS|TRACE)$/i.test(method || "GET");
  }

  // --- sidebar ---------------------------------------------------------------------------
  function setNav(open) {
    document.body.classList.toggle("nav-open", open);
    document.querySelectorAll("[data-nav-toggle]").forEach(function (btn) {
      btn.setAttribute("aria-expanded", open ? "true" : "false");
    });
    // keyboard users land in the menu when it opens and back on the menu button when it closes
    var target = open ? document.querySelector(".sidebar .nav-link, .sidebar [data-nav-toggle]")
      : document.querySelector(".topbar [data-nav-toggle]");
    if (target && target.offsetParent !== null) target.focus({ preventScroll: true });
  }

  // --- dialogs ---------------------------------------------------------------------------
  function resolve(target) {
    return typeof target === "string" ? document.getElementById(target) : target;
  }
  function openDialog(target) {
    var dialog = resolve(target);
    if (dialog && typeof dialog.showModal === "function" && !dialog.open) dialog.showModal();
    return dialog;
  }
  function closeDialog(target, value) {
    var dialog = resolve(target);
    if (dialog && dialog.open) dialog.close(value);
    return dialog;
  }

  // --- toasts ----------------------------------------------------------------------------
  var LEVELS = { info: "info", success: "success", warning: "warning", error: "error", danger: "error", debug: "info" };

  function removeToast(el) {
    if (!el || el.classList.contains("is-leaving")) return;
    el.classList.add("is-leaving");
    setTimeout(function () { el.remove(); }, 200);
  }

  function toast(message, level, options) {
    var container = document.getElementById("toasts");
    if (!container) return null;
    var kind = LEVELS[level] || "info";
    var opts = options || {};
    var el = document.createElement("div");
    el.className = "toast toast-" + kind;
    el.setAttribute("role", kind === "error" ? "alert" : "status");
    var body = document.createElement("div");
    body.className = "toast-body";
    body.textContent = String(message); // never HTML: messages may carry user input
    var close = document.createElement("button");
    close.type = "button";
    close.className = "alert-close";
    close.setAttribute("data-dismiss", "");
    close.setAttribute("aria-label", container.getAttribute("data-close-label") || "Close");
    close.textContent = "×";
    el.appendChild(body);
    el.appendChild(close);
    container.appendChild(el);
    var timeout = opts.timeout === undefined ? (kind === "error" ? 10000 : 5000) : opts.timeout;
    if (timeout > 0) setTimeout(function () { removeToast(el); }, timeout);
    return el;
  }

  // --- fetch with CSRF ---------------------------------------------------------------------
  function portalFetch(url, options) {
    var opts = Object.assign({ credentials: "same-origin" }, options || {});
    var headers = new Headers(opts.headers || {});
    if (!isSafeMethod(opts.method)) headers.set("X-CSRFToken", csrfToken());
    headers.set("X-Requested-With", "XMLHttpRequest");
    opts.headers = headers;
    return fetch(url, opts);
  }

  // --- event wiring (delegated) ------------------------------------------------------------
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-nav-toggle], [data-dismiss], [data-dialog-open], [data-dialog-close], .sidebar-backdrop, button[data-confirm]");
    if (!el) return;
    if (el.hasAttribute("data-nav-toggle")) {
      setNav(!document.body.classList.contains("nav-open"));
    } else if (el.classList.contains("sidebar-backdrop")) {
      setNav(false);
    } else if (el.hasAttribute("data-dismiss")) {
      var box = el.closest(".alert, .toast");
      if (box && box.classList.contains("toast")) removeToast(box);
      else if (box) box.remove();
    } else if (el.hasAttribute("data-dialog-open")) {
      event.preventDefault();
      openDialog(el.getAttribute("data-dialog-open"));
    } else if (el.hasAttribute("data-dialog-close")) {
      event.preventDefault();
      closeDialog(el.closest("dialog"));
    } else if (el.hasAttribute("data-confirm") && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // Clicking the backdrop of a modal <dialog> closes it.
  document.addEventListener("click", function (event) {
    var dialog = event.target;
    if (dialog instanceof HTMLDialogElement && dialog.classList.contains("modal") && dialog.open) {
      var r = dialog.getBoundingClientRect();
      var inside = event.clientX >= r.left && event.clientX <= r.right && event.clientY >= r.top && event.clientY <= r.bottom;
      if (!inside) dialog.close();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
      if (typeof el.form.requestSubmit === "function") el.form.requestSubmit();
      else el.form.submit();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && document.body.classList.contains("nav-open")) setNav(false);
  });

  // htmx: send the CSRF token on unsafe requests; show server errors as toasts.
  document.addEventListener("htmx:configRequest", function (event) {
    if (!isSafeMethod(event.detail.verb)) event.detail.headers["X-CSRFToken"] = csrfToken();
  });
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var container = document.getElementById("toasts");
    var fallback = container ? container.getAttribute("data-error-label") : "Request failed";
    toast(fallback + " (" + xhr.status + ")", "error");
  });
  // Server-sent toasts: respond with header  HX-Trigger: {"toast": {"message": "…", "level": "success"}}
  document.addEventListener("toast", function (event) {
    var d = event.detail || {};
    if (d.message) toast(d.message, d.level);
  });

  window.OpsPortal = Object.assign(window.OpsPortal || {}, {
    toast: toast,
    openDialog: openDialog,
    closeDialog: closeDialog,
    csrfToken: csrfToken,
    fetch: portalFetch,
  });
})();
