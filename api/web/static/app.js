// deskstream workspace: forms posted over fetch with fragments swapped in, live updates over
// server-sent events, and the keyboard. Pages work without it; it makes them live.
"use strict";
const ds = (() => {
  const csrf = () => document.querySelector('meta[name="csrf"]')?.content || "";

  async function fetchFragment(url, options = {}) {
    const headers = { "X-Fragment": "1", "X-CSRF-Token": csrf(), ...(options.headers || {}) };
    const response = await fetch(url, { credentials: "same-origin", ...options, headers });
    return { ok: response.ok, status: response.status, html: await response.text(), response };
  }

  function swap(target, html) {
    const holder = document.createElement("template");
    holder.innerHTML = html.trim();
    const fresh = holder.content.firstElementChild;
    if (!target || !fresh) return null;
    target.replaceWith(fresh);
    document.dispatchEvent(new CustomEvent("ds:swapped", { detail: fresh }));
    return fresh;
  }

  async function refresh(selector, url) {
    const target = document.querySelector(selector);
    if (!target) return;
    const got = await fetchFragment(url || target.dataset.src || location.href);
    if (got.ok) swap(target, got.html);
  }

  // A form with data-fetch posts in place: its answer replaces data-swap (or the form); an
  // error is shown in the form's .form-errors box and nothing typed is lost.
  async function submit(form, submitter) {
    const body = new URLSearchParams(new FormData(form, submitter));
    const errors = form.querySelector(".form-errors");
    if (errors) errors.innerHTML = "";
    form.classList.add("busy");
    try {
      const got = await fetchFragment(form.action, { method: "POST", body });
      if (got.ok) {
        const target = form.dataset.swap ? document.querySelector(form.dataset.swap) : form;
        if (got.response.headers.get("X-Location")) location.href = got.response.headers.get("X-Location");
        else swap(target, got.html);
      } else if (errors) {
        errors.innerHTML = got.html;
      } else {
        alert(got.html.replace(/<[^>]+>/g, " ").trim());
      }
    } catch (error) {
      if (errors) errors.textContent = String(error);
    } finally {
      form.classList.remove("busy");
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-fetch")) return;
    event.preventDefault();
    submit(form, event.submitter);
  });

  // Live updates: one EventSource per page, from the log position the page was rendered at.
  // The browser reconnects by itself and sends Last-Event-ID, so nothing in between is missed.
  function live(url, handlers) {
    const source = new EventSource(url, { withCredentials: true });
    for (const [name, handler] of Object.entries(handlers)) {
      source.addEventListener(name, (event) => handler(JSON.parse(event.data), event));
    }
    return source;
  }

  // Keys: an element with data-key="r" is clicked (or focused, if it is a field) on that key;
  // "?" shows the list of keys. Keys typed into a field are the field's.
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const typing = event.target.closest?.("input, textarea, select, [contenteditable]");
    if (typing) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    if (event.key === "?") {
      document.getElementById("keys")?.showModal();
      event.preventDefault();
      return;
    }
    const bound = document.querySelector(`[data-key="${CSS.escape(event.key)}"]`);
    if (!bound) return;
    event.preventDefault();
    if (bound.matches("input, textarea, select")) bound.focus();
    else bound.click();
  });

  return { csrf, fetchFragment, swap, refresh, submit, live };
})();
