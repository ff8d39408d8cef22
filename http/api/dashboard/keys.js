// Keyboard: j/k move through the list shown, a/r/m approve, reject or modify the open
// check-in, ? shows the keys. Keys typed into a field are the field's.
import {select} from "./detail.js";
import {$} from "./dom.js";
import {state} from "./state.js";

function listShown() {
  const list = $(state.tab);
  return list ? [...list.querySelectorAll("li[data-id]")] : [];
}

function move(step) {
  const items = listShown();
  if (!items.length) return;
  const at = items.findIndex((li) => li.dataset.id === state.selected);
  const next = at < 0 ? (step > 0 ? 0 : items.length - 1) :
                        Math.min(items.length - 1, Math.max(0, at + step));
  items[next].scrollIntoView({block: "nearest"});
  select(items[next].dataset.id);
}

function press(name) {
  const detail = $("detail");
  if (detail.hidden) return;
  const b =
      [...detail.querySelectorAll(".decision-bar button")].find((x) => x.textContent === name);
  if (!b) return;
  if (name === "Modify") {
    // a modification needs a change first: go to the editor, Modify sends it
    const field = detail.querySelector("textarea[name=modifications]");
    if (field && field.dataset.changed !== "true") return field.focus();
  }
  b.click();
}

export function initKeys() {
  const help = $("help");
  $("help-close").addEventListener("click", () => help.close());
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || $("app").hidden) return;
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName)) return;
    const act = {
      j: () => move(1),
      k: () => move(-1),
      a: () => press("Approve"),
      r: () => press("Reject"),
      m: () => press("Modify"),
      "?": () => help.open ? help.close() : help.showModal()
    }[e.key];
    if (!act) return;
    e.preventDefault();
    act();
  });
}
