// One check-in or task: its facts, the agent's trust and history here, the decision
// form, more time, the thread.
import {agentFacts, earlierList, trustLine} from "./agent.js";
import {api, ApiError} from "./api.js";
import {$, el, notice} from "./dom.js";
import {deadline, progress, WAITING, when, who} from "./format.js";
import {nameOf, platformOf} from "./names.js";
import {refresh, showFresh} from "./rooms.js";
import {showError} from "./session.js";
import {state} from "./state.js";
import {diffView, jsonTree, shallowChanges} from "./tree.js";

export async function select(id) {
  state.selected = id;
  state.fresh.delete(id);
  showFresh();
  for (const li of document.querySelectorAll("ul.cards li")) {
    li.setAttribute("aria-current", String(li.dataset.id === id));
    if (li.dataset.id === id) li.classList.remove("fresh");
  }
  await renderDetail(true).catch(showError);
}

// Renders started: reads finish in any order, and only the newest may draw.
const renders = {
  started: 0
};

// Re-rendering would throw away what the person is typing: refresh only when the
// check-in changed, or when asked.
export async function renderDetail(force) {
  const id = state.selected;
  const turn = ++renders.started;
  const [c, messages, participants] = await Promise.all([
    api("GET", "/v1/check-ins/" + id), api("GET", "/v1/check-ins/" + id + "/messages?limit=500"),
    api("GET", "/v1/check-ins/" + id + "/participants")
  ]);
  const agent = c.data.direction === "human_to_agent" ? c.data.primary_agent_id : c.data.agent_id;
  const facts = agent ? await agentFacts(agent, c.data.room_id, id) : null;
  // A later render (another check-in chosen, or a newer read) has the last word.
  if (turn !== renders.started || id !== state.selected) return;
  const d = $("detail");
  // typing, or edits not sent yet (a changed modification, a reason, a message)
  const busy = (d.contains(document.activeElement) &&
                /INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName)) ||
      d.querySelector("textarea[name=modifications][data-changed=true]") !== null ||
      [...d.querySelectorAll("input[name=reason], textarea[name=content]")].some(
          (f) => f.value.trim() !== "");
  const version = c.data.version + ":" + messages.data.length + ":" +
      (facts && facts.trust ? facts.trust.score + ":" + facts.earlier.length : "");
  // a draft is kept until the check-in's status moves (then the draft has no use); the
  // thread still shows what arrives
  const kept = busy && d.dataset.status === c.data.status;
  if (!force && d.dataset.id === id && (kept || d.dataset.version === version)) {
    const thread = d.querySelector("ul.thread");
    if (kept && thread && d.dataset.version !== version) {
      thread.replaceWith(threadList(messages.data));
      d.dataset.version = version;
    }
    return;
  }
  d.dataset.id = id;
  d.dataset.version = version;
  d.dataset.status = c.data.status;
  d.hidden = false;
  d.replaceChildren(
      ...detailView(c.data, messages.data, participants.data, facts).flat().filter((n) => n));
}

function detailView(c, messages, participants, facts) {
  const task = c.direction === "human_to_agent";
  const decidable = (!task && c.status === "pending") || (task && c.status === "in_review");
  const out = [
    el("button", {type: "button", class: "back", onclick: closeDetail}, "← Back"),
    el("h2", {}, (task ? "Task: " : "") + c.action),
    el("div", {class: "status-line"}, el("span", {class: "status status-" + c.status}, c.status)),
    el("dl", {}, el("dt", {}, "id"), el("dd", {}, c.id), el("dt", {}, task ? "posted by" : "agent"),
       el("dd", {}, task ? who(c.created_by) : agentLine(c.agent_id)),
       task ?
           [
             el("dt", {}, "primary agent"),
             el("dd", {}, c.primary_agent_id ? agentLine(c.primary_agent_id) : "—"),
             el("dt", {}, "helpers"), el("dd", {}, c.helpers.map(nameOf).join(", ") || "—")
           ] :
           null,
       facts ? [el("dt", {}, "trust here"), el("dd", {}, trustLine(facts.trust))] : null,
       el("dt", {}, "reason"), el("dd", {}, c.reason || "—"), el("dt", {}, "risk · urgency"),
       el("dd", {}, c.risk_level + " · " + c.urgency), el("dt", {}, "created"),
       el("dd", {}, c.created_at + " (" + when(c.created_at) + ")"),
       WAITING.includes(c.status) ? [el("dt", {}, "expires"), el("dd", {}, deadline(c))] : null,
       // progress matters while it is being decided, and with several approvers
       c.status === "pending" || c.decision_progress.required > 1 ?
           [el("dt", {}, "approvals"), el("dd", {}, progress(c))] :
           null,
       c.decision ?
           [
             el("dt", {}, "decision"),
             el("dd", {},
                c.decision.outcome + " by " + who(c.decision.by) +
                    (c.decision.reason ? ": " + c.decision.reason : ""))
           ] :
           null),
    Object.keys(c.metadata).length ?
        [el("h3", {}, "Metadata"), el("div", {class: "json"}, jsonTree(c.metadata))] :
        null,
    c.modifications ?
        [el("h3", {}, "Modifications"), el("div", {class: "json"}, jsonTree(c.modifications))] :
        null,
  ];
  const decision = decidable ? decisionForm(c) : null;
  if (decision) out.push(decision.form);
  if (["pending", "open"].includes(c.status) && c.expires_at) {
    out.push(
        el("div", {class: "row"}, el("span", {class: "meta"}, "More time:"),
           ...[["15 min", 900000], ["1 h", 3600000], ["1 day", 86400000]].map(
               ([label, ms]) =>
                   el("button", {
                     type: "button",
                     onclick: () => act(c.id, "extend", {by_ms: ms}, "Extended by " + label)
                   },
                      "+" + label))));
  }
  if (task && c.status === "open") {
    out.push(
        el("div", {class: "row"},
           el("button", {
             type: "button",
             class: "danger",
             onclick: () => act(c.id, "withdraw", {}, "Task withdrawn")
           },
              "Withdraw task")));
  }
  if (facts)
    out.push(
        el("h3", {},
           "Earlier check-ins of " + nameOf(task ? c.primary_agent_id : c.agent_id) + " here"),
        earlierList(facts.earlier, select));
  out.push(
      el("h3", {}, "Thread"), threadList(messages), commentForm(c.id),
      el("div", {class: "meta"},
         "participants: " +
             participants.map((p) => p.role + " " + p.kind + " " + p.id).join(", ")));
  if (decision) out.push(decision.bar);
  return out;
}

