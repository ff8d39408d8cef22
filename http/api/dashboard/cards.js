// A check-in or task as a card in a list: what, how risky, who, when, time left.
import {select} from "./detail.js";
import {$, el} from "./dom.js";
import {progress, WAITING, when, who} from "./format.js";
import {nameOf} from "./names.js";
import {state} from "./state.js";

// `extra` (optional) is put first in the card, e.g. a bulk-selection checkbox.
export function card(c, extra) {
  const title = c.direction === "human_to_agent" ? "Task: " + c.action : c.action;
  const by = c.direction === "human_to_agent" ?
      (c.primary_agent_id ? "claimed by " + nameOf(c.primary_agent_id) :
                            "posted by " + who(c.created_by)) :
      "from " + nameOf(c.agent_id);
  return el(
      "li", {
        "data-id": c.id,
        class: "risk-edge-" + c.risk_level + (state.fresh.has(c.id) ? " fresh" : ""),
        "aria-current": c.id === state.selected ? "true" : "false",
        onclick: () => select(c.id)
      },
      extra || null,
      // the title is the card's button: Tab reaches every card, Enter opens it
      el("div", {},
         el("button", {
           type: "button",
           class: "card-title",
           onclick: (e) => {
             e.stopPropagation();
             select(c.id);
           }
         },
            title),
         el("span", {class: "status status-" + c.status}, c.status)),
      c.reason ? el("div", {}, c.reason) : null,
      el("div", {class: "meta"},
         el("span", {class: "risk risk-" + c.risk_level}, c.risk_level + " risk"),
         " · " + c.urgency + " · " + by + " · ",
         el("span", {"data-since": c.created_at}, when(c.created_at)),
         c.expires_at && WAITING.includes(c.status) ?
             [" · expires ", el("span", {"data-deadline": c.expires_at}, when(c.expires_at))] :
             null,
         c.status === "pending" && c.decision_progress.required > 1 ? " · " + progress(c) : null));
}

// What a card shows: a card whose facts did not change is kept as it is (so a live
// refresh keeps the keyboard focus and anything being clicked where it is).
function keyOf(c) {
  const p = c.decision_progress;
  return JSON.stringify([
    c.id, c.status, c.action, c.reason, c.risk_level, c.urgency, c.expires_at, c.primary_agent_id,
    p.approvals.length, nameOf(c.agent_id || ""), nameOf(c.primary_agent_id || "")
  ]);
}

// Fills a list with cards in the order of `items`; `make(c)` builds one and `extra(c)`
// names what else it shows (e.g. a checkbox's state).
export function fill(list, items, empty, make = (c) => card(c), extra = () => "") {
  const ul = $(list);
  if (!items.length) {
    ul.replaceChildren(el("li", {class: "empty"}, empty));
    return;
  }
  const have = new Map();
  for (const li of ul.children)
    if (li.dataset.key) have.set(li.dataset.key, li);
  items.forEach((c, i) => {
    const key = keyOf(c) + extra(c);
    const li = have.get(key) || make(c);
    li.dataset.key = key;
    li.setAttribute("aria-current", String(c.id === state.selected));
    li.classList.toggle("fresh", state.fresh.has(c.id));
    if (ul.children[i] !== li) ul.insertBefore(li, ul.children[i] || null);
  });
  while (ul.children.length > items.length) ul.lastElementChild.remove();
}
