// WebSocket live events (`GET /v1/ws`, API.md "Real-time events") with `ws`, the
// WebSocket client most Node programs use, over real sockets: authentication before the
// upgrade, envelopes in seq order, resume with `since` while events commit, rooms that
// add up and unsubscribe, access control (another org's room is NOT_FOUND and the
// connection stays), protocol errors and close codes, a slow consumer closed while a
// normal one and the writers go on, server pings, and SIGTERM closing with 1001.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { OWNER, startServer } from "./server.mjs";

/** A WebSocket client that queues parsed messages and remembers how it closed. */
class Client {
  static async open(server, { token = OWNER, query = "", headers } = {}) {
    const h = { ...(headers ?? {}) };
    if (token !== null) h.Authorization = "Bearer " + token;
    const c = new Client(new WebSocket(server.base.replace(/^http/, "ws") + "/v1/ws" + query, { headers: h }));
    await new Promise((resolve, reject) => {
      c.ws.once("upgrade", (res) => { c.upgradeHeaders = res.headers; });
      c.ws.once("open", resolve);
      c.ws.once("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (d) => { body += d; });
        res.on("end", () => reject(Object.assign(new Error("refused " + res.statusCode), { status: res.statusCode, body: JSON.parse(body) })));
      });
      c.ws.once("error", reject);
    });
    return c;
  }

  constructor(ws) {
    this.ws = ws;
    this.messages = [];
    this.wake = null;
    this.closed = null;
    this.pings = 0;
    ws.on("message", (data, isBinary) => {
      assert.equal(isBinary, false, "the server sends text messages only");
      this.messages.push(JSON.parse(data.toString()));
      this.notify();
    });
    ws.on("ping", () => { this.pings++; });
    ws.on("close", (code, reason) => { this.closed = { code, reason: reason.toString() }; this.notify(); });
    ws.on("error", () => {});
  }

  notify() { if (this.wake) { const w = this.wake; this.wake = null; w(); } }

  /** The next message; throws when the connection closes first or nothing comes. */
  async next(timeoutMs = 10000) {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length === 0) {
      if (this.closed) throw new Error("closed " + JSON.stringify(this.closed));
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("no message within " + timeoutMs + " ms");
      await new Promise((r) => { this.wake = r; setTimeout(r, left); });
    }
    return this.messages.shift();
  }

  /** Messages up to and including the first that `pred` accepts. */
  async until(pred, timeoutMs = 20000) {
    const out = [];
    for (;;) {
      const m = await this.next(timeoutMs);
      out.push(m);
      if (pred(m)) return out;
    }
  }

  async closedWith(timeoutMs = 15000) {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error("still open");
      await new Promise((r) => { this.wake = r; setTimeout(r, 50); });
    }
    return this.closed;
  }

  send(obj) { this.ws.send(typeof obj === "string" ? obj : JSON.stringify(obj)); }
  close() { this.ws.terminate(); }
}

const isEnvelope = (m) => m.op === undefined;

