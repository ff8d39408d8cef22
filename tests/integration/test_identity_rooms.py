"""Identity, bootstrap, rooms and policy endpoints over real HTTP."""
import os
import stat
import unittest

from harness import OWNER_TOKEN, Server, ServerTest


class Operations(ServerTest):
    def test_healthz_and_readyz_need_no_credential(self):
        r = self.server.get("/healthz", token=None)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["status"], "ok")
        r = self.server.get("/readyz", token=None)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["status"], "ready")

    def test_unknown_route_is_404_and_wrong_method_405(self):
        self.assertError(self.server.get("/v1/nothing-here"), 404, "NOT_FOUND")
        r = self.server.request("PATCH", "/v1/me")
        self.assertEqual(r.status, 405)
        self.assertIn("GET", r.headers["allow"])


class Identity(ServerTest):
    def test_me_for_the_bootstrap_owner(self):
        r = self.server.get("/v1/me")
        self.assertEqual(r.status, 200, r)
        me = r.data
        self.assertEqual(me["kind"], "user")
        self.assertEqual(me["role"], "owner")
        self.assertTrue(me["instance_admin"])
        self.assertTrue(me["id"].startswith("us_") and len(me["id"]) == 13)
        self.assertTrue(me["org_id"].startswith("org_"))

    def test_missing_malformed_and_unknown_credentials_are_401(self):
        self.assertError(self.server.get("/v1/me", token=None), 401, "UNAUTHORIZED")
        self.assertError(self.server.get("/v1/me", token="wrh_" + "x" * 32), 401, "UNAUTHORIZED")
        r = self.server.get("/v1/me", token=None, headers={"Authorization": "Basic abc"})
        self.assertError(r, 401, "UNAUTHORIZED")
        self.assertEqual(r.headers.get("www-authenticate"), "Bearer")
        self.assertEqual(r.error["details"], {"credential": "missing"})  # not a bearer one
        r = self.server.get("/v1/me", token=None)
        self.assertEqual(r.headers.get("www-authenticate"), "Bearer")
        self.assertIn("Authorization: Bearer", r.error["message"])
        self.assertEqual(r.error["details"], {"credential": "missing"})
        r = self.server.get("/v1/me", token="wrh_" + "x" * 32)
        self.assertEqual(r.error["details"], {"credential": "unknown"})
        # the query token is for streaming endpoints only
        self.assertError(self.server.get(f"/v1/me?access_token={OWNER_TOKEN}", token=None),
                         401, "UNAUTHORIZED")

    def test_register_agent_returns_a_key_once_and_the_agent_can_call_me(self):
        r = self.server.post("/v1/agents/register", {"name": "ci-bot", "description": "d",
                                                       "platform": "github"})
        self.assertEqual(r.status, 201, r)
        key = r.data["api_key"]
        self.assertTrue(key.startswith("wr_") and len(key) == 35)
        self.assertEqual(r.data["key_prefix"], key[:12])
        agent = r.data["agent"]
        self.assertEqual(agent["status"], "active")
        self.assertTrue(agent["is_active"])
        self.assertNotIn("api_key", agent)
        me = self.server.get("/v1/me", token=key)
        self.assertEqual(me.status, 200)
        self.assertEqual(me.data["kind"], "agent")
        self.assertEqual(me.data["id"], agent["id"])

    def test_agents_cannot_register_agents_or_create_rooms(self):
        key, _ = self.server.register_agent()
        self.assertError(self.server.post("/v1/agents/register", {"name": "x"}, token=key),
                         403, "FORBIDDEN")
        self.assertError(self.server.post("/v1/rooms", {"name": "x", "slug": "x"}, token=key),
                         403, "FORBIDDEN")

    def test_register_validation(self):
        self.assertError(self.server.post("/v1/agents/register", {}), 400, "VALIDATION_ERROR",
                         "name")
        self.assertError(self.server.post("/v1/agents/register", {"name": 5}), 400,
                         "VALIDATION_ERROR", "name")
        self.assertError(self.server.post("/v1/agents/register", {"name": ""}), 400,
                         "VALIDATION_ERROR", "name")


