/*
 * The notifications page stays current: when a notification arrives (live.js re-emits it as
 * `opsportal:notification`), the page fetches itself and swaps in the fresh list, so the new
 * notice appears (grouped under its ticket) without a reload. A failed fetch leaves the
 * "new notifications have arrived" hint that live.js shows.
 */
(function () {
  "use strict";
  var pending = null;
  function refresh() {
    if (pending) return;
    pending = fetch(window.location.href, { credentials: "same-origin", headers: { "X-Requested-With": "live" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-live-region=notifications]");
        var current = document.querySelector("[data-live-region=notifications]");
        if (fresh && current) {
          var node = document.importNode(fresh, true);
          var hint = node.querySelector("[data-new-notifications]");
          if (hint) hint.hidden = true;
          current.replaceWith(node);
        }
      })
      .catch(function () { /* offline: the hint stays */ })
      .then(function () { pending = null; });
  }
  document.addEventListener("opsportal:notification", function () {
    setTimeout(refresh, 300); // the notice is stored before it is pushed; a short delay is plenty
  });
})();