async function registerAgent(server, token = OWNER) {
  const r = await server.api("POST", "/v1/agents/register", token, { name: "agent-" + Math.random().toString(36).slice(2, 8) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.data.api_key;
}

async function checkIn(server, key, room = "general") {
  const r = await server.api("POST", `/v1/rooms/${room}/check-in`, key, { action: "deploy " + Math.random() });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.data;
}

async function signal(server, room, type, payload = {}, token = OWNER) {
  const r = await server.api("POST", `/v1/rooms/${room}/signal`, token, { type, payload });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  return r.body.data;
}

/** The seqs a subscription to `room` must deliver after `after`, from the audit trail. */
async function roomSeqs(server, room, after, token = OWNER) {
  const types = new Set(["checkin.created", "checkin.approved", "checkin.rejected", "checkin.modified",
    "checkin.expired", "checkin.withdrawn", "checkin.claimed", "checkin.released", "checkin.message",
    "checkin.help_requested", "checkin.helper_joined", "checkin.submitted", "checkin.approval_recorded",
    "checkin.extended", "checkin.expiring", "signal.broadcast", "room.updated", "room.policy_updated"]);
  const seqs = [];
  let cursor = null;
  for (;;) {
    const r = await server.api("GET", `/v1/rooms/${room}/audit?limit=500&since_seq=${after}` + (cursor ? "&cursor=" + cursor : ""), token);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    seqs.push(...r.body.data.filter((e) => types.has(e.type)).map((e) => e.seq));
    if (!r.body.has_more) return seqs;
    cursor = r.body.cursor;
  }
}

describe("WebSocket", () => {
  let server;
  let key;
  before(async () => {
    server = await startServer();
    key = await registerAgent(server);
    const r = await server.api("POST", "/v1/rooms", OWNER, { name: "Ops", slug: "ops" });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  });
  after(async () => { await server.stop(); });

  test("authentication happens before the upgrade; the 101 carries Waitroom-Log-Id", async () => {
    await assert.rejects(Client.open(server, { token: null }), (e) => e.status === 401 && e.body.error.code === "UNAUTHORIZED");
    await assert.rejects(Client.open(server, { token: null, query: "?access_token=wrh_nobody" }), (e) => e.status === 401);
    await assert.rejects(Client.open(server, { token: null, query: "?access_token=" }), (e) => e.status === 401);
    const viaQuery = await Client.open(server, { token: null, query: "?access_token=" + OWNER });
    const me = await server.api("GET", "/healthz");
    assert.equal(me.status, 200);
    const logId = (await fetch(server.base + "/v1/events?access_token=" + OWNER, { signal: AbortSignal.timeout(5000) })).headers.get("waitroom-log-id");
    assert.ok(viaQuery.upgradeHeaders["waitroom-log-id"]);
    assert.equal(viaQuery.upgradeHeaders["waitroom-log-id"], logId);
    viaQuery.close();
    // a plain GET is not a WebSocket
    const plain = await server.api("GET", "/v1/ws");
    assert.equal(plain.status, 400);
    assert.equal(plain.body.error.code, "VALIDATION_ERROR");
  });

  test("live envelopes come in seq order, exactly the room's events", async () => {
    const c = await Client.open(server);
    c.send({ op: "subscribe", rooms: ["general"] });
    const ok = await c.next();
    assert.equal(ok.op, "subscribed");
    assert.equal(ok.all, false);
    assert.equal(ok.since, null);
    assert.match(ok.rooms[0], /^rm_/);
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await checkIn(server, key));
    const approved = await server.api("POST", `/v1/check-ins/${created[4].id}/approve`, OWNER, {});
    assert.equal(approved.status, 200);
    const got = await c.until((m) => m.type === "checkin.approved");
    assert.ok(got.every(isEnvelope));
    const e = got.at(-1);
    assert.deepEqual(Object.keys(e).sort(), ["actor", "at", "data", "org_id", "room_id", "seq", "stream", "type", "version"]);
    assert.equal(e.stream, created[4].id);
    assert.equal(e.data.status, "approved");
    assert.equal(e.room_id, ok.rooms[0]);
    const seqs = got.map((m) => m.seq);
    const expected = (await roomSeqs(server, "general", seqs[0] - 1)).filter((s) => s <= seqs.at(-1));
    assert.deepEqual(seqs, expected);
    c.close();
  });

  test("resume with since: no gap and no duplicate while events commit during the reconnect", async () => {
    const start = (await roomSeqs(server, "general", 0)).at(-1);
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 60; i++) await checkIn(server, key);
      writing = false;
    })();
    const first = await Client.open(server);
    first.send({ op: "subscribe", rooms: ["general"], since: start });
    assert.equal((await first.next()).op, "subscribed");
    const seen = [];
    while (seen.length < 10) seen.push(await first.next());
    first.close();
    assert.ok(writing, "the writer is still going during the reconnect");
    const second = await Client.open(server);
    second.send({ op: "subscribe", rooms: ["ops", "general"], since: seen.at(-1).seq });
    assert.equal((await second.next()).op, "subscribed");
    await writer;
    const expected = await roomSeqs(server, "general", start);
    while (seen.length < expected.length) seen.push(await second.next());
    assert.deepEqual(seen.map((m) => m.seq), expected);
    second.close();
  });

  test("since 0 on every room replays both rooms in global seq order, then live", async () => {
    await signal(server, "ops", "deploy.window", { n: 1 });
    const c = await Client.open(server);
    c.send({ op: "subscribe", since: 0 });
    const ok = await c.next();
    assert.equal(ok.op, "subscribed");
    assert.equal(ok.all, true);
    const marker = await signal(server, "general", "marker.all");
    const got = await c.until((m) => m.type === "signal.broadcast" && m.data.id === marker.id);
    const expected = [...await roomSeqs(server, "general", 0), ...await roomSeqs(server, "ops", 0)].sort((a, b) => a - b);
    assert.deepEqual(got.map((m) => m.seq), expected);
    assert.ok(got.some((m) => m.type === "signal.broadcast" && m.data.type === "deploy.window"));
    c.close();
  });

  test("subscriptions add up, a room already covered is not sent twice, unsubscribe stops it", async () => {
    const c = await Client.open(server);
    c.send({ op: "subscribe", rooms: ["general"] });
    assert.equal((await c.next()).op, "subscribed");
    c.send({ op: "subscribe", rooms: ["ops", "general"] });
    const second = await c.next();
    assert.equal(second.op, "subscribed");
    assert.equal(second.rooms.length, 2);
    const a = await signal(server, "ops", "a");
    const b = await signal(server, "general", "b");
    const got = await c.until((m) => m.data?.id === b.id);
    assert.deepEqual(got.map((m) => m.data.id), [a.id, b.id]);
    c.send({ op: "unsubscribe", rooms: ["ops"] });
    const un = await c.next();
    assert.equal(un.op, "unsubscribed");
    assert.equal(un.rooms.length, 1);
    await signal(server, "ops", "hidden");
    const d = await signal(server, "general", "d");
    const next = await c.next();
    assert.equal(next.data.id, d.id, "nothing from ops after unsubscribing");
    // an all-rooms subscription now adds ops back, without doubling general
    c.send({ op: "subscribe" });
    assert.equal((await c.next()).op, "subscribed");
    const e = await signal(server, "ops", "e");
    const f = await signal(server, "general", "f");
    const after = await c.until((m) => m.data?.id === f.id);
    assert.deepEqual(after.map((m) => m.data.id), [e.id, f.id]);
    c.send({ op: "unsubscribe" });
    assert.equal((await c.next()).op, "unsubscribed");
    await signal(server, "general", "g");
    c.send({ op: "ping" });
    assert.deepEqual(await c.next(), { op: "pong" }, "nothing arrives after unsubscribing from all");
    c.close();
  });

  test("another org's room is NOT_FOUND, the connection stays, and its events never arrive", async () => {
    const org = await server.api("POST", "/v1/orgs", OWNER, { name: "Other", owner: { name: "O", email: "o@example.com" } });
    assert.equal(org.status, 201, JSON.stringify(org.body));
    const otherToken = org.body.data.token;
    const ours = await server.api("GET", "/v1/rooms/general");
    const c = await Client.open(server, { token: otherToken });
    c.send({ op: "subscribe", rooms: [ours.body.data.id, "ops"] });
    for (const room of [ours.body.data.id, "ops"]) {
      const err = await c.next();
      assert.deepEqual([err.op, err.code, err.room], ["error", "NOT_FOUND", room]);
    }
    c.send({ op: "subscribe", since: 0 });
    const ok = await c.next();
    assert.equal(ok.op, "subscribed");
    await signal(server, "general", "secret");
    const theirs = await signal(server, "general", "theirs", {}, otherToken);
    const got = await c.until((m) => m.data?.id === theirs.id);
    assert.ok(got.every((m) => m.org_id === org.body.data.org.id), "only the other org's events");
    c.close();
  });

  test("protocol errors answer op error and keep the connection; binary and oversized messages close it", async () => {
    const c = await Client.open(server);
    c.send("{not json");
    let m = await c.next();
    assert.deepEqual([m.op, m.code], ["error", "VALIDATION_ERROR"]);
    c.send({ op: "dance" });
    m = await c.next();
    assert.deepEqual([m.op, m.code, m.details.field], ["error", "VALIDATION_ERROR", "op"]);
    c.send({ op: "subscribe", rooms: "general" });
    m = await c.next();
    assert.deepEqual([m.op, m.code, m.details.field], ["error", "VALIDATION_ERROR", "rooms"]);
    c.send({ op: "subscribe", rooms: ["general"], since: -1 });
    m = await c.next();
    assert.deepEqual([m.op, m.details.field], ["error", "since"]);
    c.send({ op: "ping" });
    assert.deepEqual(await c.next(), { op: "pong" });
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    assert.equal((await c.closedWith()).code, 1003);

    const big = await Client.open(server);
    big.send(JSON.stringify({ op: "ping", pad: "x".repeat(70 * 1024) }));
    assert.equal((await big.closedWith()).code, 1009);
    // the server goes on serving
    assert.equal((await server.api("GET", "/healthz")).status, 200);
  });
});

