// The room's policy as a form (rules, trust thresholds, default action) and as JSON.
// The API validates it: its error, naming the field, is shown and nothing is saved.
import {api} from "./api.js";
import {$, attempt, el, notice} from "./dom.js";
import {RISK_ORDER} from "./format.js";
import {state} from "./state.js";

const RISKS = [...RISK_ORDER].reverse();  // low … critical, as people read a scale
const EFFECTS = ["forbid", "auto_approve"];
const DEFAULTS = ["require_approval", "auto_approve", "forbid"];
const LISTS = ["risk_level", "urgency", "agent"];  // the any-of conditions

const list = (text) => text.split(",").map((t) => t.trim()).filter(Boolean);

function ruleRow(rule) {
  const w = rule.when || {};
  const field = (name, label, value, attrs = {}) =>
      el("label", {}, label, el("input", {name, value: value || "", ...attrs}));
  const row = el(
      "fieldset", {class: "rule"}, el("legend", {}, "Rule " + (rule.id || "(new)")),
      field("id", "Id", rule.id, {required: true, maxlength: "100"}),
      el("label", {}, "Effect",
         el("select", {name: "effect"},
            ...EFFECTS.map((e) => el("option", {selected: e === rule.effect}, e)))),
      field("action", "Action glob (* and ?)", w.action),
      field("action_regex", "Action regex (RE2)", w.action_regex),
      ...LISTS.map(
          (k) => field(
              k, k.replace("_", " ") + " (any of, comma-separated)", (w[k] || []).join(", "))),
      el("label", {}, "Metadata (JSON object: every key must equal)",
         el("textarea", {name: "metadata", rows: "2"},
            w.metadata ? JSON.stringify(w.metadata) : "")),
      el("button", {type: "button", class: "danger", onclick: () => row.remove()}, "Remove rule"));
  return row;
}

// The form as a policy object; a metadata field that is not JSON throws.
function fromForm() {
  const rules = [...$("policy-rules").querySelectorAll("fieldset.rule")].map((f) => {
    const v = (n) => f.elements[n].value.trim();
    const when = {};
    if (v("action")) when.action = v("action");
    if (v("action_regex")) when.action_regex = v("action_regex");
    for (const k of LISTS)
      if (list(v(k)).length) when[k] = list(v(k));
    if (v("metadata")) {
      try {
        when.metadata = JSON.parse(v("metadata"));
      } catch {
        throw new Error("Rule " + (v("id") || "(new)") + ": metadata is not JSON.");
      }
    }
    return {id: v("id"), effect: f.elements.effect.value, when};
  });
  const trust_thresholds = {};
  for (const r of RISKS) {
    const v = $("threshold-" + r).value.trim();
    trust_thresholds[r] = v === "" ? null : Number(v);
  }
  return {rules, trust_thresholds, default_action: $("policy-default").value};
}

function show(policy) {
  $("policy-default")
      .replaceChildren(
          ...DEFAULTS.map((d) => el("option", {selected: d === policy.default_action}, d)));
  for (const r of RISKS) {
    const t = policy.trust_thresholds[r];
    $("threshold-" + r).value = t === null || t === undefined ? "" : String(t);
  }
  $("policy-rules").replaceChildren(...policy.rules.map(ruleRow));
  $("policy-json").value = JSON.stringify(policy, null, 2);
}

export async function renderPolicy() {
  const room = state.room;
  const r = await api("GET", "/v1/rooms/" + room + "/policy");
  if (room !== state.room) return;
  // someone editing keeps their edits; the live stream says when it changed
  if ($("tab-policy").contains(document.activeElement)) return;
  show(r.data);
}

async function save(policy) {
  const r = await attempt(
      $("policy-error"),
      async () =>
          api("PUT", "/v1/rooms/" + state.room + "/policy",
              typeof policy === "function" ? policy() : policy));
  if (!r) return;
  show(r.data);
  notice("Policy saved");
}

export function initPolicy() {
  $("policy-thresholds")
      .replaceChildren(...RISKS.map((r) => el("label", {class: "inline"}, r, el("input", {
                                                id: "threshold-" + r,
                                                type: "number",
                                                min: "0",
                                                max: "100",
                                                step: "0.1",
                                                placeholder: "never"
                                              }))));
  $("policy-add-rule")
      .addEventListener(
          "click", () => $("policy-rules").append(ruleRow({effect: "forbid", when: {}})));
  $("policy-form").addEventListener("submit", (e) => {
    e.preventDefault();
    save(fromForm);
  });
  $("policy-json-form").addEventListener("submit", (e) => {
    e.preventDefault();
    let policy;
    try {
      policy = JSON.parse($("policy-json").value);
    } catch (err) {
      $("policy-error").textContent = "The JSON does not parse: " + err.message;
      return;
    }
    save(policy);
  });
}
