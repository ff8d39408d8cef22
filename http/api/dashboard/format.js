// How times, principals and deadlines read.
import {el} from "./dom.js";
import {nameOf} from "./names.js";

export function when(iso) {
  if (!iso) return "—";
  const d = new Date(iso), s = Math.round((d - Date.now()) / 1000), a = Math.abs(s);
  if (a < 5) return "just now";  // a clock a little ahead or behind says nothing useful
  const span = a < 60 ? a + " s" :
      a < 3600        ? Math.round(a / 60) + " min" :
      a < 86400       ? Math.round(a / 3600) + " h" :
                        Math.round(a / 86400) + " d";
  return (s >= 0 ? "in " + span : span + " ago");
}

// The order of risks in a queue: the gravest first.
export const RISK_ORDER = ["critical", "high", "medium", "low"];

// A queue as people work it: what runs out first (to the minute), then the gravest; no
// deadline last.
export function byTimeLeftThenRisk(a, b) {
  const minute = (c) => c.expires_at ? Math.floor(Date.parse(c.expires_at) / 60000) : Infinity;
  const ta = minute(a), tb = minute(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return RISK_ORDER.indexOf(a.risk_level) - RISK_ORDER.indexOf(b.risk_level);
}

// Statuses that still wait on someone (the API's pending/open/claimed/in_review).
export const WAITING = ["pending", "open", "claimed", "in_review"];

export function who(ref) {
  if (!ref) return "—";
  return ref.id ? ref.kind + " " + nameOf(ref.id) : ref.kind;
}

// What the deadline of a check-in that still waits means (a countdown while it runs).
export function deadline(c) {
  if (c.expires_at)
    return [
      c.expires_at + " (", el("span", {"data-deadline": c.expires_at}, when(c.expires_at)),
      "), then " + c.timeout_action.replace("_", " ")
    ];
  if (c.status === "claimed" || c.status === "in_review")
    return "none while a task is being worked on";
  return c.timeout_action === "hold" ? "never (held until decided)" : "—";
}

// Keeps every countdown and "… ago" on the page current (text only: the API is not asked).
export function tickDeadlines() {
  for (const e of document.querySelectorAll("[data-deadline]"))
    e.textContent = when(e.dataset.deadline);
  for (const e of document.querySelectorAll("[data-since]")) e.textContent = when(e.dataset.since);
}

// "1 of 2: Alice; waiting for 1 more" while several people must approve.
export function progress(c) {
  const p = c.decision_progress;
  const by = p.approvals.map((a) => nameOf(a.by.id)).join(", ");
  const left = p.required - p.approvals.length;
  return p.approvals.length + " of " + p.required + (by ? ": " + by : "") +
      (c.status === "pending" && left > 0 ? "; waiting for " + left + " more" : "");
}
