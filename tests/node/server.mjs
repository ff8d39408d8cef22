// Starts the real server on a free loopback port with a fresh data directory.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

export const OWNER = "wrh_" + "B".repeat(32);

/** `dataDir`: reuse a data directory (a restart); `stop({ keep: true })` leaves it. */
export async function startServer(args = [], { dataDir = mkdtempSync(join(tmpdir(), "waitroom-node-")) } = {}) {
  const proc = spawn(process.env.WAITROOM_BIN, ["serve", "--data", dataDir, "--listen", "127.0.0.1:0", ...args], {
    env: { ...process.env, WAITROOM_BOOTSTRAP_TOKEN: OWNER },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: proc.stdout });
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the server did not start")), 20000);
    lines.on("line", (line) => {
      const m = line.match(/listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on("exit", (code) => reject(new Error("the server exited with " + code)));
  });
  return {
    base,
    proc,
    /** A JSON request with a bearer token: {status, body}. */
    async api(method, path, token = OWNER, body = undefined) {
      const res = await fetch(base + path, {
        method,
        headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
    },
    dataDir,
    async stop({ keep = false } = {}) {
      const exited = new Promise((r) => proc.on("exit", r));
      proc.kill("SIGTERM");
      await exited;
      if (!keep) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * For the tests of the served OpenAPI document: a server, the document it serves
 * (`GET /v1/openapi.json`), and a scratch directory; `stop()` removes both.
 */
export async function servedDocument(scratchPrefix) {
  const server = await startServer();
  const res = await fetch(server.base + "/v1/openapi.json");
  if (res.status !== 200) throw new Error("GET /v1/openapi.json: " + res.status);
  const doc = await res.json();
  const dir = mkdtempSync(join(tmpdir(), scratchPrefix));
  return {
    server, doc, dir,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
