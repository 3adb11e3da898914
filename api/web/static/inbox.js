// The inbox made live: the list and the channels' counts are refetched when the desk changes
// (server-sent events, api/web/live.py), the rows that changed light up, and the list has keys:
// j / k move the selection, Enter opens the selected ticket; "/" (data-key in the page) searches.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const list = () => document.getElementById("inbox-list");
  if (!list()) return;
  // Events that change nothing a row shows: no refetch for them.
  const QUIET = new Set(["NoteAdded", "ReplyDelivered", "ReplyDeliveryFailed", "ReplyStatusReported", "Rated"]);
  const fresh = new Set();
  let selected = null;
  let timer = null;
  let busy = false;
  let again = false;

  // One refetch at a time; events arriving meanwhile make one more, so a burst costs two.
  function refreshSoon() {
    if (!timer) timer = setTimeout(refresh, 50);
  }

  async function refresh() {
    timer = null;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      await Promise.all([ds.refresh("#inbox-list"), ds.refresh("#inbox-channels")]);
    } finally {
      busy = false;
      if (again) {
        again = false;
        refreshSoon();
      }
    }
  }

  document.addEventListener("ds:swapped", (event) => {
    if (event.detail.id !== "inbox-list") return;
    for (const row of rows()) if (fresh.has(row.dataset.ticket)) row.classList.add("fresh");
    fresh.clear();
    select(selected, false);
  });

  const source = ds.live(`/live?from=${encodeURIComponent(list().dataset.position)}`, {
    ticket: (data) => {
      if (QUIET.has(data.type)) return;
      fresh.add(data.ticket);
      refreshSoon();
    },
    reload: () => refreshSoon(),
  });
  // Whether the list is live right now (the browser reconnects by itself after an error).
  source.addEventListener("open", () => (document.body.dataset.live = "open"));
  source.addEventListener("error", () => (document.body.dataset.live = "reconnecting"));

  function rows() {
    return [...document.querySelectorAll("#inbox-list tbody tr[data-ticket]")];
  }

  function select(id, scroll = true) {
    selected = id;
    for (const row of rows()) {
      const on = row.dataset.ticket === id;
      row.setAttribute("aria-selected", on ? "true" : "false");
      if (on && scroll) row.scrollIntoView({ block: "nearest" });
    }
  }

  function move(step) {
    const all = rows();
    if (!all.length) return;
    const at = all.findIndex((row) => row.dataset.ticket === selected);
    const next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, at + step));
    select(all[next].dataset.ticket);
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (event.target.closest?.("input, textarea, select, button, a, [contenteditable]")) return;
    if (event.key === "j" || event.key === "k") {
      move(event.key === "j" ? 1 : -1);
      event.preventDefault();
    } else if (event.key === "Enter" && selected) {
      const link = rows().find((row) => row.dataset.ticket === selected)?.querySelector("a[href]");
      if (link) location.href = link.href;
      event.preventDefault();
    }
  });

  // The filter's URL keeps only what is set, so it reads well when bookmarked or saved.
  const filters = document.getElementById("inbox-filters");
  filters?.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(filters)) if (value) params.append(key, value);
    location.href = `/inbox${params.size ? `?${params}` : ""}`;
  });
  filters?.addEventListener("change", (event) => {
    if (event.target.matches("select, input[type=checkbox]")) filters.requestSubmit();
  });
});
