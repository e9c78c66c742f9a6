/*
 * Engineers pages: live status. live.js re-emits socket messages as DOM events; on
 * `opsportal:engineer_status_changed` every badge of that engineer on the page
 * ([data-engineer-status="<id>"]) gets the new status word and colour, and the profile's
 * availability and message update in place. Labels come from the page (json_script), so the
 * words are in the user's language.
 */
(function () {
  "use strict";
  if (!document.querySelector("[data-engineer-live]")) {
    return;
  }
  var labelsNode = document.getElementById("eng-status-labels");
  var labels = labelsNode ? JSON.parse(labelsNode.textContent) : {};
  var STATES = ["online", "busy", "away", "offline"];

  document.addEventListener("opsportal:engineer_status_changed", function (event) {
    var data = event.detail || {};
    var id = String(data.engineer_id);
    document.querySelectorAll('[data-engineer-status="' + CSS.escape(id) + '"]').forEach(function (badge) {
      STATES.forEach(function (state) {
        badge.classList.remove("eng-status-" + state);
      });
      badge.classList.add("eng-status-" + data.online_status);
      badge.textContent = labels[data.online_status] || data.online_status;
    });
    document.querySelectorAll('[data-engineer-availability="' + CSS.escape(id) + '"]').forEach(function (node) {
      node.textContent = labels[data.availability] || data.availability;
    });
    document.querySelectorAll('[data-engineer-message="' + CSS.escape(id) + '"]').forEach(function (node) {
      node.textContent = data.status_message || "—";
    });
  });
})();
