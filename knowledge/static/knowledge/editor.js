// Live preview of the knowledge editor: the server renders and sanitises the markdown
// (the same code as the article page); no HTML is built here. CSP-friendly: no inline script.
(function () {
  "use strict";
  var input = document.querySelector(".kb-editor-input");
  var preview = document.getElementById("kb-preview");
  if (!input || !preview || !window.OpsPortal) return;
  var url = preview.dataset.previewUrl;
  var timer = null;
  var seq = 0;
  function refresh() {
    var mine = ++seq;
    var body = new URLSearchParams();
    body.set("content", input.value);
    window.OpsPortal.fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
    })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        // Sanitised server-side by nh3 (knowledge.text.render_markdown); the latest answer wins.
        if (html !== null && mine === seq) preview.innerHTML = html;
      })
      .catch(function () {});
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
})();
