// The as-of slider on a ticket's history: one step per event, in log order. Moving it tells
// which event a step is; letting go (or an arrow key) opens the ticket as recorded once that
// event was. Without script the same steps are the plain links under it.
"use strict";
(() => {
  const box = document.getElementById("history-slider-box");
  const slider = document.getElementById("history-slider");
  const steps = [...document.querySelectorAll("#history-steps a[data-step]")];
  const label = document.getElementById("history-step-label");
  if (!box || !slider || !steps.length) return;

  const step = () => steps[Number(slider.value) - 1];
  function preview() {
    const chosen = step();
    if (label && chosen) label.textContent = chosen.dataset.label;
    for (const link of steps) link.classList.toggle("preview", link === chosen);
  }

  slider.max = String(steps.length);
  box.hidden = false;
  slider.addEventListener("input", preview);
  slider.addEventListener("change", () => {
    const chosen = step();
    if (chosen && chosen.getAttribute("aria-current") !== "step") location.assign(chosen.href);
  });
  // Arrived by the slider: keep it in hand, once the browser has scrolled to the panel (which
  // would otherwise take the focus back).
  if (location.hash === "#as-of") {
    addEventListener("load", () => setTimeout(() => slider.focus({ preventScroll: true }), 0), { once: true });
  }
})();
