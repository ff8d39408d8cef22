// The served OpenAPI document (`GET /v1/openapi.json`) lints clean with Redocly CLI:
// `redocly lint` with redocly.yaml (the recommended ruleset; the one rule turned off
// says why there) reports zero errors and zero warnings. A control shows that the
// linter reports what it finds.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { servedDocument } from "./server.mjs";

const redocly = createRequire(import.meta.url).resolve("@redocly/cli/bin/cli.js");
const config = fileURLToPath(new URL("./redocly.yaml", import.meta.url));

let served;
let doc;
let dir;
before(async () => {
  served = await servedDocument("waitroom-openapi-lint-");
  ({ doc, dir } = served);
});
after(async () => { await served.stop(); });

/** `redocly lint --format json` of `document`: the parsed report ({totals, problems}). */
function lint(name, document) {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(document, null, 2));
  const env = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
    REDOCLY_SUPPRESS_NOTIFICATIONS: "true", NO_COLOR: "1" };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [redocly, "lint", "--config", config, "--format", "json",
      "--max-problems", "1000", file], { cwd: dir, env, timeout: 120000, maxBuffer: 64 << 20 },
    (err, stdout, stderr) => {
      try {
        resolve(JSON.parse(stdout));
      } catch {
        reject(new Error("redocly lint gave no JSON report (" + (err?.message ?? "") + "):\n" + stdout + stderr));
      }
    });
  });
}

const summary = (report) => report.problems
  .map((p) => `${p.severity} ${p.ruleId} ${p.location?.[0]?.pointer ?? ""}: ${p.message}`).join("\n");

test("redocly lint: no errors and no warnings", async () => {
  const report = await lint("openapi.json", doc);
  assert.deepEqual(report.totals, { errors: 0, warnings: 0, ignored: 0 }, summary(report));
});

test("control: redocly lint reports an error and a warning planted in the document", async () => {
  const broken = structuredClone(doc);
  delete broken.paths["/healthz"].get.summary; // operation-summary: error
  broken.components.schemas.NeverUsed = { type: "object", additionalProperties: true }; // no-unused-components: warn
  const report = await lint("broken.json", broken);
  assert.ok(report.totals.errors >= 1 && report.totals.warnings >= 1, JSON.stringify(report.totals));
  const rules = report.problems.map((p) => p.ruleId);
  assert.ok(rules.includes("operation-summary"), summary(report));
  assert.ok(rules.includes("no-unused-components"), summary(report));
});
