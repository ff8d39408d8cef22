// The rooms, the views of a room (one tab each), and what a live event does to them.
import {renderAgents} from "./agents.js";
import {api} from "./api.js";
import {renderAudit} from "./audit.js";
import {fill} from "./cards.js";
import {renderDetail, select} from "./detail.js";
import {$, el, notice} from "./dom.js";
import {renderMembers} from "./members.js";
import {knows, loadNames, nameOf} from "./names.js";
import {notify} from "./notify.js";
import {renderPolicy} from "./policy.js";
import {renderQueue} from "./queue.js";
import {showError} from "./session.js";
import {renderSignals} from "./signals.js";
import {state} from "./state.js";
import {renderWatchers} from "./watchers.js";

// What waits for a person: an agent's check-in, or a task's result in review.
const AWAITS_PEOPLE = ["pending", "in_review"];

async function renderTasks(room) {
  const r = await api("GET", "/v1/check-ins?room=" + room + "&direction=human_to_agent&limit=100");
  if (room === state.room) fill("tasks", r.data, "No tasks yet.");
}

async function renderHistory(room) {
  const r = await api("GET", "/v1/check-ins?room=" + room + "&limit=100");
  if (room === state.room) fill("history", r.data, "No check-ins yet.");
}

async function renderTrust(room) {
  const rows = (await api("GET", "/v1/rooms/" + room + "/trust?limit=500")).data;
  if (room !== state.room) return;
  $("trust").replaceChildren(...rows.map(
      (t) =>
          el("tr", {}, el("td", {title: t.agent_id}, nameOf(t.agent_id)),
             el("td", {}, t.score.toFixed(1)), el("td", {}, t.total_check_ins),
             el("td", {}, t.approved_count), el("td", {}, t.modified_count),
             el("td", {}, t.rejected_count), el("td", {}, t.expired_count))));
}

// The views, by tab. `live`: read again when a room event arrives (the audit and the
// forms are read when opened, so that nobody's typing or reading is thrown away).
const VIEWS = {
  queue: {render: renderQueue, live: true},
  tasks: {render: renderTasks, live: true},
  history: {render: renderHistory, live: true},
  trust: {render: renderTrust, live: true},
  audit: {render: renderAudit, live: false},
  watchers: {render: renderWatchers, live: true},
  members: {render: renderMembers, live: false},
  policy: {render: renderPolicy, live: true},
  signals: {render: renderSignals, live: true},
  agents: {render: renderAgents, live: false}
};

// A room event from the live stream (null: something may have been missed). Marks what
// newly waits for a person, then reads the page's data again, once per burst.
export function onRoomEvent(envelope) {
  const c = envelope && envelope.data;
  if (c && envelope.stream && envelope.stream.startsWith("ci_") && c.status) {
    const arrived = envelope.type === "checkin.created" || envelope.type === "checkin.submitted";
    if (arrived && AWAITS_PEOPLE.includes(c.status)) {
      state.fresh.add(c.id);
      notify(c, openCheckIn);
    } else if (!AWAITS_PEOPLE.includes(c.status)) {
      state.fresh.delete(c.id);
    }
  }
  showFresh();
  // an agent or person the page has not met yet: learn its name first
  const ids = c ? [c.agent_id, c.primary_agent_id, envelope.actor && envelope.actor.id] : [];
  if (ids.some((id) => id && !knows(id)))
    loadNames().catch(() => {}).finally(refreshSoon);
  else
    refreshSoon();
}

// The count of arrivals not looked at yet, in the title.
export function showFresh() {
  document.title = state.fresh.size ? "(" + state.fresh.size + ") Waitroom" : "Waitroom";
}

