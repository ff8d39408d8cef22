// Web Push end to end (API.md "Real-time events"): a local push service on a loopback
// port stands in for the browser vendor's. A subscription made with Node's own crypto
// (as a browser would) is registered; when a check-in enters pending, and when it is
// about to expire, the push that arrives is decrypted here with the subscription's
// private key (RFC 8291 / RFC 8188 aes128gcm, independently of the server's code) and
// its VAPID JWT (RFC 8292, ES256) verified with the server's public key. Only approvers
// get pushes; a 410 removes the subscription; subscriptions survive a restart.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { b64u, browserSubscription, browsers, decrypt, pushService, vapidKeys, verifyVapid } from "./push_service.mjs";
import { OWNER, startServer } from "./server.mjs";

async function waitFor(pred, ms = 10000) {
  const deadline = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("Web Push", () => {
  let server, service, vapid, key, viewerToken;
  const pushed = (path) => service.received.filter((r) => r.path === path);

  before(async () => {
    vapid = vapidKeys();
    service = await pushService((path) => (path === "/gone" ? 410 : 201));
    server = await startServer(vapid.args);
    const agent = await server.api("POST", "/v1/agents/register", OWNER, { name: "pusher" });
    key = agent.body.data.api_key;
    const viewer = await server.api("POST", "/v1/users", OWNER, { name: "Vic", email: "vic@example.com", role: "viewer" });
    viewerToken = viewer.body.data.token;
  });
  after(async () => { await server?.stop(); await service?.close(); });

  test("subscriptions are checked; only people subscribe", async () => {
    const good = browserSubscription(service.origin + "/x").json;
    for (const [body, field] of [
      [{ endpoint: good.endpoint }, "keys"],
      [{ endpoint: "ftp://push.example/x", keys: good.keys }, "endpoint"],
      [{ endpoint: good.endpoint, keys: { ...good.keys, p256dh: b64u(randomBytes(65)) } }, "keys.p256dh"],
      [{ endpoint: good.endpoint, keys: { ...good.keys, auth: b64u(randomBytes(8)) } }, "keys.auth"],
      [{ endpoint: good.endpoint, keys: { auth: good.keys.auth } }, "keys.p256dh"],
    ]) {
      const r = await server.api("POST", "/v1/push/subscriptions", OWNER, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.error.code, "VALIDATION_ERROR");
      assert.equal(r.body.error.details.field, field);
    }
    assert.equal((await server.api("POST", "/v1/push/subscriptions", key, good)).status, 403);
    assert.equal((await server.api("GET", "/v1/push/vapid-public-key")).body.data.public_key, vapid.WAITROOM_VAPID_PUBLIC_KEY);
  });

  test("a check-in entering pending is pushed, encrypted, to the approvers only", async () => {
    const owner = browserSubscription(service.origin + "/owner");
    const viewer = browserSubscription(service.origin + "/viewer");
    let r = await server.api("POST", "/v1/push/subscriptions", OWNER, owner.json);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.data.endpoint, owner.json.endpoint);
    r = await server.api("POST", "/v1/push/subscriptions", viewerToken, viewer.json);
    assert.equal(r.status, 201);

    const ci = await server.api("POST", "/v1/rooms/general/check-in", key, { action: "deploy v2.3.1 to production", risk_level: "high" });
    assert.equal(ci.status, 201);
    assert.equal(ci.body.data.status, "pending");
    await waitFor(() => pushed("/owner").length === 1);
    const push = pushed("/owner")[0];
    assert.equal(push.headers["content-encoding"], "aes128gcm");
    assert.equal(push.headers["content-type"], "application/octet-stream");
    assert.equal(push.headers.urgency, "high");
    assert.ok(Number(push.headers.ttl) > 0);
    const claims = verifyVapid(push.headers.authorization, vapid.WAITROOM_VAPID_PUBLIC_KEY);
    assert.equal(claims.aud, service.origin);
    assert.equal(claims.sub, "mailto:ops@example.com");
    assert.ok(claims.exp > Date.now() / 1000 && claims.exp <= Date.now() / 1000 + 24 * 3600);
    const payload = decrypt(owner, push.body);
    assert.equal(payload.type, "checkin.pending");
    assert.equal(payload.check_in_id, ci.body.data.id);
    assert.equal(payload.room, "general");
    assert.equal(payload.body, "deploy v2.3.1 to production");
    // a viewer cannot decide: no push for them
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(pushed("/viewer").length, 0);
  });

  test("checkin.expiring is pushed before the deadline", async () => {
    const before = pushed("/owner").length;
    const ci = await server.api("POST", "/v1/rooms/general/check-in", key, { action: "short one", timeout_ms: 2000 });
    assert.equal(ci.status, 201);
    await waitFor(() => pushed("/owner").length >= before + 2, 5000);
    const payloads = pushed("/owner").slice(before).map((p) => decrypt(browsers.get("/owner"), p.body));
    assert.deepEqual(payloads.map((p) => p.type), ["checkin.pending", "checkin.expiring"]);
    assert.ok(payloads.every((p) => p.check_in_id === ci.body.data.id));
  });

  test("a 410 from the push service removes the subscription; DELETE removes one", async () => {
    const gone = browserSubscription(service.origin + "/gone");
    assert.equal((await server.api("POST", "/v1/push/subscriptions", OWNER, gone.json)).status, 201);
    await server.api("POST", "/v1/rooms/general/check-in", key, { action: "to a gone browser" });
    await waitFor(() => pushed("/gone").length === 1);
    await waitFor(async () => /waitroom_push_removed_total 1\n/.test(await (await fetch(server.base + "/metrics")).text()));
    const del = await server.api("DELETE", "/v1/push/subscriptions", OWNER, { endpoint: gone.json.endpoint });
    assert.equal(del.status, 404, "already removed");
    await server.api("POST", "/v1/rooms/general/check-in", key, { action: "after the 410" });
    await waitFor(() => pushed("/owner").length >= 4);
    assert.equal(pushed("/gone").length, 1, "nothing more to a removed subscription");
  });

  test("subscriptions survive a restart", async () => {
    await server.stop({ keep: true });
    server = await startServer(["--vapid-public-key", vapid.WAITROOM_VAPID_PUBLIC_KEY,
      "--vapid-private-key", vapid.WAITROOM_VAPID_PRIVATE_KEY], { dataDir: server.dataDir });
    const count = pushed("/owner").length;
    const ci = await server.api("POST", "/v1/rooms/general/check-in", key, { action: "after a restart" });
    assert.equal(ci.status, 201);
    await waitFor(() => pushed("/owner").length === count + 1);
    assert.equal(decrypt(browsers.get("/owner"), pushed("/owner").at(-1).body).check_in_id, ci.body.data.id);
    const del = await server.api("DELETE", "/v1/push/subscriptions", OWNER, { endpoint: service.origin + "/owner" });
    assert.equal(del.status, 200);
    await server.api("POST", "/v1/rooms/general/check-in", key, { action: "unsubscribed" });
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(pushed("/owner").length, count + 1);
  });

});
