// The rooms, the tabs of a room (queue, tasks, history, trust) and posting a task.
import {api} from "./api.js";
import {renderDetail, select} from "./detail.js";
import {$, el, notice} from "./dom.js";
import {byTimeLeftThenRisk, WAITING, when, who} from "./format.js";
import {knows, loadNames, nameOf} from "./names.js";
import {showError} from "./session.js";
import {state} from "./state.js";

// What waits for a person: an agent's check-in, or a task's result in review.
const AWAITS_PEOPLE = ["pending", "in_review"];

// A room event from the live stream (null: something may have been missed). Marks what
// newly waits for a person, then reads the page's data again, once per burst.
export function onRoomEvent(envelope) {
  const c = envelope && envelope.data;
  if (c && envelope.stream && envelope.stream.startsWith("ci_") && c.status) {
    const arrived = envelope.type === "checkin.created" || envelope.type === "checkin.submitted";
    if (arrived && AWAITS_PEOPLE.includes(c.status))
      state.fresh.add(c.id);
    else if (!AWAITS_PEOPLE.includes(c.status))
      state.fresh.delete(c.id);
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

// One refresh at a time: events that arrive meanwhile ask for one more after it.
const refreshing = {
  running: false,
  again: false
};
function refreshSoon() {
  if (refreshing.running) {
    refreshing.again = true;
    return;
  }
  refreshing.running = true;
  refresh().catch(showError).finally(() => {
    refreshing.running = false;
    if (refreshing.again) {
      refreshing.again = false;
      refreshSoon();
    }
  });
}

export async function refresh() {
  const rooms = (await api("GET", "/v1/rooms?limit=500")).data;
  state.rooms = rooms;
  if (!state.room || !rooms.some((r) => r.id === state.room))
    state.room = rooms.length ? rooms[0].id : null;
  renderRooms();
  await renderTab();
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
             el("span", {class: "badge", title: "waiting"}, r.pending_count))));
  const room = currentRoom();
  $("room-title").textContent = room ? room.name : "No rooms you can see";
  $("room-meta").textContent = room ? room.slug + " · default timeout " +
          Math.round(room.default_timeout_ms / 60000) + " min, then " +
          room.default_timeout_action + (room.description ? " · " + room.description : "") :
                                      "";
}

function currentRoom() {
  return state.rooms.find((r) => r.id === state.room);
}

function card(c) {
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
      el("div", {}, el("span", {class: "card-title"}, title),
         el("span", {class: "status status-" + c.status}, c.status)),
      c.reason ? el("div", {}, c.reason) : null,
      el("div", {class: "meta"},
         el("span", {class: "risk risk-" + c.risk_level}, c.risk_level + " risk"),
         " · " + c.urgency + " · " + by + " · " + when(c.created_at),
         c.expires_at && WAITING.includes(c.status) ?
             [" · expires ", el("span", {"data-deadline": c.expires_at}, when(c.expires_at))] :
             null));
}

function fill(list, items, empty) {
  $(list).replaceChildren(
      ...(items.length ? items.map(card) : [el("li", {class: "empty"}, empty)]));
}

async function renderTab() {
  const room = state.room;
  if (!room) {
    for (const l of ["queue", "tasks", "history"]) $(l).replaceChildren();
    return;
  }
  if (state.tab === "queue") {
    fill(
        "queue",
        (await api("GET", "/v1/rooms/" + room + "/pending?limit=200"))
            .data.sort(byTimeLeftThenRisk),
        "Nothing is waiting.");
  } else if (state.tab === "tasks") {
    fill(
        "tasks",
        (await api("GET", "/v1/check-ins?room=" + room + "&direction=human_to_agent&limit=100"))
            .data,
        "No tasks yet.");
  } else if (state.tab === "history") {
    fill(
        "history", (await api("GET", "/v1/check-ins?room=" + room + "&limit=100")).data,
        "No check-ins yet.");
  } else {
    const rows = (await api("GET", "/v1/rooms/" + room + "/trust?limit=500")).data;
    $("trust").replaceChildren(...rows.map(
        (t) =>
            el("tr", {}, el("td", {title: t.agent_id}, nameOf(t.agent_id)),
               el("td", {}, t.score.toFixed(1)), el("td", {}, t.total_check_ins),
               el("td", {}, t.approved_count), el("td", {}, t.modified_count),
               el("td", {}, t.rejected_count), el("td", {}, t.expired_count))));
  }
}

// The tab buttons and the new-task form.
export function initRoomView() {
  for (const b of document.querySelectorAll("[role=tab]")) {
    b.addEventListener("click", () => {
      state.tab = b.dataset.tab;
      for (const t of document.querySelectorAll("[role=tab]"))
        t.setAttribute("aria-selected", String(t === b));
      for (const s of ["queue", "tasks", "history", "trust"])
        $("tab-" + s).hidden = s !== state.tab;
      renderTab().catch(showError);
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