class Rooms(ServerTest):
    def test_general_exists_after_bootstrap_with_an_empty_policy(self):
        r = self.server.get("/v1/rooms")
        self.assertEqual(r.status, 200, r)
        self.assertIn("general", [room["slug"] for room in r.data])
        self.assertIn("has_more", r.json)
        self.assertIn("cursor", r.json)
        g = self.server.get("/v1/rooms/general").data
        self.assertEqual(g["policy"], {"rules": [], "trust_thresholds": {
            "low": None, "medium": None, "high": None, "critical": None},
            "default_action": "require_approval"})
        self.assertEqual(g["default_timeout_ms"], 3600000)
        self.assertEqual(g["default_timeout_action"], "cancel")
        self.assertEqual(g["pending_count"], 0)
        by_id = self.server.get(f"/v1/rooms/{g['id']}")
        self.assertEqual(by_id.data["slug"], "general")

    def test_create_room_and_duplicate_slug(self):
        r = self.server.post("/v1/rooms", {"name": "Deployments", "slug": "deployments",
                                            "description": "prod", "default_timeout_ms": 60000,
                                            "default_timeout_action": "auto_approve"})
        self.assertEqual(r.status, 201, r)
        self.assertTrue(r.data["id"].startswith("rm_"))
        self.assertEqual(r.data["default_timeout_action"], "auto_approve")
        self.assertError(self.server.post("/v1/rooms", {"name": "Again", "slug": "deployments"}),
                         409, "CONFLICT")

    def test_room_validation(self):
        post = self.server.post
        self.assertError(post("/v1/rooms", {"name": "X", "slug": "Bad Slug"}), 400,
                         "VALIDATION_ERROR", "slug")
        self.assertError(post("/v1/rooms", {"name": "X", "slug": "-x"}), 400,
                         "VALIDATION_ERROR", "slug")
        self.assertError(post("/v1/rooms", {"slug": "x"}), 400, "VALIDATION_ERROR", "name")
        self.assertError(post("/v1/rooms", {"name": "X", "slug": "x", "default_timeout_ms": 5}),
                         400, "VALIDATION_ERROR", "default_timeout_ms")
        self.assertError(post("/v1/rooms", {"name": "X", "slug": "x",
                                             "default_timeout_action": "explode"}),
                         400, "VALIDATION_ERROR", "default_timeout_action")
        self.assertError(post("/v1/rooms", {"name": "X", "slug": "x", "policy": {
            "rules": [{"id": "r", "effect": "forbid", "when": {"action_regex": "("}}]}}),
            400, "VALIDATION_ERROR", "policy.rules[0].when.action_regex")
        # nothing was created by the failures
        slugs = [r["slug"] for r in self.server.get("/v1/rooms").data]
        self.assertNotIn("x", slugs)

    def test_unknown_room_is_404(self):
        self.assertError(self.server.get("/v1/rooms/nope"), 404, "NOT_FOUND")
        self.assertError(self.server.get("/v1/rooms/rm_0000000000"), 404, "NOT_FOUND")
        self.assertError(self.server.get("/v1/rooms/nope/policy"), 404, "NOT_FOUND")
        self.assertError(self.server.get("/v1/rooms/nope/pending"), 404, "NOT_FOUND")
        self.assertError(self.server.get("/v1/rooms/nope/trust"), 404, "NOT_FOUND")

    def test_policy_put_and_get(self):
        self.server.create_room("policy-room")
        policy = {"rules": [
            {"id": "no-prod-friday", "effect": "forbid",
             "when": {"action": "deploy * production", "risk_level": ["high", "critical"]}},
            {"id": "docs", "effect": "auto_approve",
             "when": {"action_regex": "^update docs", "metadata": {"env": "staging"}}}],
            "trust_thresholds": {"low": 25, "medium": 50, "high": None, "critical": None},
            "default_action": "require_approval"}
        r = self.server.put("/v1/rooms/policy-room/policy", policy)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data, policy)
        self.assertEqual(self.server.get("/v1/rooms/policy-room/policy").data, policy)
        # whole thresholds come back as JSON integers, as sent (25, not 25.0)
        self.assertIn('"low":25,', r.raw)
        self.assertIsInstance(r.data["trust_thresholds"]["low"], int)
        self.assertEqual(self.server.get("/v1/rooms/policy-room").data["policy"], policy)

    def test_policy_validation_names_the_path_and_changes_nothing(self):
        self.server.create_room("strict")
        before = self.server.get("/v1/rooms/strict/policy").data
        cases = [
            ({"rules": [{"id": "a", "effect": "forbid", "when": {"action_regex": "(?P<x"}}]},
             "rules[0].when.action_regex"),
            ({"rules": [{"id": "a", "effect": "maybe"}]}, "rules[0].effect"),
            ({"rules": [{"id": "a", "effect": "forbid", "when": {"risk": ["high"]}}]},
             "rules[0].when.risk"),
            ({"rules": [{"id": "a", "effect": "forbid"}, {"id": "a", "effect": "forbid"}]},
             "rules[1].id"),
            ({"trust_thresholds": {"low": 101}}, "trust_thresholds.low"),
            ({"default_action": "pray"}, "default_action"),
        ]
        for body, field in cases:
            with self.subTest(field=field):
                self.assertError(self.server.put("/v1/rooms/strict/policy", body), 400,
                                 "VALIDATION_ERROR", field)
        self.assertEqual(self.server.get("/v1/rooms/strict/policy").data, before)


class Bootstrap(unittest.TestCase):
    def test_generated_owner_token_is_written_0600_and_printed_once(self):
        env = {"WAITROOM_BOOTSTRAP_TOKEN": ""}
        s = Server(env=env)
        s.env.pop("WAITROOM_BOOTSTRAP_TOKEN")
        try:
            s.start()
            path = os.path.join(s.data_dir, "owner-token")
            token = open(path).read().strip()
            self.assertTrue(token.startswith("wrh_") and len(token) == 36)
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
            self.assertEqual(s.get("/v1/me", token=token).status, 200)
            s.stop()
            self.assertIn(token, "".join(s.stderr_lines))
            printed = "".join(s.stderr_lines).count(token)
            # a restart neither re-creates nor prints it again
            s.stderr_lines.clear()
            s.env["WAITROOM_BOOTSTRAP_TOKEN"] = "wrh_" + "Z" * 32
            s.start()
            self.assertEqual(s.get("/v1/me", token=token).status, 200)
            self.assertEqual(s.get("/v1/me", token="wrh_" + "Z" * 32).status, 401)
            self.assertEqual(len([r for r in s.get("/v1/rooms", token=token).data
                                  if r["slug"] == "general"]), 1)
            self.assertNotIn(token, "".join(s.stderr_lines))
            self.assertEqual(printed, 1)
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()