// The thread's messages, oldest first.
function threadList(messages) {
  return el(
      "ul", {class: "thread"},
      ...messages.map(
          (m) =>
              el("li", {class: m.author.kind === "system" ? "system" : ""},
                 el("div", {class: "meta"},
                    m.type + " · " + who(m.author) + " · " + when(m.created_at)),
                 el("div", {}, m.content),
                 ...m.attachments.map(
                     (a) => el(
                         "div", {class: "meta"}, "attachment: " + a.name + " <" + a.url + ">")))));
}

function decisionForm(c) {
  const reason = el("input", {name: "reason", maxlength: "2000"});
  // The editor starts from the metadata; what differs from it is the modification.
  const start = JSON.stringify(c.metadata, null, 2);
  const mods = el("textarea", {
    name: "modifications",
    spellcheck: "false",
    rows: String(Math.min(14, start.split("\n").length + 1)),
    "aria-describedby": "modify-diff"
  });
  mods.value = start;
  const diff = el("div", {id: "modify-diff", "aria-live": "polite"});
  const error = el("p", {class: "error", role: "alert"});
  const edited = () => {
    try {
      const v = JSON.parse(mods.value);
      return v && typeof v === "object" && !Array.isArray(v) ? v : null;
    } catch {
      return null;
    }
  };
  const showDiff = () => {
    const v = edited();
    const changes = v ? shallowChanges(c.metadata, v) : {};
    mods.dataset.changed = String(Object.keys(changes).length > 0);
    diff.replaceChildren(
        v ? diffView(c.metadata, changes) : el("p", {class: "error"}, "Not a JSON object yet."));
  };
  mods.addEventListener("input", showDiff);
  mods.addEventListener("keydown", (e) => {
    if (e.key === "Escape") mods.blur();  // back to the keys: m sends
  });
  showDiff();
  const send = async (verb) => {
    error.textContent = "";
    const body = {};
    if (reason.value.trim()) body.reason = reason.value.trim();
    if (verb === "modify") {
      const v = edited();
      if (!v) {
        error.textContent = "Modifications must be a JSON object.";
        return;
      }
      body.modifications = shallowChanges(c.metadata, v);
      if (!Object.keys(body.modifications).length) {
        error.textContent =
            "Change the JSON first: the modification is what differs from the metadata.";
        return;
      }
    }
    await act(
        c.id, verb, body, {approve: "Approved", reject: "Rejected", modify: "Modified"}[verb],
        error);
  };
  // The buttons are a bar of their own at the end of the pane, kept at its bottom edge:
  // on a phone they stay in reach however far the person scrolls.
  const form =
      el("form", {class: "decision", onsubmit: (e) => e.preventDefault()}, el("h3", {}, "Decide"),
         el("label", {}, "Reason (optional)", reason),
         el("label", {}, "Modify: edit the metadata (the changed keys are sent)", mods),
         el("div", {class: "meta"}, "What Modify sends:"), diff, error);
  const bar = el(
      "div", {class: "row decision-bar", role: "group", "aria-label": "Decide"},
      el("button", {type: "button", class: "primary", onclick: () => send("approve")}, "Approve"),
      el("button", {type: "button", onclick: () => send("modify")}, "Modify"),
      el("button", {type: "button", class: "danger", onclick: () => send("reject")}, "Reject"));
  return {form, bar};
}

// An agent as people know it: its name, its platform, and its id to look up.
function agentLine(id) {
  const platform = platformOf(id);
  return nameOf(id) + (platform ? " (" + platform + ")" : "") + " · " + id;
}

// Back to the list (on a phone the pane is a screen of its own).
function closeDetail() {
  state.selected = null;
  $("detail").hidden = true;
  for (const li of document.querySelectorAll("ul.cards li"))
    li.setAttribute("aria-current", "false");
}

function commentForm(id) {
  const type =
      el("select", {name: "type", "aria-label": "Message type"},
         ...["comment", "question", "escalation"].map((t) => el("option", {}, t)));
  const content = el("textarea", {name: "content", maxlength: "10000", "aria-label": "Message"});
  return el(
      "form", {
        class: "comment",
        onsubmit: async (e) => {
          e.preventDefault();
          if (!content.value.trim()) return;
          try {
            await api(
                "POST", "/v1/check-ins/" + id + "/messages",
                {type: type.value, content: content.value});
            content.value = "";
            await renderDetail(true);
          } catch (err) {
            showError(err);
          }
        }
      },
      content, el("div", {class: "row"}, type, el("button", {type: "submit"}, "Post")));
}

async function act(id, verb, body, done, errorEl) {
  try {
    await api("POST", "/v1/check-ins/" + id + "/" + verb, body);
    notice(done);
    await refresh();
    await renderDetail(true);
  } catch (e) {
    if (errorEl && !(e instanceof ApiError && e.status === 401))
      errorEl.textContent = e.message;
    else
      showError(e);
  }
}
