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
         " · " + c.urgency + " · " + by + " · " + when(c.created_at),
         c.expires_at && WAITING.includes(c.status) ?
             [" · expires ", el("span", {"data-deadline": c.expires_at}, when(c.expires_at))] :
             null,
         c.status === "pending" && c.decision_progress.required > 1 ? " · " + progress(c) : null));
}

export function fill(list, items, empty, make = (c) => card(c)) {
  $(list).replaceChildren(
      ...(items.length ? items.map(make) : [el("li", {class: "empty"}, empty)]));
}