// One read of the page at a time, so that an older read can never draw over a newer
// one: a call while one runs is answered by the next read, started when it ends (all
// calls meanwhile share it). `live`: because of an event (views that are not live stay
// as they are, unless a caller meanwhile asked for everything).
const refreshing = {
  running: null,
  next: null,
  full: false
};
export function refresh(live = false) {
  if (!live) refreshing.full = true;
  if (!refreshing.running) {
    const full = refreshing.full;
    refreshing.full = false;
    refreshing.running = readAll(!full).finally(() => {
      refreshing.running = null;
    });
    return refreshing.running;
  }
  if (!refreshing.next)
    refreshing.next = refreshing.running.catch(() => {}).then(() => {
      refreshing.next = null;
      return refresh(true);
    });
  return refreshing.next;
}

function refreshSoon() {
  refresh(true).catch(showError);
}

// Reads the rooms, the open view and the open check-in again.
async function readAll(live) {
  const rooms = (await api("GET", "/v1/rooms?limit=500")).data;
  state.rooms = rooms;
  if (!state.room || !rooms.some((r) => r.id === state.room))
    state.room = rooms.length ? rooms[0].id : null;
  renderRooms();
  await renderTab(live);
  if (state.selected) await renderDetail(false);
}

function renderRooms() {
  $("rooms").replaceChildren(...state.rooms.map(
      (r) =>
          el("button", {
            type: "button",
            "aria-current": r.id === state.room ? "true" : "false",
            onclick: () => {
              state.room = r.id;
              state.selected = null;
              $("detail").hidden = true;
              refresh().catch(showError);
            }
          },
             el("span", {}, r.name),
             el("span", {class: "badge", "aria-label": r.pending_count + " waiting"},
                r.pending_count))));
  const room = state.rooms.find((r) => r.id === state.room);
  $("room-title").textContent = room ? room.name : "No rooms you can see";
  $("room-meta").textContent = room ? room.slug + " · default timeout " +
          Math.round(room.default_timeout_ms / 60000) + " min, then " +
          room.default_timeout_action + (room.description ? " · " + room.description : "") :
                                      "";
}

async function renderTab(live) {
  const view = VIEWS[state.tab];
  if (live && !view.live) return;
  if (!state.room && state.tab !== "agents") {
    for (const l of ["queue", "tasks", "history"]) $(l).replaceChildren();
    return;
  }
  await view.render(state.room);
}

function showTab(name) {
  state.tab = name;
  for (const t of document.querySelectorAll("[role=tab]")) {
    const on = t.dataset.tab === name;
    t.setAttribute("aria-selected", String(on));
    t.tabIndex = on ? 0 : -1;
  }
  for (const s of Object.keys(VIEWS)) $("tab-" + s).hidden = s !== name;
  refresh().catch(showError);  // through the one queue of reads: never drawn over by an older one
}

// Opens a check-in by id, in its room (a notification or a link `#ci_…`).
export async function openCheckIn(id) {
  try {
    const c = (await api("GET", "/v1/check-ins/" + id)).data;
    if (state.room !== c.room_id) {
      state.room = c.room_id;
      await refresh();
    }
    await select(id);
  } catch (e) {
    notice(e.status === 404 ? "No check-in " + id + " that you can see." : e.message);
  }
}

// The tab buttons (arrow keys move between them, as in any tab list) and the new-task form.
export function initRoomView() {
  const tabs = [...document.querySelectorAll("[role=tab]")];
  for (const b of tabs) {
    b.addEventListener("click", () => showTab(b.dataset.tab));
    b.addEventListener("keydown", (e) => {
      const step = {ArrowRight: 1, ArrowLeft: -1}[e.key];
      if (!step) return;
      const next = tabs[(tabs.indexOf(b) + step + tabs.length) % tabs.length];
      next.focus();
      showTab(next.dataset.tab);
    });
  }

  $("new-task").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    const body = {action: f.action.value.trim(), risk_level: f.risk_level.value};
    if (f.reason.value.trim()) body.reason = f.reason.value.trim();
    try {
      const t = (await api("POST", "/v1/rooms/" + state.room + "/tasks", body)).data;
      f.reset();
      notice("Task posted");
      state.selected = t.id;
      await refresh();
    } catch (e) {
      showError(e);
    }
  });
}
