// `POST /mcp` through the MCP Inspector's command line (@modelcontextprotocol/inspector,
// pinned), as a user would point it at the server: list the tools (what an agent may
// use, with titles, hints and output schemas), call one, get a tool error back; and a
// missing key or a person's token is refused with the server's own words, without the
// Inspector setting off on an OAuth flow (the server does none: its 401 carries no
// `resource_metadata`, and its OAuth discovery paths answer 404 saying so).
// `--stored-auth-only` keeps the Inspector from ever opening a browser or a port.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OWNER, startServer } from "./server.mjs";

let server, key, home;
before(async () => {
  server = await startServer();
  const agent = await server.api("POST", "/v1/agents/register", OWNER, { name: "inspected" });
  key = agent.body.data.api_key;
  home = mkdtempSync(join(tmpdir(), "waitroom-inspector-"));
});
after(async () => {
  await server.stop();
  rmSync(home, { recursive: true, force: true });
});

/** Runs the Inspector's CLI: {code, out (parsed stdout), err (parsed stderr)}. */
function inspector(args, credential) {
  const headers = credential ? ["--header", "Authorization: Bearer " + credential] : [];
  return new Promise((resolve) => {
    execFile("node_modules/.bin/mcp-inspector",
      ["--cli", server.base + "/mcp", "--transport", "http", ...headers, "--stored-auth-only",
       "--format", "json", "-q", ...args],
      { env: { ...process.env, HOME: home, MCP_INSPECTOR_SECRET_STORE: "memory" }, timeout: 60000 },
      (error, stdout, stderr) => {
        const parse = (t) => { try { return JSON.parse(t.trim().split("\n").pop()); } catch { return t; } };
        resolve({ code: error ? error.code : 0, out: parse(stdout), err: parse(stderr) });
      });
  });
}

test("the Inspector lists the tools an agent may use, with hints and output schemas", async () => {
  const r = await inspector(["--method", "tools/list"], key);
  assert.equal(r.code, 0, JSON.stringify(r));
  const tools = r.out.result.tools;
  const names = tools.map((t) => t.name);
  assert.ok(names.includes("waitroom_check_in"));
  assert.ok(!names.includes("waitroom_signal"), "signals are for people: not offered to agents");
  for (const t of tools) {
    assert.ok(t.title && t.annotations && t.outputSchema, t.name);
    assert.equal(t.outputSchema.type, "object");
  }
});

test("the Inspector calls a tool, and gets a tool error for invalid arguments", async () => {
  const ok = await inspector(["--method", "tools/call", "--tool-name", "waitroom_check_in",
    "--tool-args-json", JSON.stringify({ room: "general", action: "deploy v2.3.1 to production" })], key);
  assert.equal(ok.code, 0, JSON.stringify(ok));
  assert.equal(ok.out.result.isError, false);
  assert.equal(ok.out.result.structuredContent.status, "pending");
  // (mcp.test.mjs holds every result to its tool's outputSchema with ajv)
  const bad = await inspector(["--method", "tools/call", "--tool-name", "waitroom_check_in",
    "--tool-args-json", JSON.stringify({ room: "general", action: "" })], key);
  assert.equal(bad.code, 5, JSON.stringify(bad)); // the Inspector's exit status for a tool error
  assert.equal(bad.out.result.structuredContent.code, "VALIDATION_ERROR");
});

test("a missing key is refused in words, with no OAuth to look for", async () => {
  const r = await inspector(["--method", "tools/list"], null);
  assert.equal(r.code, 3, JSON.stringify(r)); // auth_required
  assert.equal(r.err.error.code, "auth_required");
  assert.match(r.err.error.message, /missing credential: send Authorization: Bearer/);
  assert.match(r.err.error.message, /does not use OAuth/);
  const unknown = await inspector(["--method", "tools/list"], "wr_" + "x".repeat(32));
  assert.equal(unknown.code, 3);
  assert.match(unknown.err.error.message, /unknown credential/);
  const person = await inspector(["--method", "tools/list"], OWNER);
  assert.equal(person.code, 3);
  assert.match(person.err.error.message, /FORBIDDEN/);
  // where an OAuth client would look next, the server says there is no OAuth
  const prm = await fetch(server.base + "/.well-known/oauth-protected-resource/mcp");
  assert.equal(prm.status, 404);
  assert.match((await prm.json()).error.message, /does not support OAuth/);
});
