// Ticket pages. No inline handlers (strict CSP): behaviour hangs on data attributes.
// data-check-all="name": a checkbox that (un)checks every checkbox named ``name`` in its form.
document.addEventListener("change", (event) => {
  const box = event.target.closest("[data-check-all]");
  if (!box) return;
  const scope = box.form || document;
  scope.querySelectorAll(`input[type=checkbox][name="${box.dataset.checkAll}"]`).forEach((item) => {
    item.checked = box.checked;
  });
});
