// JSON as people read it: a tree of keys and values (objects and lists fold open), and
// the shallow difference between two objects, as a modify sends it.
import {el} from "./dom.js";

// A value as a tree: scalars inline, objects and arrays as nested lists.
export function jsonTree(value) {
  if (value === null || typeof value !== "object")
    return el("span", {class: "json-" + (value === null ? "null" : typeof value)}, scalar(value));
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  if (!entries.length) return el("span", {class: "json-empty"}, Array.isArray(value) ? "[]" : "{}");
  return el(
      "ul", {class: "tree"},
      ...entries.map(
          ([k, v]) => v !== null && typeof v === "object" && Object.keys(v).length ?
              el("li", {},
                 el("details", {open: true}, el("summary", {class: "json-key"}, String(k)),
                    jsonTree(v))) :
              el("li", {}, el("span", {class: "json-key"}, String(k)), ": ", jsonTree(v))));
}

function scalar(v) {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

// What a modify sends to turn `before` into `after`: the keys that changed or were added,
// and a removed key as null (a modification is a shallow merge, API.md "Several
// approvers").
export function shallowChanges(before, after) {
  const out = {};
  for (const [k, v] of Object.entries(after))
    if (!(k in before) || !same(before[k], v)) out[k] = v;
  for (const k of Object.keys(before))
    if (!(k in after)) out[k] = null;
  return out;
}

// The changes as lines of a diff: "- key: old" and "+ key: new".
export function diffView(before, changes) {
  const lines = [];
  for (const [k, v] of Object.entries(changes)) {
    if (k in before)
      lines.push(el("div", {class: "diff-del"}, "- " + k + ": " + JSON.stringify(before[k])));
    if (v !== null || !(k in before))
      lines.push(el("div", {class: "diff-add"}, "+ " + k + ": " + JSON.stringify(v)));
  }
  return lines.length ? el("pre", {class: "diff", "aria-label": "Modification"}, ...lines) :
                        el("p", {class: "meta"}, "No change from the metadata yet.");
}
