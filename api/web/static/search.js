// Archive search: choosing a channel or a status searches at once; words and dates wait for Enter.
// Empty fields are left out of the address, so a search reads `/search?q=карта`, not `&tag=&…`.
"use strict";
document.addEventListener("change", (event) => {
  const select = event.target.closest?.("select[data-autosubmit]");
  if (select?.form) select.form.requestSubmit();
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.method !== "get") return;
  for (const field of form.elements) {
    if (field.name && "value" in field && field.value === "") field.disabled = true;
  }
  // The page may come back from the browser's cache on Back: fields must be usable there.
  addEventListener("pageshow", () => { for (const field of form.elements) field.disabled = false; }, { once: true });
});
