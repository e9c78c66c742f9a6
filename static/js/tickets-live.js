/*
 * Ticket list and detail pages without reload.
 *
 * live.js re-emits the socket's messages as DOM events. On `opsportal:ticket_updated` for a
 * ticket this page shows, the page re-fetches itself (same URL, same filters, same session:
 * the server renders what this user may see) and swaps in the fresh parts marked
 * `data-live-region` (detail: status line, actions, timeline, details; list: the rows, which
 * are added, moved and dropped to match). A detail page whose ticket left the user's view
 * shows why (the server answers 403 with tickets/gone.html). After a reconnect (`opsportal:connected` other than the first) every region is
 * refreshed, since changes made while the socket was down are not replayed.
 * A region holding the element the user is typing in is left alone.
 */
(function () {
  "use strict";
  var detail = document.querySelector("[data-live-ticket]");
  var list = document.querySelector("[data-live-ticket-list]");
  var isDetail = !!detail;
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
      var key = current.getAttribute("data-live-region");
      var replacement = fresh.querySelector('[data-live-region="' + CSS.escape(key) + '"]');
      if (!replacement || busy(current)) {
        return;
      }
      current.replaceWith(document.importNode(replacement, true));
    });
  }

  // The list: the server's fresh rendering is the truth (filters, order, visibility). Rows
  // that left are dropped, new ones are added (and flash), moved ones move; ticked boxes stay.
  function reconcileList(fresh) {
    var current = document.querySelector('[data-live-region="list"]');
    var replacement = fresh.querySelector('[data-live-region="list"]');
    if (!current || !replacement || busy(current)) {
      return;
    }
    var before = {};
    current.querySelectorAll("[data-ticket-row]").forEach(function (row) {
      var box = row.querySelector('input[name="ids"]');
      before[row.getAttribute("data-ticket-row")] = box ? box.checked : false;
    });
    var node = document.importNode(replacement, true);
    node.querySelectorAll("[data-ticket-row]").forEach(function (row) {
      var id = row.getAttribute("data-ticket-row");
      if (!(id in before)) {
        row.classList.add("tk-live-new");
      } else if (before[id]) {
        var box = row.querySelector('input[name="ids"]');
        if (box) box.checked = true;
      }
    });
    current.replaceWith(node);
    swap(fresh, '[data-live-region="count"]');
  }

  function showGone(fresh) {
    var card = fresh.querySelector("[data-ticket-gone]");
    if (card && detail) {
      document.querySelectorAll(".page-header .page-actions, [data-live-region=actions]").forEach(function (el) { el.remove(); });
      detail.replaceWith(document.importNode(card, true));
      detail = null;
    }
  }

  function refresh(ticketId) {
    // One fetch at a time; a change arriving meanwhile triggers one more afterwards.
    if (inflight) {
      again = again === null || again === ticketId ? ticketId : "all";
      return inflight;
    }
    inflight = fetch(window.location.href, { credentials: "same-origin", headers: { "X-Requested-With": "live" } })
      .then(function (response) {
        // 403: the ticket left this user's view; the page explains it (tickets/gone.html)
        return response.ok || response.status === 403 ? response.text() : null;
      })
      .then(function (html) {
        if (!html) {
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        if (fresh.querySelector("[data-ticket-gone]")) {
          showGone(fresh);
        } else if (isDetail) {
          swap(fresh, "[data-live-region]");
        } else {
          reconcileList(fresh);
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
    if (isDetail) {
      if (detail && detail.getAttribute("data-live-ticket") === id) {
        refresh(id);
      }
    } else {
      refresh(id); // a row that changed, left, or is new: the fresh list says which
    }
  });

  document.addEventListener("opsportal:connected", function () {
    connections += 1;
    if (connections > 1) {
      refresh("all");
    }
  });
})();
