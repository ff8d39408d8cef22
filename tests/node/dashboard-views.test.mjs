// The dashboard's views beyond the queue, end to end in Debian's Chromium: audit (with
// verify and time travel checked against `waitroom replay`), watchers and their
// deliveries, members, policy, agents, signals, queue filters and bulk decisions,
// alerts, Web Push, and every view at 1440×900 and 390×844 checked with axe-core (zero
// serious violations) and written as a screenshot.
//
// Run by ctest (tests/node/CMakeLists.txt) with WAITROOM_BIN and CHROMIUM set.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { launch, restClient, screenshot, seriousViolations, signIn } from "./browser.mjs";
import { browserSubscription, decrypt, pushService, vapidKeys } from "./push_service.mjs";
import { OWNER, startServer } from "./server.mjs";

let server, base, browser, rest, ok, vapid, agentKey, agentId;

const signedIn = (t, options = {}, init = null, token = OWNER) =>
  signIn(browser, base, t, token, options, init);

const ask = (body, room = "general") => ok("POST", `/v1/rooms/${room}/check-in`, body, agentKey);

async function waitFor(pred, ms = 10000) {
  const deadline = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function openTab(page, name) {
  await page.getByRole("tab", { name }).click();
  await page.getByRole("tabpanel", { name }).waitFor();
}

before(async () => {
  vapid = vapidKeys();
  server = await startServer(vapid.args);
  base = server.base;
  ({ rest, ok } = restClient(base));
  browser = await launch();
  const a = await ok("POST", "/v1/agents/register", { name: "deploy-bot", platform: "ci" });
  agentKey = a.api_key;
  agentId = a.agent.id;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe("dashboard views", () => {
  test("the queue filters by risk, agent and kind, and decides chosen low-risk items at once", async (t) => {
    const other = await ok("POST", "/v1/agents/register", { name: "docs-bot" });
    const low1 = await ask({ action: "bump a patch version", risk_level: "low" });
    const low2 = await ok("POST", "/v1/rooms/general/check-in", { action: "fix a typo", risk_level: "low" }, other.api_key);
    const high = await ask({ action: "migrate the database", risk_level: "high" });
    const page = await signedIn(t);
    const queue = page.locator("#queue");
    await queue.getByText("migrate the database").waitFor();
    await page.getByLabel("Risk", { exact: true }).selectOption("high");
    assert.deepEqual(await queue.locator(".card-title").allTextContents(), ["migrate the database"]);
    await page.getByText("1 of 3 waiting").waitFor();
    await page.getByLabel("Risk", { exact: true }).selectOption("");
    await page.getByLabel("Agent", { exact: true }).selectOption({ label: "docs-bot" });
    assert.deepEqual(await queue.locator(".card-title").allTextContents(), ["fix a typo"]);
    await page.getByLabel("Agent", { exact: true }).selectOption("");
    await page.getByLabel("Kind").selectOption("human_to_agent");
    await queue.getByText("Nothing matches these filters.").waitFor();
    await page.getByLabel("Kind").selectOption("");

    // only low-risk check-ins can be chosen
    assert.equal(await queue.locator("li", { hasText: "migrate the database" }).locator("input.pick").count(), 0);
    await page.getByLabel("Choose “bump a patch version” for a bulk decision").check();
    await page.getByLabel("Choose “fix a typo” for a bulk decision").check();
    await page.getByText("2 low-risk check-ins chosen").waitFor();
    assert.equal(await page.locator("#detail").isHidden(), true, "choosing does not open");
    await page.getByLabel("Reason", { exact: true }).fill("routine");
    await page.getByRole("button", { name: "Approve chosen" }).click();
    await queue.locator(".card-title").filter({ hasText: "fix a typo" }).waitFor({ state: "detached" });
    for (const c of [low1, low2]) {
      const now = await ok("GET", "/v1/check-ins/" + c.id);
      assert.equal(now.status, "approved");
      assert.equal(now.decision.reason, "routine");
    }
    assert.equal((await ok("GET", "/v1/check-ins/" + high.id)).status, "pending");
    assert.equal(await page.locator("#bulk").isHidden(), true);
    await ok("POST", `/v1/check-ins/${high.id}/withdraw`, {}, agentKey);
  });

  test("a check-in two people must approve says who has and how many more it waits for", async (t) => {
    const second = await ok("POST", "/v1/users", { name: "Ada Admin", email: "ada@example.test", role: "admin" });
    const c = await ask({ action: "rotate the root keys", required_approvals: 2 });
    const page = await signedIn(t);
    const card = page.locator("#queue li", { hasText: "rotate the root keys" });
    await card.getByText("0 of 2; waiting for 2 more").waitFor();
    // Tab reaches the card, Enter opens it
    await card.getByRole("button", { name: "rotate the root keys" }).focus();
    await page.keyboard.press("Enter");
    const detail = page.locator("#detail");
    await detail.getByRole("heading", { name: "rotate the root keys" }).waitFor();
    await detail.getByRole("button", { name: "Approve" }).click();
    await card.getByText("1 of 2: Owner; waiting for 1 more").waitFor();
    await detail.getByText("1 of 2: Owner; waiting for 1 more").waitFor();
    assert.equal((await ok("GET", "/v1/check-ins/" + c.id)).status, "pending");
    // the second approval, from elsewhere, takes it out of the queue
    await ok("POST", `/v1/check-ins/${c.id}/approve`, {}, second.token);
    await card.waitFor({ state: "detached", timeout: 2000 });
    await detail.getByText("2 of 2: Owner, Ada Admin").waitFor();
    await detail.locator(".status-line .status", { hasText: "approved" }).waitFor();
  });

  test("a draft decision survives live updates until the check-in is decided elsewhere", async (t) => {
    const c = await ask({ action: "resize the cluster", metadata: { nodes: 3 } });
    const page = await signedIn(t);
    await page.locator("#queue").getByText("resize the cluster").click();
    const detail = page.locator("#detail");
    await detail.getByRole("heading", { name: "resize the cluster" }).waitFor();
    const editor = detail.getByLabel("Modify: edit the metadata");
    await editor.fill('{"nodes": 5}');
    await detail.getByRole("heading", { name: "resize the cluster" }).click();  // focus leaves the field
    await ok("POST", `/v1/check-ins/${c.id}/messages`, { type: "comment", content: "any news?" }, agentKey);
    await detail.locator("ul.thread").getByText("any news?").waitFor();  // the thread moves on
    assert.deepEqual(JSON.parse(await editor.inputValue()), { nodes: 5 });  // the draft stays
    await ok("POST", `/v1/check-ins/${c.id}/reject`, { reason: "not now" });
    await detail.locator(".status-line .status", { hasText: "rejected" }).waitFor({ timeout: 2000 });
  });

  test("a check-in shows the agent's trust with its trend, and its earlier check-ins here", async (t) => {
    const first = await ask({ action: "earlier one" });
    await ok("POST", `/v1/check-ins/${first.id}/approve`, {});
    const second = await ask({ action: "earlier two" });
    await ok("POST", `/v1/check-ins/${second.id}/reject`, {});
    const now = await ask({ action: "the current one" });
    const trust = (await ok("GET", `/v1/agents/${agentId}/trust`)).find((x) => x.room_id === now.room_id);
    assert.ok(trust.trend.length >= 2);
    const page = await signedIn(t);
    await page.locator("#queue").getByText("the current one").click();
    const detail = page.locator("#detail");
    const line = detail.locator(".trust-line");
    await line.waitFor();
    const scores = trust.trend.map((p) => p.score);
    const change = trust.score - scores[0];
    const arrow = change > 0 ? "↑ +" : change < 0 ? "↓ " : "→ +";
    assert.equal(await line.textContent(),
      `${trust.score.toFixed(1)} ${arrow}${change.toFixed(1)} over its last ${scores.length} moves `);
    assert.equal(await line.locator("svg.spark").getAttribute("aria-label"),
      "trust after its last moves: " + scores.join(", "));
    const earlier = detail.locator("ul.earlier li");
    assert.deepEqual((await earlier.allTextContents()).slice(0, 2).map((s) => s.split(" ")[0] + " " + s.split(" ")[1]),
      ["earlier two", "earlier one"]);
    await earlier.getByRole("button", { name: "earlier one" }).click();
    await detail.getByRole("heading", { name: "earlier one" }).waitFor();
    await ok("POST", `/v1/check-ins/${now.id}/withdraw`, {}, agentKey);
  });

  test("the audit browser filters, shows hashes, verifies the chain and travels in time like waitroom replay", async (t) => {
    const c = await ask({ action: "audited action" });
    await ok("POST", `/v1/check-ins/${c.id}/approve`, { reason: "fine" });
    const page = await signedIn(t);
    await openTab(page, "Audit");
    const panel = page.getByRole("tabpanel", { name: "Audit" });
    await panel.locator("table tbody tr").first().waitFor();
    await panel.getByLabel("Stream").fill(c.id);
    await panel.getByRole("button", { name: "Show" }).first().click();
    await page.waitForFunction((id) => {
      const rows = [...document.querySelectorAll("#audit-list tbody tr")];
      return rows.length && rows.every((r) => r.cells[4].textContent === id) &&
        rows.some((r) => r.cells[2].textContent === "checkin.approved");
    }, c.id);
    const api = (await ok("GET", `/v1/rooms/general/audit?stream=${c.id}&limit=100`));
    const rows = panel.locator("#audit-list tbody tr");
    assert.equal(await rows.count(), api.length);
    for (let i = 0; i < api.length; i++) {
      const cells = await rows.nth(i).locator("td").allTextContents();
      assert.equal(cells[0], String(api[i].seq));
      assert.equal(cells[2], api[i].type);
      assert.equal(cells[5], api[i].hash.slice(0, 12) + "…");
      assert.equal(await rows.nth(i).locator("code.hash").getAttribute("title"), api[i].hash);
    }
    await panel.getByRole("button", { name: "Verify chain" }).click();
    await panel.getByText(/^Chain intact: \d+ events, head hash [0-9a-f]{64}$/).waitFor();

    // time travel: the room just before the approval, as the page and as `waitroom replay` see it
    const created = api.find((e) => e.type === "checkin.created").seq;
    const travel = async (seq) => {
      await panel.getByLabel("The room as of seq").fill(String(seq));
      await panel.locator("#travel").getByRole("button", { name: "Show" }).click();
      await page.waitForFunction((s) => document.querySelector("#travel-result").dataset.asOf === String(s), seq);
      const column = (caption, i) => panel.locator("#travel-result table", { has: page.locator("caption", { hasText: caption }) })
        .locator("tbody tr").evaluateAll((trs, n) => trs.map((tr) => tr.cells[n].textContent), i);
      const queueIds = await column("Queue as of", 0);
      const trust = await column("Trust as of", 1);
      const cli = JSON.parse(execFileSync(process.env.WAITROOM_BIN,
        ["replay", "--data", server.dataDir, "--until", String(seq), "--room", "general"], { encoding: "utf8" }));
      assert.equal(cli.as_of_seq, seq);
      assert.deepEqual(queueIds, cli.queue.map((q) => q.id));
      assert.deepEqual(trust, cli.trust.map((x) => x.score.toFixed(1)));
      return queueIds;
    };
    assert.ok((await travel(created)).includes(c.id), "waiting just after it was created");
    const head = (await ok("GET", "/v1/rooms/general/replay")).as_of_seq;
    assert.ok(!(await travel(head)).includes(c.id), "decided at the head");
    // a row's "As of here" travels to its seq
    await rows.first().getByRole("button", { name: "As of here" }).click();
    await page.waitForFunction((s) => document.querySelector("#travel-result").dataset.asOf === String(s), api[0].seq);
    // bad input: the API's error, nothing else changes
    await panel.getByLabel("The room as of seq").fill("soon");
    await panel.locator("#travel").getByRole("button", { name: "Show" }).click();
    await panel.getByText("must be a seq or an RFC 3339 time (until)").waitFor();
  });

  test("watchers: add one (secret shown once), its deliveries, redeliver, stop", async (t) => {
    const hits = [];
    const receiver = createServer((req, res) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => { hits.push({ headers: req.headers, body: Buffer.concat(chunks).toString() }); res.writeHead(204).end(); });
    });
    await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
    t.after(() => new Promise((r) => receiver.close(r)));
    const url = `http://127.0.0.1:${receiver.address().port}/hook`;
    const page = await signedIn(t);
    page.on("dialog", (d) => d.accept());
    await openTab(page, "Watchers");
    const panel = page.getByRole("tabpanel", { name: "Watchers" });
    await panel.getByLabel("Webhook URL").fill(url);
    await panel.getByLabel("Event types").fill("signal.broadcast");
    await panel.getByRole("button", { name: "Add watcher" }).click();
    const secret = await panel.getByLabel("Signing secret").inputValue();
    assert.ok(secret.length >= 16);
    const item = panel.locator("li.item", { hasText: url });
    await item.waitFor();
    assert.match(await item.textContent(), /signal\.broadcast/);
    await ok("POST", "/v1/rooms/general/signal", { type: "ping" });
    await waitFor(() => hits.length === 1);
    await item.getByRole("button", { name: "Deliveries" }).click();
    const row = item.locator("tbody tr").first();
    await row.waitFor();
    assert.match(await row.textContent(), /signal\.broadcast.*204/);
    await row.getByRole("button", { name: "Redeliver" }).click();
    await waitFor(() => hits.length === 2);
    assert.equal(hits[1].body, hits[0].body);
    await item.getByRole("button", { name: "Stop" }).click();
    await panel.locator("li.item", { hasText: url }).locator(".status", { hasText: "deleted" }).or(
      panel.getByText("No watchers.")).first().waitFor();
    const left = await ok("GET", "/v1/rooms/general/watchers");
    assert.ok(left.every((w) => w.webhook_url !== url || w.status !== "active"));
  });

  test("members and roles of a room", async (t) => {
    await ok("POST", "/v1/rooms", { name: "Ops", slug: "ops" });
    const vic = await ok("POST", "/v1/users", { name: "Vic Viewer", email: "vic@example.test", role: "member" });
    const page = await signedIn(t);
    await page.locator("#rooms button", { hasText: "Ops" }).click();
    await page.locator("#room-title", { hasText: "Ops" }).waitFor();
    await openTab(page, "Members");
    const panel = page.getByRole("tabpanel", { name: "Members" });
    await panel.getByText("open to the whole organization").first().waitFor();
    await panel.getByLabel("Who").selectOption({ label: "Vic Viewer (person)" });
    await panel.getByLabel("Role").selectOption("viewer");
    await panel.getByRole("button", { name: "Add or change" }).click();
    await panel.locator("tbody tr", { hasText: "Vic Viewer" }).getByRole("cell", { name: "viewer", exact: true }).waitFor();
    let members = await ok("GET", "/v1/rooms/ops/members");
    assert.deepEqual(members.map((m) => [m.principal_id, m.role]), [[vic.user.id, "viewer"]]);
    await panel.getByRole("button", { name: "Remove Vic Viewer" }).click();
    await panel.getByText("No members: everyone in the organization may act here.").waitFor();
    members = await ok("GET", "/v1/rooms/ops/members");
    assert.deepEqual(members, []);
  });

  test("the policy as a form and as JSON, with the API's validation errors", async (t) => {
    await ok("POST", "/v1/rooms", { name: "Policy room", slug: "policy-room" });
    const page = await signedIn(t);
    await page.locator("#rooms button", { hasText: "Policy room" }).click();
    await page.locator("#room-title", { hasText: "Policy room" }).waitFor();
    await openTab(page, "Policy");
    const panel = page.getByRole("tabpanel", { name: "Policy" });
    await panel.getByRole("button", { name: "Add rule" }).click();
    const rule = panel.locator("fieldset.rule").first();
    await rule.getByLabel("Id", { exact: true }).fill("no-friday");
    await rule.getByLabel("Effect").selectOption("forbid");
    await rule.getByLabel("Action glob").fill("deploy * production");
    await rule.getByLabel("risk level").fill("high, critical");
    await panel.getByLabel("low", { exact: true }).fill("25");
    await panel.getByRole("button", { name: "Save policy" }).click();
    await page.getByText("Policy saved").waitFor();
    let policy = await ok("GET", "/v1/rooms/policy-room/policy");
    assert.deepEqual(policy.rules, [{ id: "no-friday", effect: "forbid", when: { action: "deploy * production", risk_level: ["high", "critical"] } }]);
    assert.equal(policy.trust_thresholds.low, 25);
    assert.equal(policy.trust_thresholds.medium, null);
    // an invalid regex: the API says which field; nothing is saved
    await rule.getByLabel("Action regex").fill("(unclosed");
    await panel.getByRole("button", { name: "Save policy" }).click();
    const error = panel.locator("#policy-error");
    await error.filter({ hasText: /action_regex/ }).waitFor();
    assert.deepEqual((await ok("GET", "/v1/rooms/policy-room/policy")).rules, policy.rules);
    // the JSON editor says what the form says, and saves too
    const json = JSON.parse(await panel.getByLabel("The policy as JSON").inputValue());
    assert.deepEqual(json, policy);
    json.default_action = "auto_approve";
    await panel.getByLabel("The policy as JSON").fill(JSON.stringify(json));
    await panel.getByRole("button", { name: "Save JSON" }).click();
    // the form shows what the server saved (the notice of the first save may still be up)
    await page.waitForFunction(() => document.getElementById("policy-default").value === "auto_approve");
    policy = await ok("GET", "/v1/rooms/policy-room/policy");
    assert.equal(policy.default_action, "auto_approve");
    await panel.getByLabel("The policy as JSON").fill('{"rules": [], "risk": 1}');
    await panel.getByRole("button", { name: "Save JSON" }).click();
    await error.filter({ hasText: /\S/ }).waitFor();
    assert.equal((await ok("GET", "/v1/rooms/policy-room/policy")).default_action, "auto_approve");
  });

  test("agents: register (key shown once), claim, rotate, deactivate", async (t) => {
    const page = await signedIn(t);
    page.on("dialog", (d) => d.accept());
    await openTab(page, "Agents");
    const panel = page.getByRole("tabpanel", { name: "Agents" });
    await panel.getByLabel("Name").fill("review-bot");
    await panel.getByLabel("Platform").fill("cursor");
    await panel.getByRole("button", { name: "Register" }).click();
    const key = await panel.getByLabel("Key of review-bot", { exact: true }).inputValue();
    assert.match(key, /^wr_/);
    assert.equal((await rest("GET", "/v1/me", undefined, key)).status, 200);
    const row = panel.locator("tbody tr", { hasText: "review-bot" });
    await row.waitFor();
    assert.match(await row.textContent(), /cursor.*active/);

    await row.getByRole("button", { name: "Rotate key of review-bot" }).click();
    const rotated = await panel.getByLabel("New key of review-bot", { exact: true }).inputValue();
    assert.notEqual(rotated, key);
    assert.equal((await rest("GET", "/v1/me", undefined, key)).status, 401);
    assert.equal((await rest("GET", "/v1/me", undefined, rotated)).status, 200);

    await panel.locator("tbody tr", { hasText: "review-bot" }).getByRole("button", { name: "Deactivate review-bot" }).click();
    await panel.locator("tbody tr", { hasText: "review-bot" }).getByText("inactive").waitFor();
    assert.equal((await rest("GET", "/v1/me", undefined, rotated)).status, 401);

    const self = await (await fetch(base + "/v1/agents/self-register", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "stray-bot" }),
    })).json();
    await panel.getByLabel("Claim token").fill("wr_claim_" + "x".repeat(24));
    await panel.getByRole("button", { name: "Claim" }).click();
    await panel.locator("#claim-agent-error").filter({ hasText: /\S/ }).waitFor();
    await panel.getByLabel("Claim token").fill(self.data.claim_token);
    await panel.getByRole("button", { name: "Claim" }).click();
    await panel.locator("tbody tr", { hasText: "stray-bot" }).getByText("active").waitFor();
  });

  test("signals: sent from the page and listed", async (t) => {
    const page = await signedIn(t);
    await openTab(page, "Signals");
    const panel = page.getByRole("tabpanel", { name: "Signals" });
    await panel.getByLabel("Type").fill("deploy.freeze");
    await panel.getByLabel("Payload").fill("{not json");
    await panel.getByRole("button", { name: "Send signal" }).click();
    await panel.getByText("The payload is not JSON.").waitFor();
    await panel.getByLabel("Payload").fill('{"until": "18:00"}');
    await panel.getByRole("button", { name: "Send signal" }).click();
    await panel.locator("tbody tr", { hasText: "deploy.freeze" }).getByText('{"until":"18:00"}').waitFor();
    const signals = await ok("GET", "/v1/rooms/general/signals");
    assert.deepEqual(signals[0].payload, { until: "18:00" });
  });

  test("a new arrival chimes and raises a desktop notification when the person asked for them", async (t) => {
    // what the page asks of the browser, recorded (the sound card and the desktop are not here)
    const init = () => {
      window.__notes = [];
      window.__tones = 0;
      const Real = window.Notification;
      window.Notification = class extends Real {
        constructor(title, opts) { super(title, opts); window.__notes.push({ title, body: opts.body }); }
      };
      const start = OscillatorNode.prototype.start;
      OscillatorNode.prototype.start = function (...a) { window.__tones++; return start.apply(this, a); };
    };
    const page = await signedIn(t, { permissions: ["notifications"] }, init);
    await ask({ action: "quiet arrival" });
    await page.locator("#queue").getByText("quiet arrival").waitFor();
    assert.deepEqual(await page.evaluate(() => [window.__notes.length, window.__tones]), [0, 0]);
    await page.getByRole("button", { name: "Sound: off" }).click();
    await page.getByRole("button", { name: "Alerts: off" }).click();
    await page.getByRole("button", { name: "Alerts: on" }).waitFor();
    const tones = await page.evaluate(() => window.__tones);
    const c = await ask({ action: "loud arrival", risk_level: "high" });
    await page.locator("#queue").getByText("loud arrival").waitFor();
    await page.waitForFunction(() => window.__notes.length === 1);
    assert.deepEqual(await page.evaluate(() => window.__notes), [{ title: "Decision needed: high risk", body: "loud arrival" }]);
    assert.ok(await page.evaluate((n) => window.__tones > n, tones));
    // the choice is kept in this browser
    await page.reload();
    await page.getByRole("button", { name: "Sound: on" }).waitFor();
    for (const x of await ok("GET", "/v1/rooms/general/pending"))
      await ok("POST", `/v1/check-ins/${x.id}/withdraw`, {}, agentKey);
    void c;
  });

  test("Web Push: the button subscribes this browser, a push shows a notification that opens the check-in", async (t) => {
    const service = await pushService();
    t.after(() => service.close());
    const sub = browserSubscription(service.origin + "/dashboard-browser");
    // Chromium's own push service is Google's, out of reach here: the browser's subscribe
    // answers the local push service's subscription instead (the keys this test holds).
    const init = (json) => {
      window.__applicationServerKey = null;
      PushManager.prototype.subscribe = async function (opts) {
        window.__applicationServerKey = btoa(String.fromCharCode(...new Uint8Array(opts.applicationServerKey)))
          .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
        window.__subscribed = true;
        return { endpoint: json.endpoint, toJSON: () => json, unsubscribe: async () => true };
      };
      PushManager.prototype.getSubscription = async function () {
        return window.__subscribed ? { endpoint: json.endpoint, toJSON: () => json, unsubscribe: async () => { window.__subscribed = false; return true; } } : null;
      };
    };
    const page = await signedIn(t, { permissions: ["notifications"] }, [init, sub.json]);
    const button = page.getByRole("button", { name: "Push: off" });
    await page.waitForFunction(() => !document.getElementById("push").disabled);
    await button.click();
    await page.getByRole("button", { name: "Push: on" }).waitFor();
    assert.equal(await page.evaluate(() => window.__applicationServerKey), vapid.WAITROOM_VAPID_PUBLIC_KEY);

    // the server pushes to this subscription when a check-in starts waiting
    const c = await ask({ action: "push me", risk_level: "critical" });
    await waitFor(() => service.received.some((r) => r.path === "/dashboard-browser"));
    const payload = decrypt(sub, service.received.find((r) => r.path === "/dashboard-browser").body);
    assert.equal(payload.check_in_id, c.id);

    // the service worker shows it (the push delivered to it over the DevTools protocol)
    const cdp = await page.context().newCDPSession(page);
    const registrations = [];
    cdp.on("ServiceWorker.workerRegistrationUpdated", (e) => registrations.push(...e.registrations));
    await cdp.send("ServiceWorker.enable");
    await waitFor(() => registrations.some((r) => r.scopeURL === base + "/dashboard/"));
    const reg = registrations.find((r) => r.scopeURL === base + "/dashboard/");
    await cdp.send("ServiceWorker.deliverPushMessage",
      { origin: base, registrationId: reg.registrationId, data: JSON.stringify(payload) });
    const shown = await page.evaluate(async () => {
      const r = await navigator.serviceWorker.getRegistration("/dashboard/");
      for (let i = 0; i < 100; i++) {
        const n = await r.getNotifications();
        if (n.length) return n.map((x) => ({ title: x.title, body: x.body, url: x.data.url, tag: x.tag }));
        await new Promise((res) => setTimeout(res, 50));
      }
      return [];
    });
    assert.deepEqual(shown, [{ title: "Decision needed in general", body: "push me", url: "/#" + c.id, tag: c.id }]);
    // a click on it (dispatched in the service worker: nobody clicks in a headless
    // browser) opens the check-in in the open page
    const worker = page.context().serviceWorkers()[0] || await page.context().waitForEvent("serviceworker");
    await worker.evaluate(async () => {
      const [n] = await self.registration.getNotifications();
      self.dispatchEvent(new NotificationEvent("notificationclick", { notification: n }));
    });
    await page.locator("#detail").getByRole("heading", { name: "push me" }).waitFor();
    assert.equal(new URL(page.url()).hash, "#" + c.id);
    // off again: the server forgets the subscription
    await page.getByRole("button", { name: "Push: on" }).click();
    await page.getByRole("button", { name: "Push: off" }).waitFor();
    const pushes = () => service.received.filter((r) => r.path === "/dashboard-browser").length;
    const before = pushes();
    await ask({ action: "no push now" });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(pushes(), before);
    for (const x of await ok("GET", "/v1/rooms/general/pending"))
      await ok("POST", `/v1/check-ins/${x.id}/withdraw`, {}, agentKey);
  });

  for (const [label, viewport] of [["desktop", { width: 1440, height: 900 }], ["phone", { width: 390, height: 844 }]]) {
    test(`every view at ${viewport.width}×${viewport.height}: no serious axe violations, nothing wider than the screen`, async (t) => {
      t.after(async () => {
        for (const x of await ok("GET", "/v1/rooms/general/pending"))
          await ok("POST", `/v1/check-ins/${x.id}/withdraw`, {}, agentKey);
      });
      const c = await ask({ action: "deploy v2.3.1 to production", risk_level: "high", reason: "release train",
        metadata: { version: "2.3.1", targets: ["eu-1", "us-2"], canary: { percent: 5 } } });
      await ask({ action: "update the docs", risk_level: "low" });
      const page = await signedIn(t, { viewport });
      await page.locator("#queue").getByText("deploy v2.3.1 to production").waitFor();
      const views = ["Queue", "Tasks", "History", "Trust", "Audit", "Watchers", "Members", "Policy", "Signals", "Agents"];
      for (const name of views) {
        await openTab(page, name);
        await page.waitForLoadState("networkidle");
        assert.deepEqual(await seriousViolations(page), [], `${name} at ${label}`);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= viewport.width, `${name} is ${width} px wide at ${label}`);
        await screenshot(page, `${name.toLowerCase()}-${label}`);
      }
      await openTab(page, "Queue");
      await page.locator("#queue").getByText("deploy v2.3.1 to production").click();
      await page.locator("#detail").getByRole("heading", { name: "deploy v2.3.1 to production" }).waitFor();
      assert.deepEqual(await seriousViolations(page), [], `the check-in at ${label}`);
      await screenshot(page, `checkin-${label}`);
      await page.keyboard.press("?");
      await page.getByRole("dialog", { name: "Keyboard" }).waitFor();
      assert.deepEqual(await seriousViolations(page), [], `the help at ${label}`);
      await page.keyboard.press("Escape");
      void c;
    });
  }

  test("the sign-in page has no serious axe violations", async (t) => {
    const context = await browser.newContext();
    t.after(() => context.close());
    const page = await context.newPage();
    await page.goto(base + "/");
    await page.locator("#login").waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    await screenshot(page, "sign-in");
  });
});
