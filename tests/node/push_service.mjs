// A stand-in for a browser vendor's push service on a loopback port, and the browser's
// side of a subscription (RFC 8291 keys, decryption, RFC 8292 VAPID checks), with Node's
// own crypto: independent of the server's code. Used by webpush.test.mjs and the
// dashboard's push test.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from "node:crypto";
import { createServer } from "node:http";

/** Fresh VAPID keys from `waitroom vapid generate-keys`, and the serve flags for them. */
export function vapidKeys() {
  const out = execFileSync(process.env.WAITROOM_BIN, ["vapid", "generate-keys"], { encoding: "utf8" });
  const keys = Object.fromEntries(out.trim().split("\n").map((l) => l.split("=")));
  keys.args = ["--vapid-public-key", keys.WAITROOM_VAPID_PUBLIC_KEY,
    "--vapid-private-key", keys.WAITROOM_VAPID_PRIVATE_KEY, "--vapid-subject", "mailto:ops@example.com"];
  return keys;
}

export const b64u = (buf) => Buffer.from(buf).toString("base64url");

/** The browsers' subscriptions by endpoint path (a browser keeps its keys). */
export const browsers = new Map();

/** A browser-side subscription: its P-256 key pair and auth secret. */
export function browserSubscription(endpoint) {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const auth = randomBytes(16);
  const sub = { ecdh, auth, json: { endpoint, keys: { p256dh: b64u(ecdh.getPublicKey()), auth: b64u(auth) } } };
  browsers.set(new URL(endpoint).pathname, sub);
  return sub;
}

/** RFC 8291 decryption as a user agent does it. */
export function decrypt(sub, body) {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20];
  const senderPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  assert.equal(idlen, 65);
  assert.ok(ciphertext.length <= rs, "one record");
  const shared = sub.ecdh.computeSecret(senderPublic);
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), sub.ecdh.getPublicKey(), senderPublic]);
  const ikm = Buffer.from(hkdfSync("sha256", shared, sub.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
  const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  assert.equal(padded[end], 2, "the last record's delimiter");
  return JSON.parse(padded.subarray(0, end).toString("utf8"));
}

/** Checks `Authorization: vapid t=<jwt>, k=<key>` and returns the JWT's claims. */
export function verifyVapid(header, serverPublicKey) {
  const m = /^vapid t=([^,]+),\s*k=(\S+)$/.exec(header);
  assert.ok(m, header);
  assert.equal(m[2], serverPublicKey);
  const [h, p, s] = m[1].split(".");
  assert.deepEqual(JSON.parse(Buffer.from(h, "base64url")), { typ: "JWT", alg: "ES256" });
  const point = Buffer.from(m[2], "base64url");
  const key = createPublicKey({ key: { kty: "EC", crv: "P-256", x: b64u(point.subarray(1, 33)), y: b64u(point.subarray(33)) }, format: "jwk" });
  assert.ok(verify("sha256", Buffer.from(h + "." + p), { key, dsaEncoding: "ieee-p1363" }, Buffer.from(s, "base64url")), "ES256 signature");
  return JSON.parse(Buffer.from(p, "base64url"));
}

/** A push service: records every request per path; answers `statusFor(path)`. */
export async function pushService(statusFor = () => 201) {
  const received = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(statusFor(req.url)).end();
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { received, origin, close: () => new Promise((r) => server.close(r)) };
}

