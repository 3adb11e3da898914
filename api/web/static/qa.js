// QA pages: the month field shows its month as soon as one is picked, and the review form adds
// up the scores as they are given. Both pages work without this script.
(() => {
  document.querySelectorAll("input[data-autosubmit]").forEach((input) => {
    input.addEventListener("change", () => { if (input.value) input.form.requestSubmit(); });
  });
  const form = document.getElementById("qa-form");
  const total = document.getElementById("qa-total");
  if (!form || !total) return;
  const max = Number(total.dataset.max);
  const show = () => {
    const chosen = [...form.querySelectorAll('input[type=radio][name^="score-"]:checked')];
    if (!chosen.length) { total.hidden = true; return; }
    const score = chosen.reduce((sum, input) => sum + Number(input.value), 0);
    const pct = max ? Math.round((100 * score) / max) : 0;
    total.textContent = total.dataset.label.replace("{score}", score).replace("{max}", max).replace("{pct}", pct);
    total.hidden = false;
  };
  form.addEventListener("change", show);
  show();
})();
