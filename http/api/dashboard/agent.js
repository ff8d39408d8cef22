// The agent behind a check-in, as a person deciding wants to know it: its trust in this
// room with the way it has been going, and what it asked here before.
import {api} from "./api.js";
import {el} from "./dom.js";
import {when} from "./format.js";

const SVG = "http://www.w3.org/2000/svg";

// The scores after the last moves as a small line; the title says them all.
export function sparkline(scores) {
  const w = 96, h = 24;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 " + w + " " + h);
  svg.setAttribute("width", w);
  svg.setAttribute("height", h);
  svg.setAttribute("class", "spark");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "trust after its last moves: " + scores.join(", "));
  const lo = Math.min(...scores), hi = Math.max(...scores), span = hi - lo || 1;
  const x = (i) => scores.length === 1 ? w / 2 : 2 + i * (w - 4) / (scores.length - 1);
  const y = (s) => h - 3 - (s - lo) / span * (h - 6);
  const line = document.createElementNS(SVG, "polyline");
  line.setAttribute("points", scores.map((s, i) => x(i) + "," + y(s)).join(" "));
  line.setAttribute("fill", "none");
  line.setAttribute("stroke", "currentColor");
  line.setAttribute("stroke-width", "2");
  svg.append(line);
  return svg;
}

// "18.3 ↑ +2.6 over its last 4 moves" and the line; "15.0 (never moved)" without moves.
export function trustLine(t) {
  if (!t) return "—";
  const scores = t.trend.map((p) => p.score);
  if (!scores.length) return t.score.toFixed(1) + " (has not moved yet)";
  const from = scores.length > 1 ? scores[0] : null;
  const change = from === null ? 0 : t.score - from;
  const arrow = change > 0 ? "↑" : change < 0 ? "↓" : "→";
  return el(
      "span", {class: "trust-line"}, t.score.toFixed(1) + " ",
      el("span", {class: change < 0 ? "trend-down" : "trend-up"},
         arrow + (from === null ? "" : " " + (change >= 0 ? "+" : "") + change.toFixed(1))),
      " over its last " + scores.length + (scores.length === 1 ? " move " : " moves "),
      sparkline(scores));
}

// The agent's trust in the room and its earlier check-ins there (newest first).
export async function agentFacts(agentId, roomId, exceptId) {
  const [trust, earlier] = await Promise.all([
    api("GET", "/v1/agents/" + agentId + "/trust"),
    api("GET",
        "/v1/check-ins?room=" + roomId + "&agent=" + agentId + "&direction=agent_to_human&limit=11")
  ]);
  return {
    trust: trust.data.find((t) => t.room_id === roomId) || null,
    earlier: earlier.data.filter((c) => c.id !== exceptId).slice(0, 10)
  };
}

// The earlier check-ins as a short list; choosing one opens it.
export function earlierList(items, open) {
  if (!items.length) return el("p", {class: "meta"}, "None: this is its first here.");
  return el(
      "ul", {class: "earlier"},
      ...items.map(
          (c) => el(
              "li", {},
              el("button", {type: "button", class: "link", onclick: () => open(c.id)}, c.action),
              " ", el("span", {class: "status status-" + c.status}, c.status),
              el("span", {class: "meta"}, " " + c.risk_level + " risk · " + when(c.created_at)))));
}
