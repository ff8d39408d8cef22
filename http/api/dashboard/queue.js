// The queue: what waits for a person, by time left then risk; filters by risk, agent
// and direction; low-risk items can be approved or rejected together with one reason.
import {api} from "./api.js";
import {card, fill} from "./cards.js";
import {$, el, notice} from "./dom.js";
import {byTimeLeftThenRisk} from "./format.js";
import {nameOf} from "./names.js";
import {state} from "./state.js";

// Only these may be decided together: a bulk decision is for what needs little thought.
const BULK_RISKS = ["low"];

const view = {
  items: [],        // the room's queue as last read
  bulk: new Set(),  // ids chosen for a bulk decision
  refresh: async () => {}
};

function filters() {
  return {
    risk: $("filter-risk").value,
    agent: $("filter-agent").value,
    direction: $("filter-direction").value
  };
}

function agentOf(c) {
  return c.direction === "human_to_agent" ? c.primary_agent_id : c.agent_id;
}

function shown() {
  const f = filters();
  return view.items.filter(
      (c) => (!f.risk || c.risk_level === f.risk) && (!f.agent || agentOf(c) === f.agent) &&
          (!f.direction || c.direction === f.direction));
}

// The agent filter offers the agents the queue has (and keeps one chosen before).
function agentChoices() {
  const sel = $("filter-agent");
  const chosen = sel.value;
  const ids = [...new Set(view.items.map(agentOf).filter(Boolean))];
  if (chosen && !ids.includes(chosen)) ids.push(chosen);
  sel.replaceChildren(
      el("option", {value: ""}, "any agent"),
      ...ids.map((id) => el("option", {value: id}, nameOf(id))));
  sel.value = chosen;
}

function checkbox(c) {
  if (!BULK_RISKS.includes(c.risk_level) || c.direction !== "agent_to_human") return null;
  return el("input", {
    type: "checkbox",
    class: "pick",
    "aria-label": "Choose “" + c.action + "” for a bulk decision",
    checked: view.bulk.has(c.id),
    onclick: (e) => e.stopPropagation(),
    onchange: (e) => {
      if (e.target.checked)
        view.bulk.add(c.id);
      else
        view.bulk.delete(c.id);
      showBulk();
    }
  });
}

function showBulk() {
  const n = view.bulk.size;
  $("bulk").hidden = n === 0;
  $("bulk-count").textContent =
      n + (n === 1 ? " low-risk check-in chosen" : " low-risk check-ins chosen");
}

function draw() {
  const items = shown();
  // what is not in the queue any more (decided) cannot stay chosen
  for (const id of [...view.bulk])
    if (!view.items.some((c) => c.id === id)) view.bulk.delete(id);
  fill(
      "queue", items, view.items.length ? "Nothing matches these filters." : "Nothing is waiting.",
      (c) => card(c, checkbox(c)), (c) => (view.bulk.has(c.id) ? "+chosen" : ""));
  $("queue-count").textContent = items.length === view.items.length ?
      view.items.length + " waiting" :
      items.length + " of " + view.items.length + " waiting";
  showBulk();
}

export async function renderQueue(room) {
  const items = (await api("GET", "/v1/rooms/" + room + "/pending?limit=500")).data;
  if (room !== state.room) return;
  view.items = items.sort(byTimeLeftThenRisk);
  agentChoices();
  draw();
}

async function decideAll(verb) {
  const ids = [...view.bulk];
  const reason = $("bulk-reason").value.trim();
  const body = reason ? {reason} : {};
  const results = await Promise.allSettled(
      ids.map((id) => api("POST", "/v1/check-ins/" + id + "/" + verb, body)));
  const failed = results.filter((r) => r.status === "rejected");
  view.bulk.clear();
  $("bulk-reason").value = "";
  const done = (verb === "approve" ? "Approved " : "Rejected ") + (ids.length - failed.length);
  notice(failed.length ? done + "; " + failed.length + " not: " + failed[0].reason.message : done);
  await view.refresh();
}

// Wires the filters and the bulk bar; `refresh` reads the page again after a decision.
export function initQueue(refresh) {
  view.refresh = refresh;
  for (const id of ["filter-risk", "filter-agent", "filter-direction"])
    $(id).addEventListener("change", draw);
  $("bulk-approve").addEventListener("click", () => decideAll("approve"));
  $("bulk-reject").addEventListener("click", () => decideAll("reject"));
  $("bulk-clear").addEventListener("click", () => {
    view.bulk.clear();
    draw();
  });
}

// Signing out or changing rooms forgets the choice.
export function forgetQueue() {
  view.items = [];
  view.bulk.clear();
}
