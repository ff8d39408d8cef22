// Signals: what was broadcast to the room's agents, and sending one.
import {api} from "./api.js";
import {$, attempt, el, notice, table} from "./dom.js";
import {when, who} from "./format.js";
import {state} from "./state.js";

export async function renderSignals() {
  const room = state.room;
  const r = await api("GET", "/v1/rooms/" + room + "/signals?limit=100");
  if (room !== state.room) return;
  $("signals").replaceChildren(table(
      "Signals of this room, newest first", ["type", "payload", "by", "at"],
      r.data.map(
          (s) =>
              [s.type, el("code", {}, JSON.stringify(s.payload)), who(s.by), when(s.created_at)]),
      "No signals yet."));
}

export function initSignals() {
  $("new-signal").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = e.target;
    const body = {type: f.type.value.trim()};
    if (f.payload.value.trim()) {
      try {
        body.payload = JSON.parse(f.payload.value);
      } catch {
        $("new-signal-error").textContent = "The payload is not JSON.";
        return;
      }
    }
    if (await attempt(
            $("new-signal-error"),
            () => api("POST", "/v1/rooms/" + state.room + "/signal", body))) {
      f.reset();
      notice("Signal sent");
      renderSignals();
    }
  });
}
