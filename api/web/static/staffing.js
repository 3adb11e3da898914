// Staffing: choosing a period, channel or type shows it at once; editing a date switches the period
// to custom dates (a named period decides over the dates). Empty fields stay out of the address.
"use strict";
document.addEventListener("change", (event) => {
  const field = event.target;
  const form = field.form;
  if (!form || form.id !== "staffing-form") return;
  if (field.matches("[data-custom]")) form.elements.preset.value = "custom";
  else if (field.matches("select[data-autosubmit]")) form.requestSubmit();
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.id !== "staffing-form") return;
  for (const field of form.elements) {
    if (field.name && "value" in field && field.value === "") field.disabled = true;
  }
  addEventListener("pageshow", () => { for (const field of form.elements) field.disabled = false; }, { once: true });
});
