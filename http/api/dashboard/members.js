// Room members and their roles. A room without members is open to the whole
// organization; once it has any, only they (and admins) act in it.
import {api} from "./api.js";
import {$, attempt, el, notice, table} from "./dom.js";
import {when} from "./format.js";
import {everyone, nameOf} from "./names.js";
import {state} from "./state.js";

const ROLES = ["approver", "viewer", "agent"];

export async function renderMembers() {
  const room = state.room;
  const r = await api("GET", "/v1/rooms/" + room + "/members?limit=500");
  if (room !== state.room) return;
  $("members-open").hidden = r.data.length > 0;
  $("members").replaceChildren(table(
      "Members of this room", ["who", "kind", "role", "since", ""],
      r.data.map(
          (m) =>
              [nameOf(m.principal_id), m.kind, m.role, when(m.since),
               el("button", {
                 type: "button",
                 class: "danger",
                 "aria-label": "Remove " + nameOf(m.principal_id),
                 onclick: async () => {
                   if (await attempt(
                           $("members-error"),
                           () =>
                               api("DELETE", "/v1/rooms/" + room + "/members/" + m.principal_id))) {
                     notice("Removed");
                     renderMembers();
                   }
                 }
               },
                  "Remove")]),
      "No members: everyone in the organization may act here."));
  const pick = $("member-principal");
  const chosen = pick.value;
  pick.replaceChildren(...everyone().map(
      (p) =>
          el("option", {value: p.id}, p.name + (p.kind === "agent" ? " (agent)" : " (person)"))));
  if (chosen) pick.value = chosen;
}

export function initMembers() {
  $("member-role").replaceChildren(...ROLES.map((r) => el("option", {}, r)));
  $("new-member").addEventListener("submit", async (e) => {
    e.preventDefault();
    const id = $("member-principal").value;
    if (await attempt(
            $("members-error"), () => api("PUT", "/v1/rooms/" + state.room + "/members/" + id, {
                                  role: $("member-role").value
                                }))) {
      notice(nameOf(id) + " is " + $("member-role").value);
      renderMembers();
    }
  });
}
