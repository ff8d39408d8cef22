// Names instead of ids: the organization's agents (with their platform) and people,
// read at sign-in and again when an id turns up that the page does not know yet.
import {api} from "./api.js";

const names = new Map();  // id -> {kind, name, platform?}
let loading = null;

export function loadNames() {
  if (loading) return loading;
  loading = Promise.all([api("GET", "/v1/agents?limit=500"), api("GET", "/v1/users?limit=500")])
                .then(([agents, users]) => {
                  for (const a of agents.data)
                    names.set(a.id, {kind: "agent", name: a.name, platform: a.platform || ""});
                  for (const u of users.data) names.set(u.id, {kind: "user", name: u.name});
                })
                .finally(() => {
                  loading = null;
                });
  return loading;
}

export function knows(id) {
  return names.has(id);
}

// The name of a user or agent, or its id while the page does not know it.
export function nameOf(id) {
  const n = names.get(id);
  return n ? n.name : id;
}

export function platformOf(id) {
  const n = names.get(id);
  return n && n.platform ? n.platform : "";
}

// Every agent and person the page knows, by name: {id, kind, name, platform?}.
export function everyone() {
  return [...names].map(([id, n]) => ({id, ...n})).sort((a, b) => a.name.localeCompare(b.name));
}

export function forgetNames() {
  names.clear();
}
