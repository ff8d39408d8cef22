// The MCP endpoint (`POST /mcp`, API.md "Agent integrations") with the official
// TypeScript SDK, @modelcontextprotocol/sdk, over Streamable HTTP: connect with an agent
// key, list the tools, check in with wait_for_decision while a person approves over
// REST, a check-in forbidden by policy, invalid arguments, an unknown tool, a wait that
// runs out; and the protocol edges with plain fetch (401/403, GET 405, notifications
// 202, version negotiation, batches).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { OWNER, startServer } from "./server.mjs";

/** The validator of each tool's outputSchema, compiled by us (not the SDK's own). */
function outputValidators(tools) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return new Map(tools.filter((t) => t.outputSchema).map((t) => [t.name, ajv.compile(t.outputSchema)]));
}

async function connect(server, key) {
  const client = new Client({ name: "waitroom-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(server.base + "/mcp"), {
    requestInit: { headers: { Authorization: "Bearer " + key } },
  });
  await client.connect(transport);
  // Every result of every test is held to its tool's outputSchema, errors included.
  const validators = outputValidators((await client.listTools()).tools);
  const call = client.callTool.bind(client);
  client.callTool = async (request, ...rest) => {
    const result = await call(request, ...rest);
    const valid = validators.get(request.name);
    if (valid && result.structuredContent !== undefined)
      assert.ok(valid(result.structuredContent),
        `${request.name}: ${JSON.stringify(valid.errors)} in ${JSON.stringify(result.structuredContent)}`);
    return result;
  };
  return { client, transport, validators };
}

