// The pages work without JavaScript; this only adds a small comfort: a POST form's submit button
// is disabled while its answer loads, so a double click sends the form once.
"use strict";
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
  const button = form.querySelector("button[type=submit]");
  if (button) setTimeout(() => { button.disabled = true; }, 0);
});
