"""Bad input never breaks the log: `null`, every wrong JSON type, empty and oversized
strings, huge numbers and lone surrogates, sent in every field of every write endpoint
(and every MCP tool argument), each answer a 4xx in the contract's format or a 2xx.
Then the server restarts, `replay` folds the whole log and `audit verify` decodes
every event: nothing the codec cannot read back was committed.

The fields come from the served OpenAPI document (and the tools' input schemas), so a
field added to the contract is covered without touching this file; the baseline
bodies and the resources each request works on are below."""
import json
import os
import subprocess
import unittest
import urllib.parse

from fixtures import create_user, new_checkin, new_task, register_agent, unique
from harness import BIN, OWNER_TOKEN, Server

SENTINEL = "\u2603SENTINEL\u2603"

# Raw JSON fragments put where a field's value goes. Besides `null` and the wrong
# types: numbers past every integer type and past double, lone surrogates (escaped and
# raw), control characters, and strings too long for any field.
BAD_VALUES = [
    "null", "true", "false", "0", "-1", "1.5", "-0", "1e400", "-1e400",
    "18446744073709551616", "-9223372036854775809", "9223372036854775807",
    '""', '" "', '"x"', '"\\ud800"', '"\\udfff x"', '"a\\u0000b"', '"\\u001f"',
    '"' + "\U0001F680" * 600 + '"', '"' + "x" * 12000 + '"', '"' + "é" * 5001 + '"',
    "[]", "[null]", '["x"]', "{}", '{"": null}', '{"x": [1, {"y": null}]}',
    "[" * 200 + "]" * 200,
]
# Not JSON at all: answered 400 as a whole (raw surrogates are not UTF-8).
BAD_BODIES = [b'{"a": "\xed\xa0\x80"}', b'{"a": 1,}', b"\xff\xfe", b'{"a": 01}', b"[",
              b'{"a": 1} {"b": 2}', b'{"a": "\\ud800\\u0041"}']


def schema_fields(doc, schema, prefix=(), depth=0):
    """Every property path of a request body schema, nested objects and array items
    included (items as index 0)."""
    if depth > 4 or not isinstance(schema, dict):
        return []
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return schema_fields(doc, doc["components"]["schemas"][name], prefix, depth + 1)
    out = []
    for key in ("anyOf", "oneOf", "allOf"):
        for alt in schema.get(key, []):
            out.extend(schema_fields(doc, alt, prefix, depth + 1))
    for name, sub in schema.get("properties", {}).items():
        path = prefix + (name,)
        out.append(path)
        out.extend(schema_fields(doc, sub, path, depth + 1))
    if "items" in schema:
        out.extend(schema_fields(doc, schema["items"], prefix + (0,), depth + 1))
    seen, unique_paths = set(), []
    for p in out:
        if p not in seen:
            seen.add(p)
            unique_paths.append(p)
    return unique_paths


def with_value(body, path, fragment):
    """The JSON text of `body` with the value at `path` replaced by `fragment`
    (missing containers are created)."""
    body = json.loads(json.dumps(body))
    node = body
    for i, key in enumerate(path[:-1]):
        nxt = path[i + 1]
        if isinstance(node, list):
            while len(node) <= key:
                node.append({} if not isinstance(nxt, int) else [])
            if not isinstance(node[key], (dict, list)):
                node[key] = {} if not isinstance(nxt, int) else []
            node = node[key]
        else:
            if not isinstance(node.get(key), (dict, list)):
                node[key] = {} if not isinstance(nxt, int) else []
            node = node[key]
    last = path[-1]
    if isinstance(node, list):
        while len(node) <= last:
            node.append(None)
    node[last] = SENTINEL
    return json.dumps(body).replace(json.dumps(SENTINEL), fragment)


