// The dashboard (`GET /`) end to end: the real server on a loopback port, Debian's
// Chromium driven by playwright-core, agents acting over the REST API, and every
// decision taken in the page checked over the REST API again.
//
// Run by ctest (tests/node/CMakeLists.txt) with WAITROOM_BIN and CHROMIUM set.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { launch, restClient, signIn } from "./browser.mjs";
import { vapidKeys } from "./push_service.mjs";
import { OWNER, startServer } from "./server.mjs";

let server, base, browser, rest, ok;

/// A signed-in page (console and page errors fail the test that opened it).
const signedIn = (t, token = OWNER, options = {}) => signIn(browser, base, t, token, options);

before(async () => {
  server = await startServer(vapidKeys().args);  // with VAPID keys: the page offers Web Push
  base = server.base;
  ({ rest, ok } = restClient(base));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe("dashboard", () => {
  let agentKey, agentId;
  before(async () => {
    const a = await ok("POST", "/v1/agents/register", { name: "deploy-bot", platform: "ci" });
    agentKey = a.api_key;
    agentId = a.agent.id;
  });

  test("is served with a strict content security policy", async () => {
    const res = await fetch(base + "/");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type"), /^text\/html/);
    const csp = res.headers.get("content-security-policy");
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self';/);
    assert.match(csp, /style-src 'self';/);
    assert.doesNotMatch(csp, /unsafe-inline|sha256-/);
    assert.match(csp, /frame-ancestors 'none'/);
    // no inline script or style at all: every script and sheet is a file of the server
    const page = await res.text();
    assert.doesNotMatch(page, /<script(?![^>]*\ssrc=)[^>]*>/);
    assert.doesNotMatch(page, /<style|\sstyle=|\son[a-z]+=/);
    const files = [...page.matchAll(/(?:src|href)="(\/dashboard\/[^"]+)"/g)].map((m) => m[1]);
    assert.ok(files.includes("/dashboard/main.js") && files.includes("/dashboard/app.css"));
    for (const f of files) {
      const r = await fetch(base + f);
      assert.equal(r.status, 200, f);
      assert.match(r.headers.get("content-type"), f.endsWith(".js") ? /^text\/javascript/ : /^text\/css/);
      assert.equal(r.headers.get("content-security-policy"), csp);
      assert.equal(r.headers.get("x-content-type-options"), "nosniff");
    }
    const missing = await fetch(base + "/dashboard/nothing.js");
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error.code, "NOT_FOUND");
  });

  test("refuses unknown tokens and agent keys", async (t) => {
    const context = await browser.newContext();
    t.after(() => context.close());
    const page = await context.newPage();
    await page.goto(base + "/");
    await page.getByLabel("Token", { exact: true }).fill("wrh_" + "x".repeat(32));
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Unknown or revoked token.").waitFor();
    await page.getByLabel("Token", { exact: true }).fill(agentKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("this dashboard is for people").waitFor();
    assert.equal(await page.locator("#app").isHidden(), true);
  });

  test("a person modifies, rejects and approves what agents ask", async (t) => {
    const asked = [];
    for (const action of ["deploy v2.3.1 to production", "drop the staging database", "rotate the API keys"])
      asked.push(await ok("POST", "/v1/rooms/general/check-in",
        { action, risk_level: "high", reason: "release train", metadata: { version: "2.3.1" } }, agentKey));
    const page = await signedIn(t);
    const queue = page.locator("#queue");
    for (const c of asked) await queue.getByText(c.action).waitFor();

    // a new arrival is "just now" (not "in 0 s")
    assert.match(await queue.locator("li", { hasText: "rotate the API keys" }).textContent(), /just now/);
    // modify: staging first
    await queue.getByText("deploy v2.3.1 to production").click();
    const detail = page.locator("#detail");
    await detail.getByRole("heading", { name: "deploy v2.3.1 to production" }).waitFor();
    // the person sees the version they are deciding on, as a tree, and no stray text
    assert.equal(await detail.locator(".json .tree li").first().textContent(), 'version: "2.3.1"');
    let text = await detail.textContent();
    assert.doesNotMatch(text, /\[object |null/);
    assert.match(text, /expires.*then cancel/s);
    assert.match(text, /approvals0 of 1/);
    // the editor starts from the metadata, and shows what Modify would send as a diff
    const editor = detail.getByLabel("Modify: edit the metadata");
    assert.deepEqual(JSON.parse(await editor.inputValue()), { version: "2.3.1" });
    await detail.getByText("No change from the metadata yet.").waitFor();
    await detail.getByRole("button", { name: "Modify" }).click();
    await detail.getByText("Change the JSON first").waitFor();
    await editor.fill('{"version": "2.3.0", "environment": "staging"}');
    assert.deepEqual(await detail.locator("pre.diff div").allTextContents(),
      ['- version: "2.3.1"', '+ version: "2.3.0"', '+ environment: "staging"']);
    await editor.fill('{"version": "2.3.1", "environment": "staging"}');
    assert.deepEqual(await detail.locator("pre.diff div").allTextContents(), ['+ environment: "staging"']);
    await detail.getByLabel("Reason").fill("staging first");
    await detail.getByRole("button", { name: "Modify" }).click();
    await detail.locator(".status-line .status", { hasText: "modified" }).waitFor();
    // decided: the change asked for shows, the deadline and the progress do not
    await detail.locator(".json").nth(1).getByText('environment: "staging"').waitFor();
    text = await detail.textContent();
    assert.doesNotMatch(text, /\[object |null/);
    assert.doesNotMatch(text, /expires|then cancel/);
    assert.doesNotMatch(text, /0 of 1/);
    let c = await ok("GET", "/v1/check-ins/" + asked[0].id);
    assert.equal(c.status, "modified");
    assert.deepEqual(c.modifications, { environment: "staging" });
    assert.equal(c.decision.reason, "staging first");
    assert.equal(c.decision.by.kind, "user");

    // a modification that is not a JSON object is refused in the page, nothing is sent
    await queue.getByText("drop the staging database").click();
    await detail.getByRole("heading", { name: "drop the staging database" }).waitFor();
    await detail.getByLabel("Modify: edit the metadata").fill("[1, 2]");
    await detail.getByText("Not a JSON object yet.").waitFor();
    await detail.getByRole("button", { name: "Modify" }).click();
    await detail.getByText("Modifications must be a JSON object.").waitFor();
    assert.equal((await ok("GET", "/v1/check-ins/" + asked[1].id)).status, "pending");

    await detail.getByRole("button", { name: "Reject" }).click();
    await detail.locator(".status-line .status", { hasText: "rejected" }).waitFor();
    assert.equal((await ok("GET", "/v1/check-ins/" + asked[1].id)).status, "rejected");

    await queue.getByText("rotate the API keys").click();
    await detail.getByRole("heading", { name: "rotate the API keys" }).waitFor();
    await detail.getByRole("button", { name: "Approve" }).click();
    await detail.locator(".status-line .status", { hasText: "approved" }).waitFor();
    c = await ok("GET", "/v1/check-ins/" + asked[2].id);
    assert.equal(c.status, "approved");
    // the queue is empty again
    await queue.getByText("Nothing is waiting.").waitFor();
  });

  test("new check-ins appear without reloading, and threads are read and written", async (t) => {
    const page = await signedIn(t);
    await page.locator("#queue").getByText("Nothing is waiting.").waitFor();
    const c = await ok("POST", "/v1/rooms/general/check-in", { action: "restart the cache" }, agentKey);
    await page.locator("#queue").getByText("restart the cache").waitFor({ timeout: 2000 });
    await page.locator("#queue").getByText("restart the cache").click();
    const detail = page.locator("#detail");
    await detail.getByText("Created with status pending").waitFor();
    await detail.getByLabel("Message", { exact: true }).fill("Which cluster?");
    await detail.getByLabel("Message type").selectOption("question");
    await detail.getByRole("button", { name: "Post" }).click();
    await detail.getByText("Which cluster?").waitFor();
    const messages = (await rest("GET", `/v1/check-ins/${c.id}/messages`)).json.data;
    const posted = messages.find((m) => m.content === "Which cluster?");
    assert.equal(posted.type, "question");
    assert.equal(posted.author.kind, "user");
    // extend: the deadline moves later
    const before = (await ok("GET", "/v1/check-ins/" + c.id)).expires_at;
    await detail.getByRole("button", { name: "+1 h" }).click();
    await page.getByText("Extended by 1 h").waitFor();
    const later = (await ok("GET", "/v1/check-ins/" + c.id)).expires_at;
    assert.equal(Date.parse(later) - Date.parse(before), 3600000);
    await ok("POST", `/v1/check-ins/${c.id}/withdraw`, {}, agentKey);
  });

  test("is live: changes appear within a second, new arrivals are marked, nothing polls", async (t) => {
    const page = await signedIn(t);
    await page.locator("#live", { hasText: "Live" }).waitFor();
    await page.locator("#queue").getByText("Nothing is waiting.").waitFor();
    // while the stream is up the page asks the API nothing
    const asked = [];
    page.on("request", (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith("/v1/") && path !== "/v1/events") asked.push(path);
    });
    await page.waitForTimeout(6000); // longer than the polling interval of the fallback
    assert.deepEqual(asked, [], "no polling while the stream is up");

    const c = await ok("POST", "/v1/rooms/general/check-in", { action: "flush the CDN" }, agentKey);
    const card = page.locator("#queue li", { hasText: "flush the CDN" });
    await card.waitFor({ timeout: 1000 });
    assert.match(await card.getAttribute("class"), /\bfresh\b/);
    assert.equal(await page.title(), "(1) Waitroom");
    await card.click();
    await page.locator("#detail").getByRole("heading", { name: "flush the CDN" }).waitFor();
    assert.equal(await page.title(), "Waitroom");

    // a decision made elsewhere (here: by the API) shows without a reload
    await ok("POST", `/v1/check-ins/${c.id}/approve`, { reason: "go" });
    await page.locator("#detail .status-line .status", { hasText: "approved" }).waitFor({ timeout: 1000 });
    await page.locator("#queue").getByText("Nothing is waiting.").waitFor({ timeout: 1000 });
  });

  test("a person posts a task, an agent does it, the person approves the result", async (t) => {
    const page = await signedIn(t);
    await page.getByRole("tab", { name: "Tasks" }).click();
    await page.getByLabel("New task for the agents of this room").fill("rotate the staging certificates");
    await page.getByLabel("Details").fill("they expire on Friday");
    await page.getByRole("button", { name: "Post task" }).click();
    await page.locator("#tasks").getByText("Task: rotate the staging certificates").waitFor();
    const tasks = await ok("GET", "/v1/check-ins?room=general&direction=human_to_agent");
    const task = tasks.find((x) => x.action === "rotate the staging certificates");
    assert.equal(task.status, "open");
    assert.equal(task.reason, "they expire on Friday");

    await ok("POST", `/v1/check-ins/${task.id}/claim`, {}, agentKey);
    await ok("POST", `/v1/check-ins/${task.id}/submit`, { content: "all five rotated" }, agentKey);
    await page.getByRole("tab", { name: "Queue" }).click();
    await page.locator("#queue").getByText("Task: rotate the staging certificates").click();
    const detail = page.locator("#detail");
    await detail.getByText("all five rotated").waitFor();
    await detail.getByRole("button", { name: "Approve" }).click();
    await detail.locator(".status-line .status", { hasText: "approved" }).waitFor();
    assert.equal((await ok("GET", "/v1/check-ins/" + task.id)).status, "approved");

    // trust: modify +0.6, reject -0.3, approve +1.0, the live test's approve +1.0, task
    // approve +1.0 (withdrawal: 0)
    await page.getByRole("tab", { name: "Trust" }).click();
    const row = page.locator("#trust tr", { hasText: "deploy-bot" });
    await row.waitFor();
    assert.equal(await row.locator("td").nth(1).textContent(), "18.3");
  });

  test("a viewer sees the queue but the server refuses its decisions", async (t) => {
    const viewer = await ok("POST", "/v1/users", { name: "Vera", email: "vera@example.test", role: "viewer" });
    const c = await ok("POST", "/v1/rooms/general/check-in", { action: "scale the workers" }, agentKey);
    const page = await signedIn(t, viewer.token);
    await page.locator("#queue").getByText("scale the workers").click();
    const detail = page.locator("#detail");
    await detail.getByRole("button", { name: "Approve" }).click();
    await detail.getByText("requires role member or higher").waitFor();
    assert.equal((await ok("GET", "/v1/check-ins/" + c.id)).status, "pending");
    await ok("POST", `/v1/check-ins/${c.id}/withdraw`, {}, agentKey);
  });

  test("what agents write is shown as text, never run as HTML", async (t) => {
    const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    const c = await ok("POST", "/v1/rooms/general/check-in",
      { action: evil, reason: '<b id="bold">not bold</b>', metadata: { note: "<svg onload=alert(1)>" } }, agentKey);
    const page = await signedIn(t);
    await page.locator("#queue").getByText(evil).click();
    await page.locator("#detail").getByRole("heading", { name: evil }).waitFor();
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.equal(await page.locator("#queue img, #detail img, #bold, #detail svg:not(.spark)").count(), 0);
    await ok("POST", `/v1/check-ins/${c.id}/withdraw`, {}, agentKey);
  });

  test("a revoked token signs the person out", async (t) => {
    const member = await ok("POST", "/v1/users", { name: "Max", email: "max@example.test", role: "member" });
    const page = await signedIn(t, member.token);
    await ok("POST", `/v1/users/${member.user.id}/rotate-token`);
    await page.getByText("Your token is no longer valid.").waitFor({ timeout: 10000 });
    assert.equal(await page.locator("#login").isVisible(), true);
  });

  test("shows names, and sorts the queue by time left, then risk", async (t) => {
    const page = await signedIn(t);
    const ask = (action, risk_level, timeout_minutes) =>
      ok("POST", "/v1/rooms/general/check-in", { action, risk_level, timeout_minutes }, agentKey);
    const asked = [await ask("later, low", "low", 120), await ask("later, critical", "critical", 120),
      await ask("soon, low", "low", 30)];
    const queue = page.locator("#queue li");
    await queue.filter({ hasText: "soon, low" }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll("#queue li").length === 3);
    const titles = await queue.locator(".card-title").allTextContents();
    assert.deepEqual(titles, ["soon, low", "later, critical", "later, low"]);
    // people read names, not ids
    const first = queue.first();
    assert.match(await first.textContent(), /from deploy-bot/);
    assert.doesNotMatch(await page.locator("#queue").textContent(), /ag_[a-z0-9]{10}/);
    await first.click();
    const detail = page.locator("#detail");
    await detail.getByText("deploy-bot (ci) · " + agentId).waitFor();
    // the time left counts down on its own
    const left = detail.locator("[data-deadline]");
    assert.match(await left.textContent(), /^in (29|30) min$/);
    for (const c of asked) await ok("POST", `/v1/check-ins/${c.id}/withdraw`, {}, agentKey);
  });

  test("works on a phone: one column, the check-in as its own screen, the buttons in reach", async (t) => {
    const page = await signedIn(t, OWNER, { viewport: { width: 390, height: 844 } });
    const long = { notes: "x".repeat(3000) }; // a detail much taller than the screen
    const c = await ok("POST", "/v1/rooms/general/check-in",
      { action: "scale the workers", metadata: long }, agentKey);
    const card = page.locator("#queue li", { hasText: "scale the workers" });
    await card.waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page is ${width} px wide`);
    assert.ok((await card.boundingBox()).width >= 300);
    await card.click();
    const detail = page.locator("#detail");
    await detail.getByRole("heading", { name: "scale the workers" }).waitFor();
    const pane = await detail.boundingBox();
    assert.deepEqual([pane.x, pane.y, pane.width, pane.height], [0, 0, 390, 844]);
    for (const name of ["Approve", "Modify", "Reject"]) {
      const b = await detail.getByRole("button", { name }).boundingBox();
      assert.ok(b.y >= 0 && b.y + b.height <= 844, `${name} is off screen at y ${b.y}`);
    }
    await detail.getByRole("button", { name: "← Back" }).click();
    await detail.waitFor({ state: "hidden" });
    assert.ok(await card.isVisible());
    await ok("POST", `/v1/check-ins/${c.id}/withdraw`, {}, agentKey);
  });

  test("is worked from the keyboard: j and k move, a approves, r rejects, ? helps", async (t) => {
    const page = await signedIn(t);
    const one = await ok("POST", "/v1/rooms/general/check-in", { action: "key one" }, agentKey);
    const two = await ok("POST", "/v1/rooms/general/check-in", { action: "key two" }, agentKey);
    await page.locator("#queue li", { hasText: "key two" }).waitFor();
    const heading = page.locator("#detail h2");
    await page.keyboard.press("j");
    await heading.filter({ hasText: "key one" }).waitFor();
    await page.keyboard.press("j");
    await heading.filter({ hasText: "key two" }).waitFor();
    await page.keyboard.press("k");
    await heading.filter({ hasText: "key one" }).waitFor();
    await page.keyboard.press("a");
    await page.locator("#detail .status-line .status", { hasText: "approved" }).waitFor();
    assert.equal((await ok("GET", "/v1/check-ins/" + one.id)).status, "approved");
    await page.locator("#queue li", { hasText: "key two" }).click();
    await heading.filter({ hasText: "key two" }).waitFor();
    // a key typed into a field is the field's
    await page.getByLabel("Reason (optional)").fill("r");
    await page.getByLabel("Reason (optional)").press("r");
    assert.equal((await ok("GET", "/v1/check-ins/" + two.id)).status, "pending");
    await page.locator("#detail h2").click();
    await page.keyboard.press("r");
    await page.locator("#detail .status-line .status", { hasText: "rejected" }).waitFor();
    assert.equal((await ok("GET", "/v1/check-ins/" + two.id)).status, "rejected");
    await page.keyboard.press("?");
    await page.getByRole("dialog", { name: "Keyboard" }).waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("dialog", { name: "Keyboard" }).waitFor({ state: "hidden" });
  });
});
