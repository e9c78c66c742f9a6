/*
 * OpsPortal live updates for the portal pages.
 *
 * Opens ws(s)://<host>/api/ws (the portal session cookie authenticates it; only when the page
 * came from the ASGI server, see the `live_socket_path` template tag), keeps every
 * [data-unread-count] badge current, shows a toast for each `notification` message, and
 * re-dispatches every message as DOM events so other pages can react:
 *   document "opsportal:live"          detail = {type, data}   (every message)
 *   document "opsportal:<type>"        detail = data           (e.g. opsportal:ticket_updated)
 * After a drop it reconnects with exponential backoff (1 s … 30 s, with jitter) and, once
 * connected again, reloads the unread count from the API, since events sent while the socket
 * was down are not replayed (the notifications themselves are stored and listed by the API).
 */
(function () {
  "use strict";
  if (window.OpsPortalLive) {
    return; // included by both the bell and a page: one socket per page is enough
  }
  var script = document.querySelector("script[data-opsportal-live]");
  var config = {
    // Empty when the page was not served by the ASGI server (no socket there): no live updates.
    wsPath: script ? script.dataset.wsPath || "" : "/api/ws",
    unreadUrl: (script && script.dataset.unreadUrl) || "/api/notifications/unread-count",
    listUrl: (script && script.dataset.listUrl) || "/notifications/"
  };
  var CLOSE_UNAUTHENTICATED = 4401;
  var CLOSE_MAINTENANCE = 4503; // maintenance mode: the page itself answers 503; retry slowly
  var MAX_DELAY = 30000;
  var PING_EVERY = 25000;
  var socket = null;
  var attempt = 0;
  var reconnectTimer = null;
  var pingTimer = null;
  var unread = null;
  var stopped = false;

  function badges() {
    return document.querySelectorAll("[data-unread-count]");
  }

  function setUnread(count) {
    unread = Math.max(0, count | 0);
    badges().forEach(function (badge) {
      badge.textContent = unread > 99 ? "99+" : String(unread);
      badge.hidden = unread === 0;
    });
  }

  function resync() {
    return fetch(config.unreadUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        if (body && body.data && typeof body.data.count === "number") {
          setUnread(body.data.count);
        }
      })
      .catch(function () {
        /* offline: the next (re)connection resynchronises */
      });
  }

  function fallbackToast(message, level) {
    var box = document.getElementById("opsportal-live-toasts");
    if (!box) {
      box = document.createElement("div");
      box.id = "opsportal-live-toasts";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      box.style.cssText =
        "position:fixed;right:16px;bottom:16px;z-index:10000;display:flex;flex-direction:column;gap:8px;max-width:360px";
      document.body.appendChild(box);
    }
    var toast = document.createElement("div");
    toast.className = "toast toast-" + (level || "info");
    toast.style.cssText =
      "background:#1f2937;color:#fff;padding:10px 14px;border-radius:6px;box-shadow:0 4px 12px rgba(0,0,0,.2);font-size:14px";
    toast.textContent = message;
    box.appendChild(toast);
    setTimeout(function () {
      toast.remove();
    }, 6000);
  }

  function toast(message, level) {
    var portal = window.OpsPortal;
    if (portal && typeof portal.toast === "function") {
      try {
        portal.toast(message, level);
        return;
      } catch (err) {
        /* fall through to the built-in toast */
      }
    }
    fallbackToast(message, level);
  }

  var LEVELS = { sla_breached: "error", sla_warning: "warning", escalated: "warning" };

  function onNotification(data) {
    setUnread((unread || 0) + 1);
    // On the notifications page, offer to refresh the list (it is rendered by the server).
    var hint = document.querySelector("[data-new-notifications]");
    if (hint) {
      hint.hidden = false;
    }
    var text = data.title + (data.message ? " — " + data.message : "");
    toast(text, LEVELS[data.type] || "info");
  }

  function dispatch(message) {
    document.dispatchEvent(new CustomEvent("opsportal:live", { detail: message }));
    document.dispatchEvent(new CustomEvent("opsportal:" + message.type, { detail: message.data }));
  }

  function onMessage(event) {
    var message;
    try {
      message = JSON.parse(event.data);
    } catch (err) {
      return;
    }
    if (!message || typeof message.type !== "string") {
      return;
    }
    if (message.type === "connected") {
      attempt = 0;
      resync();
    } else if (message.type === "notification" && message.data) {
      onNotification(message.data);
    }
    dispatch(message);
  }

  function scheduleReconnect() {
    if (stopped || reconnectTimer) {
      return;
    }
    var delay = Math.min(MAX_DELAY, 1000 * Math.pow(2, attempt));
    delay = delay / 2 + Math.random() * (delay / 2); // jitter: do not reconnect all tabs at once
    attempt += 1;
    reconnectTimer = setTimeout(function () {
      reconnectTimer = null;
      connect();
    }, delay);
  }

  function connect() {
    if (stopped || !config.wsPath || !("WebSocket" in window)) {
      return;
    }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    try {
      socket = new WebSocket(scheme + window.location.host + config.wsPath);
    } catch (err) {
      scheduleReconnect();
      return;
    }
    socket.addEventListener("message", onMessage);
    socket.addEventListener("open", function () {
      clearInterval(pingTimer);
      pingTimer = setInterval(function () {
        if (socket && socket.readyState === WebSocket.OPEN) {
          socket.send(JSON.stringify({ type: "ping" }));
        }
      }, PING_EVERY);
    });
    socket.addEventListener("close", function (event) {
      clearInterval(pingTimer);
      socket = null;
      if (event.code === CLOSE_UNAUTHENTICATED) {
        stopped = true; // signed out: reconnecting would only be refused again
        return;
      }
      if (event.code === CLOSE_MAINTENANCE) {
        attempt = Math.max(attempt, 5); // next try after ~30 s, not at once
      }
      scheduleReconnect();
    });
  }

  // The browser lost the network: the socket is dead even if it has not noticed yet (that can
  // take minutes). Close it so that the reconnection below resynchronises what was missed.
  window.addEventListener("offline", function () {
    if (socket) {
      socket.close();
    }
  });

  // A tab coming back from sleep or the network coming back: reconnect now, not after backoff;
  // a socket that survived still missed nothing it can know of, so the count is fetched anyway.
  window.addEventListener("online", function () {
    if (stopped) {
      return;
    }
    if (socket) {
      resync();
      return;
    }
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    attempt = 0;
    connect();
  });

  window.OpsPortalLive = {
    resync: resync,
    setUnread: setUnread,
    get unread() {
      return unread;
    },
    get connected() {
      return !!socket && socket.readyState === WebSocket.OPEN;
    },
    listUrl: config.listUrl
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", connect);
  } else {
    connect();
  }
})();
