// Supabase Realtime on Waitroom's port (`/realtime/v1/websocket`, API.md "Supabase
// Realtime", inbound) with Supabase's own client, `@supabase/realtime-js` as npm ships
// it (pinned in package-lock.json), for both serializer versions: SUBSCRIBED and the
// join reply on the wire, broadcasts equal to the SSE objects and in order, access
// control (another organization, a non-member, postgres_changes) as CHANNEL_ERROR, a bad
// apikey or vsn refused before the upgrade, access_token refresh and revocation closing
// the channel, leave, client broadcasts refused with ack, presence not offered, two rooms
// on one socket; then heartbeats against a short idle limit, a slow client cut off
// while the others go on, and malformed frames answered without closing the socket.
//
// The client needs a global WebSocket: Node 22, or Node 20 with --experimental-websocket
// (tests/node/CMakeLists.txt passes it). The client's transport is that WebSocket with a
// tap that records every frame both ways, so the tests can read the wire (some replies,
// such as the leave's, the client never waits for).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { RealtimeClient } from "@supabase/realtime-js";
import WS from "ws";
import { OWNER, startServer } from "./server.mjs";

if (typeof WebSocket === "undefined") throw new Error("run with Node >= 22 or --experimental-websocket");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function eventually(pred, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > deadline) throw new Error("timed out waiting for " + what);
    await sleep(20);
  }
}

/** A frame as it went over the wire, decoded: `{dir, join_ref, ref, topic, event, payload}` or `{dir, binary, kind}`. */
function decodeFrame(dir, data) {
  if (typeof data !== "string") return { dir, binary: true, kind: new Uint8Array(data)[0] };
  const m = JSON.parse(data);
  if (Array.isArray(m)) {
    const [join_ref, ref, topic, event, payload] = m;
    return { dir, format: "array", join_ref, ref, topic, event, payload };
  }
  return { dir, format: "object", ...m };
}

/** A Realtime client whose WebSocket records every frame. */
function realtime(server, { vsn, apikey = OWNER, ...options } = {}) {
  const wire = [];
  const sockets = [];
  class Tapped extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      sockets.push(this);
      this.addEventListener("message", (e) => wire.push(decodeFrame("in", e.data)));
      this.addEventListener("close", (e) => wire.push({ dir: "close", code: e.code, reason: e.reason }));
      this.addEventListener("error", () => wire.push({ dir: "error" }));
    }
    send(data) {
      wire.push(decodeFrame("out", data));
      super.send(data);
    }
  }
  const client = new RealtimeClient(server.base.replace(/^http/, "ws") + "/realtime/v1", {
    params: { apikey }, vsn, transport: Tapped, ...options,
  });
  return { client, wire, sockets };
}

/** Subscribes and resolves with the first status other than CLOSED (and its error). */
function subscribe(channel) {
  return new Promise((resolve) => {
    channel.subscribe((status, err) => { if (status !== "CLOSED") resolve({ status, err }); });
  });
}

/** A channel of `room` that collects its broadcasts. */
function roomChannel(client, room, params) {
  const ch = client.channel(`room:${room.id}:events`, params);
  ch.got = [];
  ch.on("broadcast", { event: "*" }, (m) => ch.got.push(m));
  return ch;
}

async function registerAgent(server, token = OWNER) {
  const r = await server.api("POST", "/v1/agents/register", token, { name: "agent-" + Math.random().toString(36).slice(2, 8) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.data;
}

async function checkIn(server, key, room) {
  const r = await server.api("POST", `/v1/rooms/${room.slug}/check-in`, key, { action: "deploy " + Math.random() });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.data;
}

async function newRoom(server, slug, token = OWNER) {
  const r = await server.api("POST", "/v1/rooms", token, { name: slug, slug });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.data;
}

async function newUser(server, role = "member") {
  const name = role + "-" + Math.random().toString(36).slice(2, 8);
  const r = await server.api("POST", "/v1/users", OWNER, { name, email: name + "@example.test", role });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { token: r.body.data.token, id: r.body.data.user.id };
}

/** The SSE stream of a room: `events` fills with the parsed `data:` objects. */
async function sse(server, room, token = OWNER) {
  const abort = new AbortController();
  const res = await fetch(`${server.base}/v1/rooms/${room.slug}/events?access_token=${token}`, { signal: abort.signal });
  assert.equal(res.status, 200);
  const events = [];
  (async () => {
    const decoder = new TextDecoder();
    let buf = "";
    try {
      for await (const chunk of res.body) {
        buf += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buf.indexOf("\n\n")) >= 0) {
          const frame = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const data = frame.split("\n").find((l) => l.startsWith("data: "));
          if (data) events.push(JSON.parse(data.slice(6)));
        }
      }
    } catch { /* aborted */ }
  })();
  return { events, close: () => abort.abort() };
}