class BadInput(unittest.TestCase):
    server_args = ("--rate-limit", "0", "--self-register-per-minute", "100000",
                   "--self-register-burst", "100000")

    @classmethod
    def setUpClass(cls):
        keys = subprocess.run([BIN, "vapid", "generate-keys"], capture_output=True, text=True,
                              check=True).stdout
        env = dict(line.split("=", 1) for line in keys.split() if "=" in line)
        cls.s = Server(args=cls.server_args, env=env).start()
        cls.doc = cls.s.get("/v1/openapi.json", token=None).json
        cls.key, cls.agent_id = register_agent(cls.s)
        cls.helper_key, _ = register_agent(cls.s)
        cls.answers = []

    @classmethod
    def tearDownClass(cls):
        cls.s.cleanup()

    def send(self, method, path, raw, token):
        r = self.s.request(method, path, raw=raw.encode() if isinstance(raw, str) else raw,
                           token=token, headers={"Content-Type": "application/json"})
        self.answers.append((method, path, r.status))
        self.assertLess(r.status, 500, (method, path, raw[:300], r))
        if r.status >= 400:
            self.assertIsNotNone(r.json, (method, path, r))
            err = r.json["error"]
            self.assertEqual(err["statusCode"], r.status, r)
            self.assertIsInstance(err["code"], str)
            self.assertIsInstance(err["details"], dict)
        return r

    # --- what each write endpoint needs: a path with fresh resources and a body -----

    def fresh_checkin(self):
        return new_checkin(self.s, self.key)["id"]

    def claimed_task(self):
        t = new_task(self.s)["id"]
        r = self.s.post(f"/v1/check-ins/{t}/claim", token=self.key)
        self.assertEqual(r.status, 200, r)
        return t

    def operations(self):
        """(method, path template, fresh-path function, baseline body, token)."""
        policy = {"rules": [{"id": "r1", "effect": "forbid",
                             "when": {"action": "deploy *", "action_regex": "^deploy",
                                      "risk_level": ["high"], "urgency": ["urgent"],
                                      "agent": [self.agent_id], "metadata": {"env": "prod"}}}],
                  "trust_thresholds": {"low": 25, "medium": None, "high": None,
                                       "critical": None},
                  "default_action": "require_approval"}
        create = {"action": "deploy v2.3.1", "reason": "because", "risk_level": "low",
                  "urgency": "normal", "metadata": {"version": "2.3.1"}, "timeout_ms": 60000,
                  "timeout_action": "cancel", "required_approvals": 1}
        room_fields = {"name": "R", "description": "d", "default_timeout_ms": 60000,
                       "default_timeout_action": "cancel", "default_required_approvals": 1,
                       "expiry_warning_ms": 1000}
        o = OWNER_TOKEN
        return [
            ("POST", "/v1/orgs", lambda: "/v1/orgs",
             {"name": "Org", "owner": {"name": "Own", "email": "own@example.test"}}, o),
            ("POST", "/v1/users", lambda: "/v1/users",
             {"name": "U", "email": "u@example.test", "role": "member"}, o),
            ("POST", "/v1/agents/register", lambda: "/v1/agents/register",
             {"name": "a", "description": "d", "platform": "p"}, o),
            ("POST", "/v1/agents/self-register", lambda: "/v1/agents/self-register",
             {"name": "a", "description": "d", "platform": "p"}, None),
            ("POST", "/v1/agents/claim", lambda: "/v1/agents/claim",
             {"claim_token": "wr_claim_" + "x" * 24}, o),
            ("POST", "/v1/rooms", lambda: "/v1/rooms",
             dict(room_fields, slug=unique("room-"), policy=policy), o),
            ("PATCH", "/v1/rooms/{room}", lambda: "/v1/rooms/general", room_fields, o),
            ("PUT", "/v1/rooms/{room}/policy", lambda: "/v1/rooms/general/policy", policy, o),
            ("PUT", "/v1/rooms/{room}/members/{principal_id}",
             lambda: f"/v1/rooms/general/members/{self.member_id}", {"role": "approver"}, o),
            ("POST", "/v1/rooms/{room}/check-in", lambda: "/v1/rooms/general/check-in", create,
             self.key),
            ("POST", "/v1/rooms/{room}/tasks", lambda: "/v1/rooms/general/tasks", create, o),
            ("POST", "/v1/rooms/{room}/watch", lambda: "/v1/rooms/general/watch",
             {"webhook_url": "http://127.0.0.1:9/hook", "event_types": ["checkin.created"],
              "filter": {"risk_level": "high"}, "secret": "s" * 20}, o),
            ("POST", "/v1/rooms/{room}/signal", lambda: "/v1/rooms/general/signal",
             {"type": "freeze", "payload": {"until": "friday"}}, o),
            ("POST", "/v1/push/subscriptions", lambda: "/v1/push/subscriptions",
             {"endpoint": "http://127.0.0.1:9/push",
              "keys": {"p256dh": "B" + "A" * 86, "auth": "A" * 22}}, o),
            ("DELETE", "/v1/push/subscriptions", lambda: "/v1/push/subscriptions",
             {"endpoint": "http://127.0.0.1:9/push"}, o),
            ("DELETE", "/v1/check-ins/{id}", lambda: f"/v1/check-ins/{self.fresh_checkin()}",
             {"reason": "r"}, self.key),
            ("POST", "/v1/check-ins/{id}/withdraw",
             lambda: f"/v1/check-ins/{self.fresh_checkin()}/withdraw", {"reason": "r"}, self.key),
            ("POST", "/v1/check-ins/{id}/approve",
             lambda: f"/v1/check-ins/{self.fresh_checkin()}/approve", {"reason": "r"}, o),
            ("POST", "/v1/check-ins/{id}/reject",
             lambda: f"/v1/check-ins/{self.fresh_checkin()}/reject", {"reason": "r"}, o),
            ("POST", "/v1/check-ins/{id}/modify",
             lambda: f"/v1/check-ins/{self.fresh_checkin()}/modify",
             {"modifications": {"env": "staging"}, "reason": "r"}, o),
            ("POST", "/v1/check-ins/{id}/extend",
             lambda: f"/v1/check-ins/{self.fresh_checkin()}/extend", {"by_ms": 5000}, o),
            ("POST", "/v1/check-ins/{id}/claim",
             lambda: f"/v1/check-ins/{new_task(self.s)['id']}/claim", {}, self.key),
            ("POST", "/v1/check-ins/{id}/release",
             lambda: f"/v1/check-ins/{self.claimed_task()}/release", {}, self.key),
            ("POST", "/v1/check-ins/{id}/help",
             lambda: f"/v1/check-ins/{self.claimed_task()}/help", {"description": "d"}, self.key),
            ("POST", "/v1/check-ins/{id}/join",
             lambda: f"/v1/check-ins/{self.claimed_task()}/join", {}, self.helper_key),
            ("POST", "/v1/check-ins/{id}/submit",
             lambda: f"/v1/check-ins/{self.claimed_task()}/submit",
             {"content": "done", "metadata": {"k": 1}}, self.key),
            ("POST", "/v1/check-ins/{id}/messages",
             lambda: f"/v1/check-ins/{self.shared_checkin}/messages",
             {"type": "comment", "content": "hi", "metadata": {"k": 1},
              "attachments": [{"name": "a", "url": "https://x.test/a", "content_type": "text/plain",
                               "size": 1}]}, self.key),
        ]

    def test_every_field_of_every_write_endpoint(self):
        _, self.member_id = create_user(self.s, "member")
        self.shared_checkin = self.fresh_checkin()
        documented = {(m.upper(), p) for p, ops in self.doc["paths"].items()
                      for m, o in ops.items()
                      if m in ("post", "put", "patch", "delete") and "requestBody" in o
                      and p != "/mcp"}
        covered = set()
        for method, template, fresh, baseline, token in self.operations():
            covered.add((method, template))
            op = self.doc["paths"][template][method.lower()]
            schema = op["requestBody"]["content"]["application/json"]["schema"]
            fields = schema_fields(self.doc, schema)
            # fields the baseline has that the schema does not name still get covered
            fields += [(k,) for k in baseline if (k,) not in fields]
            for path in fields:
                for fragment in BAD_VALUES:
                    with self.subTest(op=f"{method} {template}", field=path, value=fragment[:40]):
                        self.send(method, fresh(), with_value(baseline, path, fragment), token)
            for raw in BAD_BODIES:
                with self.subTest(op=f"{method} {template}", body=raw[:40]):
                    r = self.send(method, fresh(), raw, token)
                    self.assertEqual(r.status, 400, r)
        self.assertEqual(documented - covered, set(), "a documented write endpoint has no row")
        self.assertGreater(sum(1 for a in self.answers if a[2] == 400), 1000)
        self.assertGreater(sum(1 for a in self.answers if a[2] < 300), 50)
        self.restart_replay_verify()

    def test_every_argument_of_every_mcp_tool(self):
        rpc = lambda body: self.s.request("POST", "/mcp", raw=body.encode(), token=self.key,
                                          headers={"Content-Type": "application/json",
                                                   "Accept": "application/json, text/event-stream"})
        tools = rpc(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json
        ci = self.fresh_checkin()
        baselines = {
            "waitroom_check_in": {"room": "general", "action": "deploy", "reason": "r",
                                  "risk_level": "low", "urgency": "normal", "context": {"a": 1},
                                  "timeout_minutes": 5, "timeout_action": "cancel",
                                  "wait_for_decision": False, "max_wait_seconds": 1},
            "waitroom_post_message": {"check_in_id": ci, "type": "comment", "content": "c"},
            "waitroom_check_status": {"check_in_id": ci},
            "waitroom_list_tasks": {"room": "general", "status": "open"},
            "waitroom_submit_result": {"check_in_id": ci, "content": "c"},
            "waitroom_watch": {"room": "general", "webhook_url": "http://127.0.0.1:9/h",
                               "event_types": ["checkin.created"]},
        }
        for tool in tools["result"]["tools"]:
            base = baselines.get(tool["name"])
            if base is None:
                continue
            for arg in tool["inputSchema"]["properties"]:
                for fragment in BAD_VALUES:
                    with self.subTest(tool=tool["name"], arg=arg, value=fragment[:40]):
                        args = with_value(base, (arg,), fragment)
                        body = ('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":'
                                '{"name":"%s","arguments":%s}}' % (tool["name"], args))
                        r = rpc(body)
                        self.assertLess(r.status, 500, (tool["name"], arg, fragment[:60], r))
                        if r.status == 200 and r.json and "result" in r.json:
                            result = r.json["result"]
                            if result.get("isError"):
                                code = result["structuredContent"]["code"]
                                self.assertNotIn(code, ("INTERNAL", "INTERNAL_ERROR"), r)
        self.restart_replay_verify()

    def restart_replay_verify(self):
        self.assertEqual(self.s.stop(), 0)
        replay = subprocess.run([BIN, "replay", "--data", self.s.data_dir], capture_output=True,
                                text=True, timeout=120)
        self.assertEqual(replay.returncode, 0, replay.stderr)
        verify = subprocess.run([BIN, "audit", "verify", "--data", self.s.data_dir],
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)
        self.assertTrue(json.loads(verify.stdout)["ok"])
        self.s.start()
        self.assertTrue(self.s.get("/v1/audit/verify").data["ok"])
        page = self.s.get("/v1/audit?limit=500")
        while True:
            self.assertEqual(page.status, 200, page)
            if not page.json["has_more"]:
                break
            page = self.s.get("/v1/audit?limit=500&cursor=" +
                              urllib.parse.quote(page.json["cursor"], safe=""))


if __name__ == "__main__":
    unittest.main()
