// The audit browser: the room's log as recorded (filters as GET /v1/audit takes them),
// each event's chain hash, "verify chain", and time travel: the room's queue and trust
// as of any seq, folded from the log by the server (as `waitroom replay --until` does).
import {api} from "./api.js";
import {$, attempt, el, table} from "./dom.js";
import {when, who} from "./format.js";
import {nameOf} from "./names.js";
import {state} from "./state.js";

const view = {
  cursor: null,
  rows: []
};

function query() {
  const f = $("audit-filters");
  const q = new URLSearchParams({limit: "100"});
  for (const name of ["type", "actor", "stream", "since_seq", "until"]) {
    const v = f.elements[name].value.trim();
    if (v) q.set(name, v);
  }
  return q;
}

function row(e) {
  return [
    String(e.seq), el("span", {title: e.at}, when(e.at)), e.type, who(e.actor), e.stream,
    el("code", {class: "hash", title: e.hash}, e.hash.slice(0, 12) + "…"),
    el("button", {type: "button", onclick: () => travel(String(e.seq))}, "As of here")
  ];
}

function draw() {
  $("audit-list")
      .replaceChildren(table(
          "Events of this room, oldest first", ["seq", "at", "type", "actor", "stream", "hash", ""],
          view.rows.map(row), "No events match."));
  $("audit-more").hidden = !view.cursor;
}

async function load(more) {
  const q = query();
  if (more && view.cursor) q.set("cursor", view.cursor);
  const page = await api("GET", "/v1/rooms/" + state.room + "/audit?" + q);
  view.rows = more ? view.rows.concat(page.data) : page.data;
  view.cursor = page.has_more ? page.cursor : null;
  draw();
}

export async function renderAudit() {
  await attempt($("audit-error"), () => load(false));
}

async function verify() {
  const out = $("audit-verify-result");
  out.textContent = "Checking the whole chain…";
  const r = await attempt($("audit-error"), () => api("GET", "/v1/audit/verify"));
  out.textContent = !r ? "" :
      r.data.ok ? "Chain intact: " + r.data.events + " events, head hash " + r.data.head_hash :
                  "Chain broken: " + JSON.stringify(r.data);
  out.className = r && r.data.ok ? "ok" : "error";
}

async function travel(seq) {
  $("travel-seq").value = seq;
  const r = await attempt(
      $("travel-error"),
      () => api("GET", "/v1/rooms/" + state.room + "/replay?until=" + encodeURIComponent(seq)));
  if (!r) return;
  const d = r.data;
  $("travel-result")
      .replaceChildren(
          el("p", {class: "meta"},
             "As of seq " + d.as_of_seq + ": " + d.queue.length + " waiting, " +
                 d.check_ins.length + " check-ins so far."),
          table(
              "Queue as of seq " + d.as_of_seq, ["check-in", "action", "status", "risk", "agent"],
              d.queue.map(
                  (c) => [c.id, c.action, c.status, c.risk_level, nameOf(c.agent_id || "")]),
              "Nothing was waiting."),
          table(
              "Trust as of seq " + d.as_of_seq, ["agent", "score", "check-ins"],
              d.trust.map(
                  (t) => [nameOf(t.agent_id), t.score.toFixed(1), String(t.total_check_ins)]),
              "No trust yet."));
  $("travel-result").dataset.asOf = String(d.as_of_seq);
}

export function initAudit() {
  $("audit-filters").addEventListener("submit", (e) => {
    e.preventDefault();
    renderAudit();
  });
  $("audit-more").addEventListener("click", () => attempt($("audit-error"), () => load(true)));
  $("audit-verify").addEventListener("click", verify);
  $("travel").addEventListener("submit", (e) => {
    e.preventDefault();
    travel($("travel-seq").value.trim());
  });
}
