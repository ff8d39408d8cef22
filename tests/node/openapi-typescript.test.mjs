// The served OpenAPI document (`GET /v1/openapi.json`) works for a typed client:
// openapi-typescript generates types from it, and a small typical client compiles
// against them with `tsc --noEmit --strict`. A free-form object (check-in `metadata`,
// `modifications`, a watcher's `filter`, ...) without `additionalProperties: true` comes
// out as `Record<string, never>`, and then `metadata: {version: "2.3.1"}` does not
// compile: this test fails. Two controls show that the compile step really type-checks.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import { servedDocument } from "./server.mjs";

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

// A typical client: request bodies with free-form objects, reading answers.
const CLIENT = `
import type { components, paths } from "./api";

type Schemas = components["schemas"];
type Body<P extends keyof paths, M extends "post" | "put" | "patch" | "delete"> =
  paths[P][M] extends { requestBody?: { content: { "application/json": infer B } } } ? B : never;

export const checkIn: Body<"/v1/rooms/{room}/check-in", "post"> = {
  action: "deploy v2.3.1 to production",
  reason: "release train",
  risk_level: "high",
  metadata: { version: "2.3.1", replicas: 3, canary: true, regions: ["eu", "us"], owner: { team: "infra" } },
  timeout_minutes: 30,
};
export const checkInWithAlias: Body<"/v1/rooms/{room}/check-in", "post"> = {
  action: "rotate the database password",
  context: { database: "orders" },
};
export const modify: Body<"/v1/check-ins/{id}/modify", "post"> = {
  modifications: { environment: "staging" },
  reason: "not on a Friday",
};
export const watcher: Body<"/v1/rooms/{room}/watch", "post"> = {
  webhook_url: "https://hooks.example.test/waitroom",
  event_types: ["checkin.created", "checkin.approved"],
  filter: { environment: "production", "service.tier": 1 },
};
export const signal: Body<"/v1/rooms/{room}/signal", "post"> = {
  type: "deploy.window",
  payload: { open: true, until: "2026-11-24T18:00:00.000Z" },
};
export const message: Body<"/v1/check-ins/{id}/messages", "post"> = {
  type: "comment",
  content: "looks good",
  metadata: { source: "ci", build: 1234 },
  attachments: [{ name: "plan.txt", url: "https://files.example.test/plan.txt", content_type: "text/plain", size: 12 }],
};
export const submit: Body<"/v1/check-ins/{id}/submit", "post"> = {
  content: "done",
  metadata: { pr: "https://git.example.test/pr/7" },
};
export const policy: Body<"/v1/rooms/{room}/policy", "put"> = {
  rules: [{ id: "no-prod-friday", effect: "forbid", when: { action: "deploy * production", metadata: { "env.name": "production" } } }],
  default_action: "require_approval",
};
export const user: Body<"/v1/users", "post"> = { name: "Ada", email: "ada@example.test", role: "member" };

type Created = paths["/v1/rooms/{room}/check-in"]["post"]["responses"][201]["content"]["application/json"];
type Modified = paths["/v1/check-ins/{id}/modify"]["post"]["responses"][200]["content"]["application/json"];
type Status = paths["/v1/check-ins/{id}/status"]["get"]["responses"][200]["content"]["application/json"];
type Watchers = paths["/v1/rooms/{room}/watchers"]["get"]["responses"][200]["content"]["application/json"];
type Failure = paths["/v1/rooms/{room}/check-in"]["post"]["responses"][400]["content"]["application/json"];

export function describeCheckIn(res: Created): string {
  const status: Schemas["CheckInStatusValue"] = res.data.status;
  const version: unknown = res.data.metadata["version"];
  return res.data.id + " " + status + " " + String(version);
}
export function environmentAfterModify(res: Modified): unknown {
  return res.data.modifications?.["environment"];
}
export function decided(res: Status): boolean {
  return res.data.status !== "pending" && res.data.decision !== null;
}
export function filters(res: Watchers): unknown[] {
  return res.data.map((w) => w.filter["environment"]);
}
export function eventData(e: Schemas["EventEnvelope"]): unknown {
  return e.data["status"];
}
export function failure(res: Failure): string {
  return res.error.code + ": " + res.error.message + " (" + res.error.statusCode + ")";
}
`;

