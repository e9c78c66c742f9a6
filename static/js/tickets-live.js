/*
 * Ticket list and detail pages without reload.
 *
 * live.js re-emits the socket's messages as DOM events. On `opsportal:ticket_updated` for a
 * ticket this page shows, the page re-fetches itself (same URL, same filters, same session:
 * the server renders what this user may see) and swaps in the fresh parts marked
 * `data-live-region` (detail: status line, actions, timeline, details; list: the affected
 * row). After a reconnect (`opsportal:connected` other than the first) every region is
 * refreshed, since changes made while the socket was down are not replayed.
 * A region holding the element the user is typing in is left alone.
 */
(function () {
  "use strict";
  var detail = document.querySelector("[data-live-ticket]");
  var list = document.querySelector("[data-live-ticket-list]");
  if (!detail && !list) {
    return;
  }
  var connections = 0;
  var inflight = null;
  var again = null;

  function busy(region) {
    var active = document.activeElement;
    return active && active !== document.body && region.contains(active) &&
      /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName) && active.type !== "checkbox";
  }

  function swap(fresh, selector) {
    document.querySelectorAll(selector).forEach(function (current) {
      var key = current.getAttribute("data-live-region") || current.getAttribute("data-ticket-row");
      var attr = current.hasAttribute("data-ticket-row") ? "data-ticket-row" : "data-live-region";
      var replacement = fresh.querySelector("[" + attr + '="' + CSS.escape(key) + '"]');
      if (!replacement) {
        if (attr === "data-ticket-row") {
          current.classList.add("tk-live-gone"); // no longer in this list (filtered out or hidden)
        }
        return;
      }
      if (!busy(current)) {
        current.replaceWith(document.importNode(replacement, true));
      }
    });
  }

  function refresh(ticketId) {
    // One fetch at a time; a change arriving meanwhile triggers one more afterwards.
    if (inflight) {
      again = again === null || again === ticketId ? ticketId : "all";
      return inflight;
    }
    inflight = fetch(window.location.href, { credentials: "same-origin", headers: { "X-Requested-With": "live" } })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (!html) {
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        if (detail || ticketId === "all") {
          swap(fresh, "[data-live-region]");
        } else {
          swap(fresh, '[data-ticket-row="' + ticketId + '"]');
        }
        document.dispatchEvent(new CustomEvent("opsportal:tickets-refreshed", { detail: { ticket_id: ticketId } }));
      })
      .catch(function () {
        /* offline: the next reconnection resynchronises */
      })
      .then(function () {
        inflight = null;
        if (again !== null) {
          var next = again;
          again = null;
          refresh(next);
        }
      });
    return inflight;
  }

  document.addEventListener("opsportal:ticket_updated", function (event) {
    var data = event.detail || {};
    var id = String(data.ticket_id);
    if (detail) {
      if (detail.getAttribute("data-live-ticket") === id) {
        refresh(id);
      }
    } else if (document.querySelector('[data-ticket-row="' + id + '"]')) {
      refresh(id);
    }
  });

  document.addEventListener("opsportal:connected", function () {
    connections += 1;
    if (connections > 1) {
      refresh("all");
    }
  });
})();
