/* deskstream chat widget, for a product's own site:
 *
 *   <script src="https://desk.example/static/widget.js" data-channel="site" data-key="PUBLIC_KEY"
 *           data-name="optional visitor name" async></script>
 *
 * Optional: data-visitor-id + data-visitor-signature (identity_secret: the product's backend
 * signs its user's id), data-lang (ru | en; else the browser's), data-color. deskstreamWidget.open()
 * and .close() serve a "Contact us" link.
 *
 * Plain script: no build step, no dependencies, no eval, no inline handlers or style attributes.
 * It draws into a shadow root with widget.css from the desk, so the host page's styles and ours
 * never meet; a host with a CSP allows the desk's origin in script-src, style-src and connect-src.
 *
 * Replies are pulled. This is the customer's side, polling only its own visitor's conversation
 * (GET …/messages?after=<cursor>): every 3 s while the chat is open and the tab visible, backing off
 * from 10 s to 2 min while it is closed or hidden (to light the unread dot), and not at all before
 * the visitor has written. Staff pages never poll: they follow the log over server-sent events.
 * Every message gets a fresh message_id, kept across its retries, so a retry is recorded once.
 */
(() => {
  "use strict";
  const script =
    document.currentScript || document.querySelector("script[data-channel][src*='widget.js']");
  if (!script || window.deskstreamWidget) return;
  const cfg = script.dataset;
  if (!cfg.channel || !cfg.key) {
    console.warn("deskstream widget: data-channel and data-key are required");
    return;
  }

  const TEXTS = {
    en: {
      open: "Chat with us", close: "Close the chat", title: "Support",
      hello: "Hi! Ask us anything: we answer right here.", placeholder: "Type a message…",
      send: "Send", sending: "Sending…", failed: "Not sent. Tap to retry.", earlier: "Show earlier",
      offline: "No connection. Trying again…", broken: "The chat is not available right now.",
      unread: "new replies",
    },
    ru: {
      open: "Написать нам", close: "Закрыть чат", title: "Поддержка",
      hello: "Здравствуйте! Задайте вопрос: ответим прямо здесь.", placeholder: "Напишите сообщение…",
      send: "Отправить", sending: "Отправляется…", failed: "Не отправлено. Нажмите, чтобы повторить.",
      earlier: "Показать раньше", offline: "Нет связи. Пробуем снова…",
      broken: "Чат сейчас недоступен.", unread: "новые ответы",
    },
  };
  const lang = (cfg.lang || navigator.language || "en").toLowerCase().startsWith("ru") ? "ru" : "en";
  const T = TEXTS[lang];
  const FAST = 3000, IDLE = 10000, SLOWEST = 120000;
  const base = script.src.replace(/\/static\/widget\.js(\?.*)?$/, "");
  const api = `${base}/api/v1/ingest/widget/${encodeURIComponent(cfg.channel)}`;

  // Storage may be refused (privacy modes, sandboxed frames): then it lasts as long as the page.
  const memory = new Map();
  const stored = (area, k, v) => {
    try {
      return v === undefined ? window[area].getItem(k) : (window[area].setItem(k, v), v);
    } catch (refused) {
      if (!memory.size) console.info("deskstream widget: no", area, refused);
      return v === undefined ? memory.get(k) ?? null : (memory.set(k, v), v);
    }
  };
  const keep = { get: (k) => stored("localStorage", k), set: (k, v) => stored("localStorage", k, v) };
  const session = (k, v) => stored("sessionStorage", `${k}.s`, v);
  const hex = (b) => b.toString(16).padStart(2, "0");
  const newId = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), hex).join("");
  const prefix = `deskstream.widget.${cfg.channel}.`;
  const visitor = cfg.visitorId || keep.get(`${prefix}visitor`) || keep.set(`${prefix}visitor`, newId());
  const readKey = `${prefix}${visitor}.read`;

  const state = {
    open: false, loaded: false, cursor: null, first: null, peek: keep.get(readKey),
    started: Boolean(keep.get(readKey)), unread: 0, failures: 0, idle: IDLE, timer: 0,
    busy: false, again: false, broken: false,
  };
  const shown = new Map(); // server item id → element
  const pending = new Map(); // message_id → {text, el, tries}

  function el(tag, cls, text, attrs = {}) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    return node;
  }
  function icon(path, cls) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    if (cls) svg.setAttribute("class", cls);
    const p = document.createElementNS(ns, "path");
    p.setAttribute("d", path);
    svg.append(p);
    return svg;
  }

  const host = el("div", null, null, { id: "deskstream-widget" });
  if (cfg.color) host.style.setProperty("--ds-accent", cfg.color);
  const root = host.attachShadow({ mode: "open" });
  const sheet = el("link", null, null, { rel: "stylesheet", href: `${base}/static/widget.css` });
  const frame = el("div", "frame", null, { lang });
  const bubble = el("button", "bubble", null, { type: "button", "aria-label": T.open, "aria-expanded": false });
  const dot = el("span", "dot", null, { hidden: "" });
  bubble.append(
    icon("M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z", "chat"),
    icon("M6 9l6 6 6-6", "shut"),
    dot,
  );
  const panel = el("section", "panel", null, { role: "dialog", "aria-label": T.title, hidden: "" });
  const head = el("header", "head");
  const closer = el("button", "close", null, { type: "button", "aria-label": T.close });
  closer.append(icon("M6 6l12 12M18 6L6 18"));
  head.append(el("h2", null, T.title), closer);
  const log = el("div", "log", null, { role: "log", "aria-live": "polite" });
  const earlier = el("button", "earlier", T.earlier, { type: "button", hidden: "" });
  const hello = el("p", "hello", T.hello);
  const list = el("div", "list");
  log.append(earlier, hello, list);
  const notice = el("p", "notice", null, { hidden: "" });
  const form = el("form", "composer");
  const input = el("textarea", null, null, { rows: 1, placeholder: T.placeholder, "aria-label": T.placeholder });
  const submit = el("button", "send", null, { type: "submit", "aria-label": T.send });
  submit.append(icon("M3 20l18-8L3 4v6l12 2-12 2z"));
  form.append(input, submit);
  panel.append(head, log, notice, form);
  frame.append(bubble, panel);
  root.append(sheet, frame);
  sheet.addEventListener("error", () => console.warn("deskstream widget: cannot load", sheet.href));
  if (document.body) document.body.append(host);
  else document.addEventListener("DOMContentLoaded", () => document.body.append(host));

  function headers(extra) {
    const sent = { "X-Widget-Key": cfg.key, ...extra };
    if (cfg.visitorSignature) sent["X-Widget-Visitor-Signature"] = cfg.visitorSignature;
    return sent;
  }

  async function pull(params) {
    const query = new URLSearchParams({ visitor_id: visitor, ...params });
    const response = await fetch(`${api}/messages?${query}`, { headers: headers(), credentials: "omit" });
    const answer = await response.json();
    const { status } = response;
    if (!response.ok) throw Object.assign(new Error(answer.detail || status), { status });
    return answer;
  }

  const when = (iso) =>
    new Date(iso).toLocaleTimeString(lang, { hour: "numeric", minute: "2-digit" });

  function card(item) {
    const mine = item.author == null;
    const node = el("div", `msg ${mine ? "mine" : "theirs"}`);
    const meta = el("div", "meta", mine ? when(item.sent_at) : `${item.author} · ${when(item.sent_at)}`);
    node.append(el("div", "text", item.text), meta);
    return node;
  }

  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 60;
  }

  function place(items, older) {
    const stick = older ? false : nearBottom();
    const height = log.scrollHeight;
    const fresh = document.createDocumentFragment();
    let replies = 0;
    for (const item of items) {
      if (shown.has(item.id)) continue;
      const mine = item.message_id != null && pending.get(item.message_id);
      if (mine) {
        pending.delete(item.message_id);
        mine.el.classList.remove("sending", "failed");
        mine.el.querySelector(".meta").textContent = when(item.sent_at);
        shown.set(item.id, mine.el);
        continue;
      }
      if (item.author != null) replies += 1;
      const node = card(item);
      shown.set(item.id, node);
      fresh.append(node);
    }
    if (older) list.prepend(fresh);
    else list.insertBefore(fresh, list.querySelector(".msg.sending, .msg.failed"));
    hello.hidden = shown.size + pending.size > 0;
    if (older) log.scrollTop += log.scrollHeight - height;
    else if (stick) log.scrollTop = log.scrollHeight;
    return replies;
  }

  async function load() {
    const page = await pull({});
    state.loaded = true;
    state.cursor = page.cursor;
    state.first = page.first;
    earlier.hidden = !page.earlier;
    place(page.data, false);
    log.scrollTop = log.scrollHeight;
    count(0);
    return false;
  }

  async function news() {
    if (!state.loaded && !state.open && state.peek) {
      const page = await pull({ after: state.peek });
      state.peek = page.cursor;
      count(page.data.filter((item) => item.author != null).length);
      return page.more;
    }
    if (!state.loaded) return load();
    const page = await pull({ after: state.cursor });
    state.cursor = page.cursor;
    count(place(page.data, false));
    return page.more;
  }

  const watching = () => state.open && !document.hidden;

  function count(replies) {
    if (watching()) {
      state.unread = 0;
      if (state.cursor) keep.set(readKey, state.cursor);
    } else {
      state.unread += replies;
    }
    dot.hidden = state.unread === 0;
    dot.textContent = state.unread > 9 ? "9+" : String(state.unread || "");
    bubble.setAttribute("aria-label", state.unread ? `${T.open} (${T.unread}: ${state.unread})` : T.open);
  }

  function schedule(ms) {
    clearTimeout(state.timer);
    if (ms != null && !state.broken) state.timer = setTimeout(run, ms);
  }

  function cadence() {
    if (watching()) {
      state.idle = IDLE;
      return FAST;
    }
    if (!state.started) return null; // nothing written yet: nothing to wait for
    const wait = state.idle;
    state.idle = Math.min(SLOWEST, state.idle * 2);
    return wait;
  }

  async function run() {
    if (state.busy) {
      state.again = true; // opened or shown mid-request: look once more right after it
      return;
    }
    state.busy = true;
    let next;
    try {
      next = (await news()) ? 0 : cadence();
      state.failures = 0;
      notice.hidden = true;
    } catch (error) {
      next = trouble(error);
    } finally {
      state.busy = false;
    }
    schedule(state.again ? 0 : next);
    state.again = false;
  }

  function trouble(error) {
    if (error.status === 400 && state.peek && !state.loaded) {
      state.peek = null; // a stale read mark: forget it, the next opening loads afresh
      return null;
    }
    if (error.status === 400 || error.status === 401 || error.status === 404) {
      state.broken = true;
      say(T.broken);
      console.warn("deskstream widget: the desk refused the channel or key", error);
      return null;
    }
    state.failures += 1;
    if (state.open) say(T.offline);
    return Math.min(SLOWEST, FAST * 2 ** state.failures);
  }

  function say(text) {
    notice.textContent = text;
    notice.hidden = false;
  }

  async function deliver(message) {
    message.tries += 1;
    message.el.classList.remove("failed");
    message.el.classList.add("sending");
    message.el.querySelector(".meta").textContent = T.sending;
    const body = { visitor_id: visitor, message_id: message.id, text: message.text };
    if (cfg.name) body.name = cfg.name;
    let status = 0;
    try {
      const response = await fetch(api, {
        method: "POST",
        headers: headers({ "Content-Type": "application/json" }),
        body: JSON.stringify(body),
        credentials: "omit",
      });
      status = response.status;
    } catch (error) {
      console.info("deskstream widget: sending failed, will retry", error);
    }
    if (status >= 200 && status < 300) {
      message.el.classList.remove("sending");
      message.el.querySelector(".meta").textContent = when(new Date().toISOString());
      state.started = true;
      schedule(0);
      return;
    }
    message.el.classList.replace("sending", "failed");
    message.el.querySelector(".meta").textContent = T.failed;
    const again = status === 0 || status === 429 || status >= 500;
    if (again && message.tries < 4) setTimeout(() => deliver(message), 1500 * 2 ** message.tries);
  }

  function send(text) {
    const now = new Date().toISOString();
    const message = { id: newId(), text, tries: 0, el: card({ author: null, text, sent_at: now }) };
    message.el.classList.add("sending");
    message.el.addEventListener("click", () => {
      if (message.el.classList.contains("failed")) deliver(message);
    });
    pending.set(message.id, message);
    list.append(message.el);
    hello.hidden = true;
    log.scrollTop = log.scrollHeight;
    deliver(message);
  }

  function setOpen(open) {
    state.open = open;
    frame.classList.toggle("open", open);
    panel.hidden = !open;
    bubble.setAttribute("aria-expanded", String(open));
    session(`${prefix}open`, open ? "1" : "");
    if (open) {
      state.idle = IDLE;
      count(0);
      if (!matchMedia("(pointer: coarse)").matches) input.focus();
      schedule(0);
    } else {
      bubble.focus();
    }
  }

  bubble.addEventListener("click", () => setOpen(!state.open));
  closer.addEventListener("click", () => setOpen(false));
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") setOpen(false);
  });
  function typed(event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || state.broken) return;
    input.value = "";
    grow();
    send(text);
  }
  form.addEventListener("submit", typed);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) typed(event);
  });
  function grow() {
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 120)}px`;
  }
  input.addEventListener("input", grow);
  earlier.addEventListener("click", async () => {
    earlier.disabled = true;
    try {
      const page = await pull({ before: state.first });
      state.first = page.first || state.first;
      earlier.hidden = !page.earlier;
      place(page.data, true);
    } catch (error) {
      console.info("deskstream widget: cannot load earlier messages", error);
    } finally {
      earlier.disabled = false;
    }
  });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) {
      state.idle = IDLE;
      schedule(0);
    }
  });

  window.deskstreamWidget = { open: () => setOpen(true), close: () => setOpen(false) };
  if (session(`${prefix}open`) === "1") setOpen(true);
  else schedule(state.peek ? 0 : null);
})();
