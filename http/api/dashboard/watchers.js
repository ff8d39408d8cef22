// Watchers of the room: their webhooks, the deliveries log of each, redeliver, stop,
// and adding one (its signing secret is shown once).
import {api} from "./api.js";
import {$, attempt, el, notice, shownOnce, table} from "./dom.js";
import {when, who} from "./format.js";
import {state} from "./state.js";

async function deliveries(w, into) {
  const r = await attempt(
      $("watchers-error"), () => api("GET", "/v1/watchers/" + w.id + "/deliveries?limit=100"));
  if (!r) return;
  into.replaceChildren(table(
      "Deliveries of " + w.webhook_url,
      ["at", "event", "seq", "attempt", "HTTP", "latency", "error", ""],
      r.data.map(
          (d) =>
              [el("span", {title: d.at}, when(d.at)), d.event_type, String(d.seq),
               String(d.attempt), d.status ? String(d.status) : "—", d.latency_ms + " ms",
               d.error || "",
               el("button", {
                 type: "button",
                 onclick: async () => {
                   if (await attempt(
                           $("watchers-error"),
                           () =>
                               api("POST",
                                   "/v1/watchers/" + w.id + "/deliveries/" + d.delivery_id +
                                       "/redeliver"))) {
                     notice("Sent again");
                     setTimeout(() => deliveries(w, into), 1000);
                   }
                 }
               },
                  "Redeliver")]),
      "Nothing delivered yet."));
}

function watcherItem(w) {
  const log = el("div", {class: "deliveries"});
  return el(
      "li", {class: "item"},
      el("div", {}, el("strong", {}, w.webhook_url), " ",
         el("span", {class: "status status-" + w.status}, w.status)),
      el("div", {class: "meta"},
         (w.event_types.length ? w.event_types.join(", ") : "every event") +
             (Object.keys(w.filter || {}).length ? " · filter " + JSON.stringify(w.filter) : "") +
             " · by " + who(w.created_by) + " · " + when(w.created_at)),
      el("div", {class: "row"},
         el("button", {type: "button", onclick: () => deliveries(w, log)}, "Deliveries"),
         w.status === "active" ? el("button", {
           type: "button",
           class: "danger",
           onclick: async () => {
             if (!confirm("Stop deliveries to " + w.webhook_url + "?")) return;
             if (await attempt($("watchers-error"), () => api("DELETE", "/v1/watchers/" + w.id))) {
               notice("Watcher stopped");
               renderWatchers();
             }
           }
         },
                                    "Stop") :
                                 null),
      log);
}

export async function renderWatchers() {
  const room = state.room;
  const r = await api("GET", "/v1/rooms/" + room + "/watchers?limit=200");
  if (room !== state.room) return;
  $("watchers").replaceChildren(...(r.data.length ? r.data.map(watcherItem) : [
    el("li", {class: "empty"}, "No watchers.")
  ]));
}

export function initWatchers() {
  $("new-watcher").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = e.target;
    const body = {webhook_url: f.webhook_url.value.trim()};
    const types = f.event_types.value.split(",").map((t) => t.trim()).filter(Boolean);
    if (types.length) body.event_types = types;
    if (f.secret.value) body.secret = f.secret.value;
    const r = await attempt(
        $("new-watcher-error"), () => api("POST", "/v1/rooms/" + state.room + "/watch", body));
    if (!r) return;
    f.reset();
    $("new-watcher-secret").replaceChildren(shownOnce("Signing secret", r.data.secret));
    await renderWatchers();
  });
}
