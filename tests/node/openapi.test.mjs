// The OpenAPI document the server serves (`GET /v1/openapi.json`) is valid OpenAPI 3.1
// by an independent validator (the specification's JSON Schema), with every `$ref`
// resolved. tests/http/openapi_test.cpp checks it against the route table.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Validator } from "@seriousme/openapi-schema-validator";
import { startServer } from "./server.mjs";

let server;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); });

test("the served document is valid OpenAPI 3.1", async () => {
  const res = await fetch(server.base + "/v1/openapi.json");
  assert.equal(res.status, 200);
  const doc = await res.json();
  const validator = new Validator();
  const result = await validator.validate(doc);
  assert.equal(validator.version, "3.1");
  assert.deepEqual(result.errors ?? [], [], JSON.stringify(result.errors, null, 1));
  assert.equal(result.valid, true);
  // every $ref resolves (the validator dereferences the whole document)
  const resolved = validator.resolveRefs();
  assert.ok(resolved.paths["/v1/rooms/{room}/check-in"].post);
});

test("a broken document is refused (the validator really validates)", async () => {
  const validator = new Validator();
  const result = await validator.validate({ openapi: "3.1.0", info: { title: "x" }, paths: { "/a": { get: { responses: 5 } } } });
  assert.equal(result.valid, false);
});