describe("WebSocket slow consumers, pings and shutdown", () => {
  test("a slow consumer is closed while a normal consumer and the writers go on; it resumes", async () => {
    const server = await startServer(["--stream-buffer-kib", "64"]);
    try {
      const slow = await Client.open(server);
      const normal = await Client.open(server);
      for (const c of [slow, normal]) {
        c.send({ op: "subscribe", rooms: ["general"] });
        assert.equal((await c.next()).op, "subscribed");
      }
      slow.ws.pause(); // stops reading its socket
      const blob = "x".repeat(9000);
      const sent = [];
      const got = [];
      for (let i = 0; i < 800; i++) {
        sent.push(await signal(server, "general", "bulk", { i, blob }));
        // the normal consumer keeps up (its buffer is 64 KiB too): it reads every 5th
        // signal's worth before more are sent, as a client that reads would
        if (i % 5 === 4) got.push(...await normal.until((m) => m.data?.id === sent.at(-1).id));
      }
      assert.deepEqual(got.map((m) => m.data.id), sent.map((s) => s.id));
      slow.ws.resume();
      const closed = await slow.closedWith(20000);
      assert.ok([1008, 1006].includes(closed.code), "closed as a slow consumer: " + JSON.stringify(closed));
      const received = slow.messages.filter(isEnvelope);
      assert.ok(received.length < sent.length, "the slow one did not get everything");
      // it resumes from the last seq it saw and gets the rest, in order
      const last = received.length ? received.at(-1).seq : got[0].seq - 1;
      const again = await Client.open(server);
      again.send({ op: "subscribe", rooms: ["general"], since: last });
      assert.equal((await again.next()).op, "subscribed");
      const rest = await again.until((m) => m.data?.id === sent.at(-1).id);
      assert.deepEqual([...received, ...rest].map((m) => m.data.id), sent.map((s) => s.id));
      again.close();
      normal.close();
    } finally {
      await server.stop();
    }
  });

  test("the server pings an idle client, which stays open, and SIGTERM closes with 1001", async () => {
    const server = await startServer(["--stream-ping-seconds", "0.2"]);
    let c;
    try {
      c = await Client.open(server);
      c.send({ op: "subscribe" });
      assert.equal((await c.next()).op, "subscribed");
      await new Promise((r) => setTimeout(r, 1500));
      assert.ok(c.pings >= 2, "pings: " + c.pings);
      assert.equal(c.closed, null, "answering pings keeps it open");
    } finally {
      await server.stop();
    }
    assert.equal((await c.closedWith()).code, 1001);
  });
});
