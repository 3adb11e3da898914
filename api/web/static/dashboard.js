// The dashboard made live: the "now" strip is refetched when the desk changes (server-sent
// events, api/web/live.py) and every half minute (deadlines come closer without an event); the
// filter form keeps a clean URL; the operators table sorts in place and keeps the URL in step, and
// its bands of columns (volume, speed, SLA, CSI) can be hidden, as this browser remembers.
// Without this script the page works the same, one request per change, every band shown.
"use strict";
const HIDDEN_BANDS = "ds:dashboard:hidden-bands";
document.addEventListener("DOMContentLoaded", () => {
  const strip = () => document.getElementById("dash-now");
  let timer = null;

  function refreshSoon(delay = 300) {
    if (!timer) timer = setTimeout(() => {
      timer = null;
      ds.refresh("#dash-now");
    }, delay);
  }

  if (strip()) {
    const source = ds.live(`/live?from=${encodeURIComponent(strip().dataset.position)}`, {
      ticket: () => refreshSoon(),
      reload: () => refreshSoon(),
    });
    source.addEventListener("open", () => (document.body.dataset.live = "open"));
    source.addEventListener("error", () => (document.body.dataset.live = "reconnecting"));
    setInterval(() => refreshSoon(0), 30000);
  }

  // Filters: a date typed means a custom period; a preset chosen applies at once.
  const form = document.getElementById("dash-filters");
  if (form) {
    const preset = form.elements.namedItem("preset");
    for (const name of ["from", "to"]) {
      form.elements.namedItem(name)?.addEventListener("change", () => (preset.value = "custom"));
    }
    form.addEventListener("change", (event) => {
      if (event.target.matches("select")) form.requestSubmit();
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const params = new URLSearchParams();
      for (const [key, value] of new FormData(form)) {
        if (!value) continue;
        if ((key === "from" || key === "to") && preset.value !== "custom") continue;
        params.append(key, value);
      }
      location.href = `/dashboard?${params}`;
    });
  }

  const table = document.querySelector(".op-table");
  if (!table) return;

  // The operators table's bands: one unticked hides its columns (dashboard.css), for every period
  // and filter, as this browser remembers.
  const bands = document.getElementById("op-bands");
  if (bands) {
    const boxes = [...bands.querySelectorAll("input[type=checkbox]")];
    const known = new Set(boxes.map((box) => box.value));
    const store = (() => {
      try {
        return window.localStorage;
      } catch {
        return null; // storage refused (a privacy mode): the choice lasts as long as the page
      }
    })();
    const stored = (store?.getItem(HIDDEN_BANDS) || "").split(" ").filter((band) => known.has(band));
    const hidden = new Set(stored);
    const show = () => {
      for (const box of boxes) box.checked = !hidden.has(box.value);
      table.dataset.hide = [...hidden].join(" ");
    };
    bands.addEventListener("change", (event) => {
      if (event.target.checked) hidden.delete(event.target.value);
      else hidden.add(event.target.value);
      store?.setItem(HIDDEN_BANDS, [...hidden].join(" "));
      show();
    });
    show();
    bands.hidden = false;
  }

  // A click on a heading sorts by that column (nulls last), like the server.
  const columnOf = (key) => [...table.querySelectorAll("thead tr:last-child th")].findIndex(
    (th) => th.querySelector("a")?.dataset.sortKey === key,
  );
  table.querySelector("thead").addEventListener("click", (event) => {
    const link = event.target.closest("a[data-sort-key]");
    if (!link) return;
    event.preventDefault();
    const key = link.dataset.sortKey;
    const dir = table.dataset.sort === key && table.dataset.dir === "asc" ? "desc" : "asc";
    const index = key === "operator" ? -1 : columnOf(key);
    const body = table.tBodies[0];
    const rows = [...body.querySelectorAll("tr[data-operator]")];
    const value = (row) => (index < 0 ? row.dataset.operator : JSON.parse(row.cells[index + 1].dataset.v));
    rows.sort((a, b) => {
      const x = value(a), y = value(b);
      if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
      const order = x < y ? -1 : x > y ? 1 : 0;
      const byName = a.dataset.operator < b.dataset.operator ? -1 : 1;
      return (dir === "asc" ? order : -order) || byName;
    });
    for (const row of rows) body.appendChild(row);
    table.dataset.sort = key;
    table.dataset.dir = dir;
    for (const th of table.querySelectorAll("thead th")) th.removeAttribute("aria-sort");
    link.closest("th").setAttribute("aria-sort", dir === "asc" ? "ascending" : "descending");
    const url = new URL(location.href);
    url.searchParams.set("sort", key);
    url.searchParams.set("dir", dir);
    history.replaceState(null, "", url);
  });
});
