// The mention queue. A mention the moderator triages is swapped at once for a one-line note of
// what became of it (the server's answer); mentions triaged on a colleague's page leave this one
// when the live stream reports them, and new ones are announced without disturbing what is typed.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const queue = () => document.getElementById("mention-queue");
  if (!queue()) return;
  const pending = () => queue().querySelectorAll("li.mention[data-mention]");
  const counter = () => document.getElementById("mention-count");
  let seen = 0; // the newest position the stream reported: a refresh waits for the view to reach it

  function count(delta) {
    const el = counter();
    if (!el) return 0;
    el.textContent = String(Math.max(0, Number(el.textContent) + delta));
    return Number(el.textContent);
  }

  function refresh(position) {
    const url = new URL(queue().dataset.src, location.href);
    if (position) url.searchParams.set("min_position", String(position));
    return ds.refresh("#mention-queue", url.pathname + url.search);
  }

  // A row left: when this page holds no more, show the next ones, or say the queue is empty.
  function settle() {
    if (pending().length > 0) return;
    if (Number(counter()?.textContent || 0) > 0) {
      refresh();
    } else if (!queue().querySelector(".mention-empty")) {
      const empty = document.createElement("li");
      empty.className = "mention-empty empty";
      empty.textContent = queue().dataset.emptyText || "";
      queue().querySelector(".mention-list")?.append(empty);
    }
  }

  function gone(id) {
    const row = queue().querySelector(`li.mention[data-mention="${CSS.escape(id)}"]`);
    if (!row || row.querySelector("form.busy")) return; // her own post is answering for it
    row.remove();
    count(-1);
    settle();
  }

  function onMention(event) {
    seen = Math.max(seen, Number(event.position) || 0);
    if (queue().dataset.status !== "new") {
      refresh(event.position);
    } else if (event.type === "MentionTriaged") {
      gone(event.mention);
    } else if (event.type === "MentionCaptured") {
      if (pending().length === 0) refresh(event.position);
      else document.getElementById("mention-fresh")?.removeAttribute("hidden");
    }
  }

  document.addEventListener("ds:swapped", (event) => {
    if (event.detail.matches?.("li.mention-done")) {
      count(-1);
      settle();
    }
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest?.("[data-refresh-queue]")) refresh(seen);
    const text = event.target.closest?.(".mention-text");
    if (text && !getSelection()?.toString()) text.classList.toggle("expanded");
  });

  ds.live(`/live?from=${encodeURIComponent(queue().dataset.position)}`, { mention: onMention });
});
