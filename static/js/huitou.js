// Behaviour every page shares, kept out of the HTML so that the Content Security Policy
// can forbid inline scripts.
document.addEventListener("DOMContentLoaded", () => {
  // A select that applies itself (language switch, owner filter).
  document.querySelectorAll("select[data-submit-on-change]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
  // A button that asks before it submits (merge).
  document.querySelectorAll("[data-confirm]").forEach((button) => {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  });
  // Export links carry the list's current filter.
  document.querySelectorAll(".export-link").forEach((link) => {
    link.addEventListener("click", () => {
      const params = new URLSearchParams(new FormData(document.getElementById("filter-form")));
      params.set("format", link.dataset.format);
      link.href = link.pathname + "?" + params.toString();
    });
  });
});

// "Tick all" in a table: delegated, because HTMX swaps the table in after the page loaded.
document.addEventListener("click", (event) => {
  const box = event.target.closest("input[data-tick-all]");
  if (!box) return;
  document.querySelectorAll(`input[name=${box.dataset.tickAll}]`).forEach((each) => {
    each.checked = box.checked;
  });
});