// Deliberate type errors: the compile step must refuse them.
const BROKEN = `
import type { components } from "./api";
export const wrongType: components["schemas"]["CheckInCreate"] = { action: 42 };
export const noSuchStatus: components["schemas"]["CheckInStatusValue"] = "maybe";
`;

let served;
let doc;
let dir;
before(async () => {
  served = await servedDocument("waitroom-openapi-ts-");
  ({ doc, dir } = served);
});
after(async () => { await served.stop(); });

// `defaultNonNullable: false` (CLI `--default-non-nullable false`): with openapi-typescript's
// default, a property with a `default` becomes required even in a request body when the
// body's schema is a component (openapi-ts/openapi-typescript#2012), so `CheckInCreate`
// would demand `reason`, `risk_level`, `urgency` and `metadata`. The document's defaults
// are right (the server applies them); clients generate with this option.
async function generate(document) {
  return astToString(await openapiTS(structuredClone(document), { defaultNonNullable: false }));
}

/** `tsc --noEmit --strict` over `files` (name -> source) in a fresh folder: {ok, output}. */
function compile(name, files) {
  const root = mkdtempSync(join(dir, name + "-"));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, file), text);
  const args = [tsc, "--noEmit", "--strict", "--pretty", "false", "--target", "es2022",
    "--lib", "es2022", "--module", "esnext", "--moduleResolution", "bundler",
    ...Object.keys(files).filter((f) => f.endsWith(".ts")).map((f) => join(root, f))];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, timeout: 120000 }, (err, stdout, stderr) => {
      resolve({ ok: !err, output: stdout + stderr });
    });
  });
}

test("the generated types have no empty free-form object", async () => {
  const types = await generate(doc);
  const empty = types.split("\n").filter((l) => l.includes("Record<string, never>"))
    .filter((l) => !/^export type (webhooks|\$defs) = Record<string, never>;$/.test(l.trim()));
  assert.deepEqual(empty, [], "objects without keys in the generated types");
});

test("a typical client compiles against the generated types (tsc --strict)", async () => {
  const types = await generate(doc);
  const { ok, output } = await compile("client", { "api.d.ts": types, "client.ts": CLIENT });
  assert.ok(ok, "tsc refused the client:\n" + output);
});

test("control: tsc refuses a client with type errors", async () => {
  const types = await generate(doc);
  const { ok, output } = await compile("broken", { "api.d.ts": types, "broken.ts": BROKEN });
  assert.equal(ok, false, "tsc accepted deliberate type errors");
  assert.match(output, /broken\.ts\(3,\d+\): error TS2322/);
  assert.match(output, /broken\.ts\(4,\d+\): error TS2322/);
});

test("control: the client does not compile when free-form objects lose additionalProperties", async () => {
  const closed = structuredClone(doc);
  let removed = 0;
  (function strip(v) {
    if (Array.isArray(v)) return v.forEach(strip);
    if (v === null || typeof v !== "object") return;
    if (v.additionalProperties === true && !v.properties) { delete v.additionalProperties; removed++; }
    Object.values(v).forEach(strip);
  })(closed.components);
  assert.ok(removed >= 10, "expected free-form objects in the document, found " + removed);
  const { ok, output } = await compile("closed", { "api.d.ts": await generate(closed), "client.ts": CLIENT });
  assert.equal(ok, false, "the client compiled against Record<string, never> objects");
  assert.match(output, /client\.ts\(\d+,\d+\): error TS2322: Type '(string|number)' is not assignable to type 'never'/);
});
