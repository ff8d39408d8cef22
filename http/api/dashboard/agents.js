// The organization's agents: register one (its key is shown once), claim a
// self-registered one with its claim token, rotate a key, deactivate.
import {api} from "./api.js";
import {$, attempt, el, notice, shownOnce, table} from "./dom.js";
import {when} from "./format.js";
import {loadNames} from "./names.js";

function actions(a) {
  if (!a.is_active) return "";
  return el(
      "div", {class: "row"},
      el("button", {
        type: "button",
        "aria-label": "Rotate key of " + a.name,
        onclick: async () => {
          if (!confirm("Rotate the key of " + a.name + "? The old key stops working at once."))
            return;
          const r = await attempt(
              $("agents-error"), () => api("POST", "/v1/agents/" + a.id + "/rotate-key"));
          if (!r) return;
          $("agent-secret").replaceChildren(shownOnce("New key of " + a.name, r.data.api_key));
          renderAgents();
        }
      },
         "Rotate key"),
      el("button", {
        type: "button",
        class: "danger",
        "aria-label": "Deactivate " + a.name,
        onclick: async () => {
          if (!confirm("Deactivate " + a.name + "? Its key is refused from now on.")) return;
          if (await attempt(
                  $("agents-error"), () => api("POST", "/v1/agents/" + a.id + "/deactivate"))) {
            notice(a.name + " deactivated");
            renderAgents();
          }
        }
      },
         "Deactivate"));
}

export async function renderAgents() {
  const r = await api("GET", "/v1/agents?limit=500");
  $("agents").replaceChildren(table(
      "Agents of the organization", ["name", "platform", "status", "key", "last used", ""],
      r.data.map(
          (a) =>
              [el("span", {title: a.id}, a.name), a.platform || "—", a.status,
               el("code", {}, a.key_prefix + "…"), a.last_used_at ? when(a.last_used_at) : "never",
               actions(a)]),
      "No agents yet."));
}

export function initAgents() {
  $("new-agent").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = e.target;
    const body = {name: f.name.value.trim()};
    if (f.platform.value.trim()) body.platform = f.platform.value.trim();
    if (f.description.value.trim()) body.description = f.description.value.trim();
    const r = await attempt($("new-agent-error"), () => api("POST", "/v1/agents/register", body));
    if (!r) return;
    f.reset();
    $("agent-secret").replaceChildren(shownOnce("Key of " + r.data.agent.name, r.data.api_key));
    await loadNames().catch(() => {});
    await renderAgents();
  });
  $("claim-agent").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = e.target;
    const r = await attempt(
        $("claim-agent-error"),
        () => api("POST", "/v1/agents/claim", {claim_token: f.claim_token.value.trim()}));
    if (!r) return;
    f.reset();
    notice(r.data.agent.name + " is now an agent of this organization");
    await loadNames().catch(() => {});
    await renderAgents();
  });
}
