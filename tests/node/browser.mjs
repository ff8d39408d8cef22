// What the browser tests share: Debian's Chromium through playwright-core, a REST
// client for the same server, a signed-in page whose console errors fail the test,
// axe-core's accessibility check, and screenshots written for people to look at.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { OWNER } from "./server.mjs";

/** Debian's Chromium (`scripts/deps.sh --test`), or CHROMIUM: a path or a name on PATH. */
function chromiumPath() {
  const wanted = process.env.CHROMIUM || "chromium";
  if (wanted.includes("/")) return wanted;
  for (const dir of (process.env.PATH || "").split(":")) {
    const candidate = join(dir, wanted);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${wanted} is not on PATH: run make deps-test (or set CHROMIUM)`);
}

export function launch() {
  return chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] });
}

/** `rest(method, path, body, token)` → {status, json}; `ok(...)` → data, or fails. */
export function restClient(base) {
  async function rest(method, path, body, token = OWNER) {
    const res = await fetch(base + path, {
      method,
      headers: { Authorization: "Bearer " + token, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: await res.json() };
  }
  async function ok(method, path, body, token) {
    const r = await rest(method, path, body, token);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json.data;
  }
  return { rest, ok };
}

/**
 * A page with `token` signed in; console errors and page errors (a CSP violation
 * included) fail the test that opened it. `options` are Playwright context options;
 * `init` (optional: a function, or [function, argument]) runs in the page before its
 * scripts.
 */
export async function signIn(browser, base, t, token = OWNER, options = {}, init = null) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  if (init) await (Array.isArray(init) ? page.addInitScript(init[0], init[1]) : page.addInitScript(init));
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error" && !/status of 40[0-9]/.test(m.text())) problems.push(m.text()); });
  page.on("pageerror", (e) => problems.push(String(e)));
  t.after(async () => {
    await context.close();
    assert.deepEqual(problems, [], "console or page errors");
  });
  await page.goto(base + "/");
  await page.getByLabel("Token", { exact: true }).fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("#app").waitFor();
  await page.locator("#rooms button").first().waitFor();
  return page;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core on the page as it is (WCAG 2.x A and AA rules): its serious and critical violations. */
export async function seriousViolations(page) {
  // evaluated over the DevTools protocol: the page's CSP (no inline script) stays as it is
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`);
}

/** Writes a screenshot to build/tests/node/screenshots/NAME.png (CI keeps it as an artifact). */
export async function screenshot(page, name) {
  const dir = join(process.cwd(), "screenshots");
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, name + ".png") });
}
