// Live updates: one EventSource on /v1/events for the signed-in person, with the token
// in `?access_token=` (the API takes it on streams only). The browser resumes with
// Last-Event-ID by itself after a dropped connection; a stream the server refused or
// closed is opened again from the last seq seen. While the stream is up nothing polls;
// while it is down the page reads the API every REFRESH_MS and says so in the header.
import {$} from "./dom.js";
import {REFRESH_MS, state} from "./state.js";

// The room events of API.md "Real-time events" (SSE names each by its type).
const ROOM_EVENTS = [
  "checkin.created", "checkin.approved", "checkin.rejected", "checkin.modified", "checkin.expired",
  "checkin.withdrawn", "checkin.claimed", "checkin.released", "checkin.message",
  "checkin.help_requested", "checkin.helper_joined", "checkin.submitted",
  "checkin.approval_recorded", "checkin.extended", "checkin.expiring", "signal.broadcast",
  "room.updated", "room.policy_updated"
];

const live = {
  source: null,
  poll: null,
  reopen: null,
  lastSeq: null,
  changed: null
};

function showStatus(up) {
  const s = $("live");
  s.textContent = up ? "Live" : "Reconnecting…";
  s.className = up ? "live up" : "live down";
}

function startPolling() {
  if (live.poll) return;
  live.poll = setInterval(() => live.changed(null), REFRESH_MS);
}

function stopPolling() {
  clearInterval(live.poll);
  live.poll = null;
}

function open() {
  let url = "/v1/events?access_token=" + encodeURIComponent(state.token);
  if (live.lastSeq !== null) url += "&since=" + live.lastSeq;
  const source = new EventSource(url);
  live.source = source;
  source.addEventListener("open", () => {
    showStatus(true);
    stopPolling();
    live.changed(null);  // catch up on anything missed while down
  });
  source.addEventListener("error", () => {
    showStatus(false);
    startPolling();
    if (source.readyState === EventSource.CLOSED && live.source === source) {
      live.changed(null);  // refused (a revoked token?): the API says why at once
      clearTimeout(live.reopen);
      live.reopen = setTimeout(() => {
        if (live.source === source) open();
      }, REFRESH_MS);
    }
  });
  for (const type of ROOM_EVENTS) {
    source.addEventListener(type, (m) => {
      live.lastSeq = m.lastEventId || live.lastSeq;
      let envelope = null;
      try {
        envelope = JSON.parse(m.data);
      } catch { /* a refresh reads it anyway */
      }
      live.changed(envelope);
    });
  }
}

// Calls `changed(envelope)` for every room event (null: read everything again).
export function startLive(changed) {
  stopLive();
  live.changed = changed;
  showStatus(false);
  startPolling();  // until the stream is open
  open();
}

export function stopLive() {
  if (live.source) live.source.close();
  live.source = null;
  live.lastSeq = null;
  clearTimeout(live.reopen);
  stopPolling();
}