/** Approves the first pending check-in of the room with this action, as the owner. */
async function approveWhenPending(server, action, decide = "approve", body = {}) {
  for (let i = 0; i < 200; i++) {
    const r = await server.api("GET", "/v1/check-ins?room=general&status=pending&limit=50");
    const ci = r.body.data.find((c) => c.action === action);
    if (ci) {
      const d = await server.api("POST", `/v1/check-ins/${ci.id}/${decide}`, OWNER, body);
      assert.equal(d.status, 200, JSON.stringify(d.body));
      return ci.id;
    }
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error("the check-in never became pending");
}

async function rpc(server, body, headers = {}) {
  const res = await fetch(server.base + "/mcp", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

describe("MCP", () => {
  let server, key, mcp;
  before(async () => {
    server = await startServer();
    const agent = await server.api("POST", "/v1/agents/register", OWNER, { name: "claude", platform: "mcp" });
    key = agent.body.data.api_key;
    const room = await server.api("POST", "/v1/rooms", OWNER, {
      name: "Guarded", slug: "guarded",
      policy: { rules: [{ id: "no-rm", effect: "forbid", when: { action_regex: "^rm -rf" } }] },
    });
    assert.equal(room.status, 201, JSON.stringify(room.body));
    mcp = await connect(server, key);
  });
  after(async () => { await mcp?.client.close(); await server.stop(); });

  test("initialize negotiates a version and names the server", async () => {
    assert.equal(mcp.client.getServerVersion().name, "waitroom");
    assert.ok(mcp.client.getServerCapabilities().tools);
    assert.ok(["2025-03-26", "2025-06-18", "2025-11-25"].includes(mcp.transport.protocolVersion), mcp.transport.protocolVersion);
  });

  test("tools/list has the tools of API.md an agent may use, with schemas and hints", async () => {
    const { tools } = await mcp.client.listTools();
    // waitroom_signal is for people: not listed to agents (calling it is a tool error)
    assert.deepEqual(tools.map((t) => t.name).sort(), [
      "waitroom_check_in", "waitroom_check_status", "waitroom_claim_task", "waitroom_list_rooms",
      "waitroom_list_tasks", "waitroom_post_message", "waitroom_release_task",
      "waitroom_submit_result", "waitroom_watch", "waitroom_withdraw"]);
    for (const t of tools) {
      assert.equal(t.inputSchema.type, "object", t.name);
      assert.ok(t.description.length > 10, t.name);
      assert.ok(t.title, t.name);
      assert.equal(typeof t.annotations.readOnlyHint, "boolean", t.name);
      assert.equal(typeof t.annotations.openWorldHint, "boolean", t.name);
      // the API's own shapes, resolved, or its error object (both in structuredContent)
      assert.equal(t.outputSchema.type, "object", t.name);
      assert.equal(t.outputSchema.anyOf.length, 2, t.name);
      assert.ok(!JSON.stringify(t.outputSchema).includes("$ref"), t.name);
      assert.ok(t.outputSchema.anyOf[1].properties.code, t.name);
    }
    // the validators really validate: a status object without a status is refused
    const valid = outputValidators(tools).get("waitroom_check_status");
    assert.equal(valid({ id: "ci_x" }), false);
    assert.equal(valid({ code: "NOT_FOUND", message: "m", statusCode: 404, details: {} }), true);
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    assert.equal(byName.waitroom_check_status.annotations.readOnlyHint, true);
    assert.equal(byName.waitroom_list_rooms.annotations.readOnlyHint, true);
    assert.equal(byName.waitroom_withdraw.annotations.destructiveHint, true);
    assert.equal(byName.waitroom_check_in.annotations.destructiveHint, false);
    assert.equal(byName.waitroom_watch.annotations.openWorldHint, true);
    assert.ok(byName.waitroom_check_status.outputSchema.anyOf[0].required.includes("status"));
    const checkIn = byName.waitroom_check_in;
    assert.deepEqual(checkIn.inputSchema.required, ["room", "action"]);
    assert.equal(checkIn.inputSchema.properties.wait_for_decision.type, "boolean");
  });

  test("check in and wait: the decision a person takes over REST comes back", async () => {
    const action = "deploy v2.3.1 to production " + Date.now();
    const [result, id] = await Promise.all([
      mcp.client.callTool({ name: "waitroom_check_in", arguments: { room: "general", action, risk_level: "high", wait_for_decision: true, max_wait_seconds: 30 } }),
      approveWhenPending(server, action),
    ]);
    assert.equal(result.isError, false, JSON.stringify(result));
    assert.equal(result.structuredContent.id, id);
    assert.equal(result.structuredContent.status, "approved");
    assert.deepEqual(JSON.parse(result.content[0].text), result.structuredContent);
    // modified, too: the modifications come back
    const action2 = "scale to 10 " + Date.now();
    const [modified] = await Promise.all([
      mcp.client.callTool({ name: "waitroom_check_in", arguments: { room: "general", action: action2, wait_for_decision: true } }),
      approveWhenPending(server, action2, "modify", { modifications: { replicas: 5 }, reason: "staging first" }),
    ]);
    assert.equal(modified.structuredContent.status, "modified");
    assert.deepEqual(modified.structuredContent.modifications, { replicas: 5 });
  });

  test("without waiting: the check-in; then status, and a wait that runs out is pending", async () => {
    const created = await mcp.client.callTool({ name: "waitroom_check_in", arguments: { room: "general", action: "rotate keys" } });
    assert.equal(created.structuredContent.status, "pending");
    const status = await mcp.client.callTool({ name: "waitroom_check_status", arguments: { check_in_id: created.structuredContent.id } });
    assert.equal(status.structuredContent.status, "pending");
    const t0 = Date.now();
    const waited = await mcp.client.callTool({ name: "waitroom_check_in", arguments: { room: "general", action: "patience", wait_for_decision: true, max_wait_seconds: 1 } });
    assert.equal(waited.isError, false);
    assert.equal(waited.structuredContent.status, "pending");
    assert.ok(Date.now() - t0 >= 900, "it waited");
    const withdrawn = await mcp.client.callTool({ name: "waitroom_withdraw", arguments: { check_in_id: waited.structuredContent.id } });
    assert.equal(withdrawn.structuredContent.status, "withdrawn");
  });

  test("a check-in the policy forbids is a tool error POLICY_FORBIDS", async () => {
    const r = await mcp.client.callTool({ name: "waitroom_check_in", arguments: { room: "guarded", action: "rm -rf /var/lib", wait_for_decision: true } });
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /POLICY_FORBIDS/);
    assert.equal(r.structuredContent.code, "POLICY_FORBIDS");
  });

  test("invalid arguments are tool errors; an unknown tool is -32602", async () => {
    for (const [args, field] of [[{ room: "general" }, "action"], [{ room: "general", action: "x", risk_level: "extreme" }, "risk_level"],
      [{ room: "../v1/users", action: "x" }, "room"], [{ room: "general", action: "x", bogus: 1 }, "bogus"],
      [{ room: "general", action: "" }, "action"]]) {
      const r = await mcp.client.callTool({ name: "waitroom_check_in", arguments: args });
      assert.equal(r.isError, true, JSON.stringify(args));
      assert.equal(r.structuredContent.code, "VALIDATION_ERROR", JSON.stringify(r));
      assert.equal(r.structuredContent.details.field, field, JSON.stringify(r));
    }
    await assert.rejects(mcp.client.callTool({ name: "waitroom_dance", arguments: {} }), (e) => e.code === -32602);
    const signal = await mcp.client.callTool({ name: "waitroom_signal", arguments: { room: "general", type: "x" } });
    assert.equal(signal.isError, true);
    assert.equal(signal.structuredContent.code, "FORBIDDEN");
  });

  test("tasks: list, claim, post, submit, release", async () => {
    const task = await server.api("POST", "/v1/rooms/general/tasks", OWNER, { action: "rotate the five keys" });
    assert.equal(task.status, 201, JSON.stringify(task.body));
    const id = task.body.data.id;
    const list = await mcp.client.callTool({ name: "waitroom_list_tasks", arguments: { room: "general" } });
    assert.ok(list.structuredContent.data.some((t) => t.id === id), JSON.stringify(list));
    const claimed = await mcp.client.callTool({ name: "waitroom_claim_task", arguments: { check_in_id: id } });
    assert.equal(claimed.structuredContent.status, "claimed");
    const msg = await mcp.client.callTool({ name: "waitroom_post_message", arguments: { check_in_id: id, type: "comment", content: "two done" } });
    assert.equal(msg.isError, false, JSON.stringify(msg));
    const submitted = await mcp.client.callTool({ name: "waitroom_submit_result", arguments: { check_in_id: id, content: "all five" } });
    assert.equal(submitted.structuredContent.status, "in_review");
    const rooms = await mcp.client.callTool({ name: "waitroom_list_rooms", arguments: {} });
    assert.ok(rooms.structuredContent.data.some((r) => r.slug === "general"));
  });

  test("the protocol's edges", async () => {
    // no key, unknown key: 401 with WWW-Authenticate; a person: 403
    // exactly `Bearer` (API.md), no `resource_metadata`: the server does no OAuth
    for (const h of [{}, { Authorization: "Bearer wr_nothing" }]) {
      const r = await rpc(server, { jsonrpc: "2.0", id: 1, method: "ping" }, h);
      assert.equal(r.status, 401);
      assert.equal(r.headers.get("www-authenticate"), "Bearer");
    }
    // the OAuth discovery and registration paths say so in words
    for (const [method, path] of [["GET", "/.well-known/oauth-protected-resource/mcp"],
                                  ["GET", "/.well-known/oauth-protected-resource"],
                                  ["GET", "/.well-known/oauth-authorization-server"],
                                  ["GET", "/.well-known/openid-configuration"],
                                  ["POST", "/register"], ["GET", "/authorize"], ["POST", "/token"]]) {
      const r = await fetch(server.base + path, { method });
      assert.equal(r.status, 404, path);
      const body = await r.json();
      assert.match(body.error.message, /does not support OAuth/, path);
    }
    assert.equal((await rpc(server, { jsonrpc: "2.0", id: 1, method: "ping" }, { Authorization: "Bearer " + OWNER })).status, 403);
    const auth = { Authorization: "Bearer " + key };
    // another origin (a browser page: DNS rebinding) is refused; the server's own is fine
    assert.equal((await rpc(server, { jsonrpc: "2.0", id: 1, method: "ping" }, { ...auth, Origin: "http://evil.example" })).status, 403);
    assert.equal((await rpc(server, { jsonrpc: "2.0", id: 1, method: "ping" }, { ...auth, Origin: server.base })).status, 200);
    assert.equal((await fetch(server.base + "/mcp", { headers: auth })).status, 405);
    // notifications and responses: 202, nothing
    const note = await rpc(server, { jsonrpc: "2.0", method: "notifications/initialized" }, auth);
    assert.equal(note.status, 202);
    assert.equal(note.body, null);
    // an old client gets the newest version; a known one is echoed
    let r = await rpc(server, { jsonrpc: "2.0", id: 7, method: "initialize", params: { protocolVersion: "2024-11-05", capabilities: {}, clientInfo: { name: "x", version: "1" } } }, auth);
    assert.equal(r.body.result.protocolVersion, "2025-11-25");
    r = await rpc(server, { jsonrpc: "2.0", id: 8, method: "initialize", params: { protocolVersion: "2025-03-26", capabilities: {}, clientInfo: { name: "x", version: "1" } } }, auth);
    assert.equal(r.body.result.protocolVersion, "2025-03-26");
    assert.equal(r.body.id, 8);
    assert.equal((await rpc(server, { jsonrpc: "2.0", id: 1, method: "ping" }, { ...auth, "MCP-Protocol-Version": "1999-01-01" })).status, 400);
    // errors of JSON-RPC itself
    r = await rpc(server, "{not json", auth);
    assert.equal(r.body.error.code, -32700);
    r = await rpc(server, { jsonrpc: "2.0", id: 2, method: "resources/list" }, auth);
    assert.equal(r.body.error.code, -32601);
    // a batch
    r = await rpc(server, [{ jsonrpc: "2.0", id: "a", method: "ping" }, { jsonrpc: "2.0", method: "notifications/x" }, { jsonrpc: "2.0", id: "b", method: "tools/list" }], auth);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.map((x) => x.id), ["a", "b"]);
  });
});