/** Opens a WebSocket to the endpoint with `ws`; rejects with {status, body} when refused. */
function rawSocket(server, query) {
  return new Promise((resolve, reject) => {
    const ws = new WS(server.base.replace(/^http/, "ws") + "/realtime/v1/websocket" + query);
    ws.messages = [];
    ws.on("message", (d, binary) => { ws.messages.push(binary ? d : JSON.parse(d.toString())); });
    ws.on("close", (code, reason) => { ws.closedWith = { code, reason: reason.toString() }; });
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (d) => { body += d; });
      res.on("end", () => reject(Object.assign(new Error("refused " + res.statusCode), { status: res.statusCode, body: JSON.parse(body) })));
    });
    ws.once("error", () => {});
  });
}

const replyTo = (wire, out) => wire.find((f) => f.dir === "in" && f.event === "phx_reply" && f.ref === out.ref && f.topic === out.topic);
const sent = (wire, event, topic) => wire.filter((f) => f.dir === "out" && f.event === event && (!topic || f.topic === topic));

for (const vsn of ["1.0.0", "2.0.0"]) {
  describe(`Supabase Realtime, vsn ${vsn}`, () => {
    let server;
    let general;
    let ops;
    let agent;
    const clients = [];
    const open = (options = {}) => { const c = realtime(server, { vsn, ...options }); clients.push(c.client); return c; };

    before(async () => {
      server = await startServer();
      general = (await server.api("GET", "/v1/rooms/general")).body.data;
      ops = await newRoom(server, "ops");
      agent = await registerAgent(server);
    });
    after(async () => {
      for (const c of clients) await c.disconnect();
      await server.stop();
    });

    test("subscribes; the join reply is ok with an empty postgres_changes, on the wire in this vsn's format", async () => {
      const { client, wire, sockets } = open();
      const ch = roomChannel(client, general);
      assert.deepEqual(await subscribe(ch), { status: "SUBSCRIBED", err: undefined });
      assert.match(sockets[0].url, new RegExp(`/realtime/v1/websocket\\?apikey=${OWNER}&vsn=${vsn.replaceAll(".", "\\.")}$`));
      const [join] = sent(wire, "phx_join", ch.topic);
      assert.equal(join.topic, `realtime:room:${general.id}:events`);
      const reply = replyTo(wire, join);
      assert.equal(reply.format, vsn === "1.0.0" ? "object" : "array");
      assert.equal(reply.join_ref, join.join_ref);
      assert.deepEqual(reply.payload, { status: "ok", response: { postgres_changes: [] } });
      await client.removeChannel(ch);
    });

    test("broadcasts the room's creates and decisions, each equal to the SSE object, in log order", async () => {
      const { client, wire } = open();
      const ch = roomChannel(client, general);
      assert.equal((await subscribe(ch)).status, "SUBSCRIBED");
      const stream = await sse(server, general);
      await sleep(100); // the SSE stream is live
      const created = [];
      for (let i = 0; i < 4; i++) created.push(await checkIn(server, agent.api_key, general));
      assert.equal((await server.api("POST", `/v1/check-ins/${created[0].id}/approve`, OWNER, { reason: "fine" })).status, 200);
      assert.equal((await server.api("POST", `/v1/check-ins/${created[1].id}/reject`, OWNER, { reason: "no" })).status, 200);
      assert.equal((await server.api("POST", `/v1/check-ins/${created[2].id}/modify`, OWNER, { reason: "staging first", modifications: { env: "staging" } })).status, 200);
      const last = (m) => m.type === "checkin.modified";
      await eventually(() => ch.got.some((m) => last(m.payload)) && stream.events.some(last), "the modify on both transports");
      stream.close();
      const upTo = (list) => list.slice(0, list.findIndex(last) + 1);
      const sseObjects = upTo(stream.events);
      const broadcasts = upTo(ch.got.map((m) => m.payload));
      assert.deepEqual(broadcasts, sseObjects);
      assert.ok(broadcasts.length >= 7);
      for (const m of ch.got) {
        assert.equal(m.type, "broadcast");
        assert.equal(m.event, m.payload.type, "the event name is the event type");
      }
      const seqs = broadcasts.map((e) => e.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
      for (const t of ["checkin.created", "checkin.approved", "checkin.rejected", "checkin.modified"])
        assert.ok(broadcasts.some((e) => e.type === t), t);
      // on the wire: event broadcast, no refs, the channel's topic
      const frames = wire.filter((f) => f.dir === "in" && f.event === "broadcast");
      assert.ok(frames.length >= broadcasts.length);
      for (const f of frames) {
        assert.equal(f.topic, ch.topic);
        assert.equal(f.ref, null);
        assert.equal(f.join_ref, null);
      }
      // filtering by event name is the client's own
      await client.removeChannel(ch);
    });

    test("another organization's room, a room the caller is not a member of, and postgres_changes are CHANNEL_ERROR", async () => {
      const org = await server.api("POST", "/v1/orgs", OWNER, { name: "Other " + vsn, owner: { name: "O", email: `o${vsn}@example.com` } });
      assert.equal(org.status, 201, JSON.stringify(org.body));
      const theirs = (await server.api("GET", "/v1/rooms/general", org.body.data.token)).body.data;
      const privateRoom = await newRoom(server, "private-" + vsn.replaceAll(".", ""));
      const put = await server.api("PUT", `/v1/rooms/${privateRoom.slug}/members/${agent.agent.id}`, OWNER, { role: "agent" });
      assert.ok([200, 201].includes(put.status), JSON.stringify(put.body));
      const viewer = await newUser(server, "viewer");

      const { client, wire } = open();
      const other = roomChannel(client, theirs);
      const r1 = await subscribe(other);
      assert.equal(r1.status, "CHANNEL_ERROR");
      assert.equal(replyTo(wire, sent(wire, "phx_join", other.topic)[0]).payload.status, "error");
      assert.equal(replyTo(wire, sent(wire, "phx_join", other.topic)[0]).payload.response.reason, "room not found");
      await client.removeChannel(other);

      const asViewer = open({ apikey: viewer.token });
      const priv = roomChannel(asViewer.client, privateRoom);
      assert.equal((await subscribe(priv)).status, "CHANNEL_ERROR");
      await asViewer.client.removeChannel(priv);
      // the member agent may
      const asAgent = open({ apikey: agent.api_key });
      const mine = roomChannel(asAgent.client, privateRoom);
      assert.equal((await subscribe(mine)).status, "SUBSCRIBED");
      await asAgent.client.removeChannel(mine);

      const pg = client.channel(`room:${general.id}:events`);
      pg.on("postgres_changes", { event: "*", schema: "public", table: "checkins" }, () => {});
      const r3 = await subscribe(pg);
      assert.equal(r3.status, "CHANNEL_ERROR");
      const reply = replyTo(wire, sent(wire, "phx_join", pg.topic).at(-1));
      assert.match(reply.payload.response.reason, /postgres_changes/);
      await client.removeChannel(pg);
      // and a topic that is not a room's
      const odd = client.channel("room:lobby");
      assert.equal((await subscribe(odd)).status, "CHANNEL_ERROR");
      await client.removeChannel(odd);
      // none of those left the socket unusable
      const ok = roomChannel(client, general);
      assert.equal((await subscribe(ok)).status, "SUBSCRIBED");
      await client.removeChannel(ok);
    });

    test("a bad apikey or vsn is refused before the upgrade", async () => {
      await assert.rejects(rawSocket(server, `?apikey=wrh_nobody&vsn=${vsn}`), (e) => e.status === 401 && e.body.error.code === "UNAUTHORIZED");
      await assert.rejects(rawSocket(server, `?vsn=${vsn}`), (e) => e.status === 401);
      await assert.rejects(rawSocket(server, `?apikey=${OWNER}&vsn=3.0.0`), (e) => e.status === 400 && e.body.error.details.field === "vsn");
      // the client with a bad key never subscribes
      const { client, wire } = open({ apikey: "wrh_nobody" });
      const ch = roomChannel(client, general);
      let status = null;
      ch.subscribe((s) => { status = s; });
      await eventually(() => status !== null, "the refused connection");
      assert.equal(status, "CHANNEL_ERROR");
      assert.ok(wire.some((f) => f.dir === "error"));
      assert.equal(wire.filter((f) => f.dir === "in").length, 0);
      await client.removeChannel(ch);
      await client.disconnect();
    });

    test("setAuth: the token joins, a refresh keeps the channel, a revoked one closes it with phx_close", async () => {
      const alice = await newUser(server, "member");
      const bob = await newUser(server, "member");
      const { client, wire } = open();
      await client.setAuth(alice.token);
      const ch = roomChannel(client, general);
      let closed = false;
      ch.subscribe((s) => { if (s === "CLOSED") closed = true; });
      await eventually(() => ch.state === "joined", "joined");
      const [join] = sent(wire, "phx_join", ch.topic);
      assert.equal(join.payload.access_token, alice.token);
      // refresh to another valid token: the channel goes on
      await client.setAuth(bob.token);
      const [refresh] = sent(wire, "access_token", ch.topic);
      assert.equal(refresh.payload.access_token, bob.token);
      await eventually(() => replyTo(wire, refresh), "the refresh reply");
      assert.equal(replyTo(wire, refresh).payload.status, "ok");
      const c1 = await checkIn(server, agent.api_key, general);
      await eventually(() => ch.got.some((m) => m.payload.stream === c1.id), "an event after the refresh");
      // revoke bob's token: the channel closes
      const rotated = await server.api("POST", `/v1/users/${bob.id}/rotate-token`, OWNER, {});
      assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
      await eventually(() => closed, "CLOSED");
      const close = wire.find((f) => f.dir === "in" && f.event === "phx_close");
      assert.equal(close.topic, ch.topic);
      assert.equal(close.join_ref, join.join_ref);
      assert.equal(ch.state, "closed");
      const c2 = await checkIn(server, agent.api_key, general);
      await sleep(200);
      assert.ok(!ch.got.some((m) => m.payload.stream === c2.id), "nothing after the close");
      // a refresh to a token that is no good closes at once
      await client.setAuth(alice.token);
      const again = roomChannel(client, general);
      assert.equal((await subscribe(again)).status, "SUBSCRIBED");
      const dead = (await server.api("POST", `/v1/users/${alice.id}/rotate-token`, OWNER, {})).status;
      assert.equal(dead, 200);
      await eventually(() => again.state === "closed", "closed by the revocation");
      await client.removeChannel(again);
    });

    test("an agent key as apikey: deactivating the agent closes its channels", async () => {
      const a = await registerAgent(server);
      const { client } = open({ apikey: a.api_key });
      const ch = roomChannel(client, general);
      assert.equal((await subscribe(ch)).status, "SUBSCRIBED");
      assert.equal((await server.api("POST", `/v1/agents/${a.agent.id}/deactivate`, OWNER)).status, 200);
      await eventually(() => ch.state === "closed", "closed");
      await client.removeChannel(ch);
    });

    test("leave is answered ok (by ref, on the wire) and nothing more comes on that topic", async () => {
      const { client, wire } = open();
      const ch = roomChannel(client, general);
      assert.equal((await subscribe(ch)).status, "SUBSCRIBED");
      const keep = roomChannel(client, ops);
      assert.equal((await subscribe(keep)).status, "SUBSCRIBED");
      assert.equal(await ch.unsubscribe(), "ok");
      const [leave] = sent(wire, "phx_leave", ch.topic);
      await eventually(() => replyTo(wire, leave), "the leave reply");
      assert.equal(replyTo(wire, leave).payload.status, "ok");
      const at = wire.length;
      await checkIn(server, agent.api_key, general);
      const marker = await checkIn(server, agent.api_key, ops);
      await eventually(() => keep.got.some((m) => m.payload.stream === marker.id), "the other room's event");
      assert.deepEqual(wire.slice(at).filter((f) => f.dir === "in" && f.topic === ch.topic), []);
      await client.removeChannel(keep);
    });

    test("a client broadcast is not relayed: with ack the reply is an error", async () => {
      const { client, wire } = open();
      const ch = client.channel(`room:${general.id}:events`, { config: { broadcast: { ack: true, self: true } } });
      const got = [];
      ch.on("broadcast", { event: "hello" }, (m) => got.push(m));
      assert.equal((await subscribe(ch)).status, "SUBSCRIBED");
      assert.equal(await ch.send({ type: "broadcast", event: "hello", payload: { from: "client" } }), "error");
      const out = wire.filter((f) => f.dir === "out" && (f.binary || f.event === "broadcast"));
      assert.equal(out.length, 1);
      if (vsn === "2.0.0") assert.deepEqual(out[0], { dir: "out", binary: true, kind: 3 });
      const reply = wire.find((f) => f.dir === "in" && f.event === "phx_reply" && f.payload.status === "error" && /not relayed/.test(f.payload.response.reason));
      assert.ok(reply, "an error reply");
      await sleep(100);
      assert.deepEqual(got, [], "not even to itself");
      await client.removeChannel(ch);
    });

    test("presence is not offered: the channel works without presence_state, track is an error", async () => {
      const { client, wire } = open();
      const ch = client.channel(`room:${general.id}:events`, { config: { presence: { key: "me", enabled: true } } });
      const got = [];
      ch.on("presence", { event: "sync" }, () => got.push("sync"));
      ch.on("broadcast", { event: "checkin.created" }, (m) => got.push(m.payload.stream));
      assert.equal((await subscribe(ch)).status, "SUBSCRIBED");
      assert.equal(await ch.track({ online: true }), "error");
      const c = await checkIn(server, agent.api_key, general);
      await eventually(() => got.includes(c.id), "the broadcast");
      assert.ok(!wire.some((f) => f.event === "presence_state" || f.event === "presence_diff"));
      await client.removeChannel(ch);
    });

    test("two rooms on one socket are independent channels", async () => {
      const { client, sockets } = open();
      const a = roomChannel(client, general);
      const b = roomChannel(client, ops);
      assert.equal((await subscribe(a)).status, "SUBSCRIBED");
      assert.equal((await subscribe(b)).status, "SUBSCRIBED");
      const ca = await checkIn(server, agent.api_key, general);
      const cb = await checkIn(server, agent.api_key, ops);
      await eventually(() => a.got.some((m) => m.payload.stream === ca.id) && b.got.some((m) => m.payload.stream === cb.id), "both");
      assert.ok(a.got.every((m) => m.payload.room_id === general.id));
      assert.ok(b.got.every((m) => m.payload.room_id === ops.id));
      assert.equal(sockets.length, 1);
      await client.removeChannel(a);
      await client.removeChannel(b);
    });
  });
}

describe("Supabase Realtime: heartbeats, idle sockets, bad frames", () => {
  let server;
  let general;
  let agent;
  before(async () => {
    server = await startServer(["--realtime-idle-seconds", "1"]);
    general = (await server.api("GET", "/v1/rooms/general")).body.data;
    agent = await registerAgent(server);
  });
  after(async () => { await server.stop(); });

  for (const vsn of ["1.0.0", "2.0.0"]) {
    test(`heartbeats keep the socket past the idle limit (vsn ${vsn}); a silent socket is closed`, async () => {
      const beats = [];
      const { client, wire } = realtime(server, { vsn, heartbeatIntervalMs: 250, heartbeatCallback: (s) => beats.push(s) });
      const ch = roomChannel(client, general);
      assert.equal((await subscribe(ch)).status, "SUBSCRIBED");
      await sleep(2500);
      const c = await checkIn(server, agent.api_key, general);
      await eventually(() => ch.got.some((m) => m.payload.stream === c.id), "an event after 2.5 s");
      assert.ok(!wire.some((f) => f.dir === "close" || f.dir === "error"), "still open");
      assert.ok(beats.filter((b) => b === "ok").length >= 5, JSON.stringify(beats));
      const hb = sent(wire, "heartbeat", "phoenix")[0];
      assert.deepEqual(replyTo(wire, hb).payload, { status: "ok", response: {} });
      await client.disconnect();

      const silent = await rawSocket(server, `?apikey=${OWNER}&vsn=${vsn}`);
      const t0 = Date.now();
      await eventually(() => silent.closedWith, "the idle close", 5000);
      assert.equal(silent.closedWith.code, 1000);
      assert.match(silent.closedWith.reason, /no message/);
      assert.ok(Date.now() - t0 >= 800, "not before the limit");
    });
  }

  test("malformed frames get an error reply and the socket goes on", async () => {
    const v1 = await rawSocket(server, `?apikey=${OWNER}&vsn=1.0.0`);
    v1.send("not json");
    v1.send(JSON.stringify(["1", "1", "phoenix", "heartbeat", {}])); // an array is 2.0.0's
    v1.send(JSON.stringify({ topic: "phoenix", event: "heartbeat", payload: {}, ref: "7" }));
    await eventually(() => v1.messages.length >= 3, "three answers");
    const [bad1, bad2, hb] = v1.messages;
    assert.equal(bad1.topic, "phoenix");
    assert.equal(bad1.payload.status, "error");
    assert.match(bad1.payload.response.reason, /frame/);
    assert.match(bad2.payload.response.reason, /1\.0\.0 frames are objects/);
    assert.deepEqual(hb, { topic: "phoenix", event: "phx_reply", ref: "7", join_ref: null, payload: { status: "ok", response: {} } });
    v1.close();

    const v2 = await rawSocket(server, `?apikey=${OWNER}&vsn=2.0.0`);
    v2.send(JSON.stringify({ topic: "phoenix", event: "heartbeat", payload: {}, ref: "1" }));
    v2.send(Buffer.from([3, 0, 1])); // a binary frame shorter than its header
    v2.send(Buffer.from([9, 0, 0, 0, 0, 0, 1])); // a kind no one sends
    v2.send(JSON.stringify([null, "2", "realtime:room:rm_x:events", "broadcast", { type: "broadcast" }]));
    v2.send(JSON.stringify([null, "3", "phoenix", "heartbeat", {}]));
    await eventually(() => v2.messages.length >= 5, "five answers");
    assert.ok(v2.messages.every((m) => Array.isArray(m)), "2.0.0 answers are arrays");
    assert.match(v2.messages[0][4].response.reason, /2\.0\.0 frames are arrays/);
    assert.match(v2.messages[1][4].response.reason, /shorter/);
    assert.match(v2.messages[2][4].response.reason, /kind 3/);
    assert.deepEqual(v2.messages[3], [null, "2", "realtime:room:rm_x:events", "phx_reply", { status: "error", response: { reason: "unmatched topic" } }]);
    assert.deepEqual(v2.messages[4], [null, "3", "phoenix", "phx_reply", { status: "ok", response: {} }]);
    v2.close();
    assert.equal((await server.api("GET", "/healthz")).status, 200);
  });

});

describe("Supabase Realtime: slow clients", () => {
  let server;
  let general;
  before(async () => {
    server = await startServer(["--stream-buffer-kib", "64"]);
    general = (await server.api("GET", "/v1/rooms/general")).body.data;
  });
  after(async () => { await server.stop(); });

  test("a slow client is cut off while a Realtime client and the writers go on", async () => {
    const normal = realtime(server, { vsn: "2.0.0", heartbeatIntervalMs: 300 });
    const ch = roomChannel(normal.client, general);
    assert.equal((await subscribe(ch)).status, "SUBSCRIBED");
    const slow = await rawSocket(server, `?apikey=${OWNER}&vsn=1.0.0`);
    slow.send(JSON.stringify({ topic: `realtime:room:${general.id}:events`, event: "phx_join", payload: { config: {} }, ref: "1", join_ref: "1" }));
    await eventually(() => slow.messages.length >= 1, "the join reply");
    assert.equal(slow.messages[0].payload.status, "ok");
    slow.pause(); // a slow reader: it stops reading its socket
    const blob = "x".repeat(9000);
    const ids = [];
    for (let i = 0; i < 300; i++) {
      const r = await server.api("POST", "/v1/rooms/general/signal", OWNER, { type: "bulk", payload: { i, blob } });
      assert.equal(r.status, 202);
      ids.push(r.body.data.id);
    }
    await eventually(() => ch.got.filter((m) => m.event === "signal.broadcast").length >= ids.length, "every signal at the Realtime client", 20000);
    assert.deepEqual(ch.got.filter((m) => m.event === "signal.broadcast").map((m) => m.payload.data.id), ids);
    slow.resume();
    await eventually(() => slow.closedWith, "the slow client's close", 20000);
    assert.ok([1008, 1006].includes(slow.closedWith.code), "closed as a slow consumer: " + JSON.stringify(slow.closedWith));
    const received = slow.messages.filter((m) => m.event === "broadcast").length;
    assert.ok(received < ids.length, `the slow one did not get everything (${received})`);
    await normal.client.disconnect();
  });
});
