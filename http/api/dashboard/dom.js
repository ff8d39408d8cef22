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
