// The ticket page: the reply and note boxes as tabs, snippets and articles inserted at the cursor,
// drafts kept across reloads, the traffic cop's "send anyway" and "revise", and live refreshes.
// Forms post through app.js (data-fetch); this script keeps the page's parts in step afterwards.
"use strict";
(() => {
  const page = document.getElementById("ticket-page");
  if (!page) return;
  const ticket = page.dataset.ticket;
  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

  // --- drafts: what is typed survives a failed send, a reload and a sign-in in another tab
  const store = (() => {
    try {
      return window.localStorage;
    } catch {
      return null;
    }
  })();
  const draftKey = (form) => `ds:draft:${ticket}:${form.dataset.form}`;
  function keepDraft(form) {
    const area = $("textarea", form);
    if (!area || !store) return;
    if (area.value.trim()) store.setItem(draftKey(form), area.value);
    else store.removeItem(draftKey(form));
  }
  function restoreDrafts() {
    for (const form of $$("form[data-form]")) {
      const area = $("textarea", form);
      const kept = store && area ? store.getItem(draftKey(form)) : null;
      if (area && !area.value && kept) area.value = kept;
    }
  }
  function clearDraft(form) {
    const area = $("textarea", form);
    if (area) area.value = "";
    for (const name of ["snippet", "article"]) if (form.elements[name]) form.elements[name].value = "";
    if (store) store.removeItem(draftKey(form));
  }

  // --- tabs: the reply box or the note box; without script both are shown
  function showTab(name, focus) {
    const composer = $("#composer");
    if (!composer || !$("[data-tab]", composer)) return;
    composer.classList.add("tabbed");
    for (const tab of $$("[data-tab]", composer)) tab.setAttribute("aria-selected", String(tab.dataset.tab === name));
    for (const panel of $$("[data-panel]", composer)) panel.hidden = panel.dataset.panel !== name;
    if (focus) $(`[data-panel="${name}"] textarea`, composer)?.focus();
  }

  function randomKey() {
    const bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // --- inserting text where the cursor is, as typed (so the draft is kept)
  function insert(area, text) {
    const start = area.selectionStart ?? area.value.length;
    const end = area.selectionEnd ?? start;
    const before = area.value.slice(0, start);
    const glue = before && !before.endsWith("\n") ? "\n" : "";
    area.value = before + glue + text + area.value.slice(end);
    const caret = (before + glue + text).length;
    area.focus();
    area.setSelectionRange(caret, caret);
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  async function insertSnippet(link) {
    const form = $("#reply-form");
    const got = await fetch(`/tickets/${ticket}/snippets/${encodeURIComponent(link.dataset.snippet)}`, {
      credentials: "same-origin",
    });
    if (!got.ok) return;
    showTab("reply");
    insert($("textarea", form), await got.text());
    form.elements.snippet.value = link.dataset.snippet;
    link.closest("details")?.removeAttribute("open");
  }

  async function insertArticle(link) {
    const query = $("#kb-panel input[type=search]")?.value || "";
    const url = `/tickets/${ticket}/kb/${link.dataset.article}?q=${encodeURIComponent(query)}`;
    const got = await fetch(url, { credentials: "same-origin" });
    if (!got.ok) return;
    const into = got.headers.get("X-Public") === "1" ? "reply" : "note";
    const form = $(`#${into}-form`);
    if (!form) return;
    showTab(into);
    insert($("textarea", form), await got.text());
    if (into === "reply") form.elements.article.value = link.dataset.article;
  }

  // --- after the conversation was swapped in: the operator's own action, or a live update
  function afterConversation(section) {
    // stay where the operator was reading, unless that was the end (or they just acted)
    section.scrollTop = reading.atEnd || section.dataset.actedForm ? section.scrollHeight : reading.top;
    const acted = section.dataset.actedForm;
    if (acted) {
      // every form filled in against the version this action started from has now seen its result
      for (const input of $$('form[data-form] input[name="version"]')) {
        if (input.value === section.dataset.actedFrom) input.value = section.dataset.actedTo;
      }
      const form = $(`form[data-form="${acted}"]`);
      if (form) {
        form.elements.key.value = randomKey();
        const errors = $(".form-errors", form);
        if (errors) errors.innerHTML = "";
        if (acted === "reply" || acted === "note") clearDraft(form);
      }
      const card = $("#customer-card");
      if (card && acted === "merge") ds.refresh("#customer-card", `${card.dataset.src}&min_position=${section.dataset.actedPosition}`);
    }
    if (acted || !controlsInUse()) ds.refresh("#controls");
    if ($("#composer")?.dataset.workable !== section.dataset.workable) ds.refresh("#composer");
    warnIfChanged();
  }

  // The boxes came back (the ticket was reopened, or resolved): what was typed is kept.
  function afterComposer() {
    restoreDrafts();
    showTab("reply", false);
  }

  function controlsInUse() {
    const controls = $("#controls");
    return Boolean(controls && (controls.contains(document.activeElement) || $("form[data-dirty]", controls)));
  }

  // The reply or note box was filled in against an older version than the one now shown.
  function warnIfChanged() {
    const shown = Number($("#conversation")?.dataset.substantive || 0);
    for (const form of $$("#composer form[data-form]")) {
      const typed = $("textarea", form)?.value.trim();
      const behind = Number(form.elements.version?.value || 0) < shown;
      $(".stale-hint", form)?.toggleAttribute("hidden", !(typed && behind));
    }
  }

  const reading = { top: 0, atEnd: true };
  document.addEventListener(
    "scroll",
    (event) => {
      const box = event.target;
      if (box?.id !== "conversation") return;
      reading.top = box.scrollTop;
      reading.atEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 48;
    },
    true,
  );

  let pending = null;
  function refreshSoon() {
    clearTimeout(pending);
    pending = setTimeout(() => ds.refresh("#conversation"), 120);
  }

  function showPresence(viewers) {
    const box = $("#presence");
    if (!box) return;
    const others = viewers.filter((name) => name !== page.dataset.viewer);
    box.hidden = others.length === 0;
    box.textContent = (box.dataset.label || "{names}").replace("{names}", others.join(", "));
  }

  // --- events
  document.addEventListener("ds:swapped", (event) => {
    if (event.detail?.id === "conversation") afterConversation(event.detail);
    if (event.detail?.id === "composer") afterComposer();
  });

  document.addEventListener("click", (event) => {
    const target = event.target;
    const tab = target.closest("[data-tab]");
    if (tab) return showTab(tab.dataset.tab, true);
    const snippet = target.closest("[data-snippet]");
    if (snippet) {
      event.preventDefault();
      return insertSnippet(snippet);
    }
    const article = target.closest("[data-article]");
    if (article) {
      event.preventDefault();
      return insertArticle(article);
    }
    const revise = target.closest("[data-revise]");
    if (revise) {
      // the operator has seen what changed: the form now stands on that version
      const form = revise.closest("form");
      form.elements.version.value = revise.dataset.revise;
      $(".form-errors", form).innerHTML = "";
      ds.refresh("#conversation");
      $("textarea, input:not([type=hidden]), select", form)?.focus();
    }
  });

  document.addEventListener("input", (event) => {
    const target = event.target;
    const picker = target.closest?.("[data-picker]");
    if (picker) {
      clearTimeout(picker.searching);
      const url = `${picker.dataset.picker}?q=${encodeURIComponent(picker.value)}`;
      picker.searching = setTimeout(() => ds.refresh(picker.dataset.target, url), 150);
      return;
    }
    const form = target.closest?.("form[data-form]");
    if (!form) return;
    if (form.closest("#controls")) form.dataset.dirty = "1";
    if (target.tagName !== "TEXTAREA") return;
    if (!target.value.trim()) for (const name of ["snippet", "article"]) if (form.elements[name]) form.elements[name].value = "";
    if (form.dataset.form === "reply" && target.value.slice(0, target.selectionStart).endsWith("::")) {
      // Zammad's "::": the snippet picker, from the keyboard
      const caret = target.selectionStart;
      target.value = target.value.slice(0, caret - 2) + target.value.slice(caret);
      target.setSelectionRange(caret - 2, caret - 2);
      const details = $(".snippet-picker", form);
      details?.setAttribute("open", "");
      $("input[type=search]", details)?.focus();
    }
    keepDraft(form);
    warnIfChanged();
  });

  document.addEventListener("keydown", (event) => {
    const picker = event.target.closest?.("[data-picker]");
    if (!picker || event.key !== "Enter") return;
    event.preventDefault(); // the list follows what is typed; Enter takes the first snippet
    if (picker.dataset.target === "#snippet-list") $("#snippet-list [data-snippet]")?.click();
  });

  // --- start (after app.js, which defines `ds`, has run: both are deferred, app.js last)
  document.addEventListener("DOMContentLoaded", () => {
    restoreDrafts();
    const noteOnly = $("#note-form textarea")?.value && !$("#reply-form textarea")?.value;
    showTab(noteOnly ? "note" : "reply", false);
    const conversation = $("#conversation");
    if (conversation) conversation.scrollTop = conversation.scrollHeight;
    warnIfChanged();
    if (!window.EventSource) return;
    const from = encodeURIComponent(page.dataset.position);
    ds.live(`/live?from=${from}&ticket=${encodeURIComponent(ticket)}`, {
      ticket: (data) => {
        if (String(data.ticket) === ticket) refreshSoon();
      },
      presence: (data) => {
        if (String(data.ticket) === ticket) showPresence(data.viewers || []);
      },
    });
  });
})();
