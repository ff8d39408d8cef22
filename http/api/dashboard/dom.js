// Building the page. Everything from the server is written with textContent (`el`
// takes strings as text), never parsed as HTML.
export const $ = (id) => document.getElementById(id);

export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class")
      e.className = v;
    else if (k.startsWith("on"))
      e.addEventListener(k.slice(2), v);
    else
      e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat())
    if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

export function notice(text) {
  const n = $("notice");
  n.textContent = text;
  n.hidden = false;
  clearTimeout(notice.t);
  notice.t = setTimeout(() => {
    n.hidden = true;
  }, 4000);
}

// A table: `head` the column names, `rows` arrays of cells (strings or nodes).
export function table(caption, head, rows, empty) {
  if (!rows.length) return el("p", {class: "empty"}, empty);
  // focusable: on a narrow screen the table scrolls sideways, by keyboard too
  return el(
      "div", {class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption},
      el("table", {}, el("caption", {}, caption),
         el("thead", {}, el("tr", {}, ...head.map((h) => el("th", {scope: "col"}, h)))),
         el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", {}, c)))))));
}

// What a 401 does (session.js signs out); set once at start.
export const onUnauthorized = {
  run: () => {}
};

// Runs `job` for a form: its error paragraph says what went wrong (the API's message,
// with the field it names), and nothing else on the page changes. Answers undefined
// when it failed.
export async function attempt(errorEl, job) {
  errorEl.textContent = "";
  try {
    return await job();
  } catch (e) {
    if (e.status === 401)
      onUnauthorized.run(e);
    else
      errorEl.textContent = e.message;
    return undefined;
  }
}

// "Shown once": a secret in a field the person can copy, with a warning.
export function shownOnce(label, secret) {
  const field = el("input", {readonly: true, value: secret, "aria-label": label, class: "secret"});
  return el(
      "div", {class: "once", role: "status"},
      el("strong", {}, label + " (shown once: copy it now)"), field);
}
