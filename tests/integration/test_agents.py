"""Agents: self-registration, claiming, listing, keys, deactivation and trust."""
import time
import unittest

from fixtures import (TIME_RE, create_user, is_id, list_all, new_checkin, register_agent,
                      self_register, unique)
from harness import OWNER_TOKEN, ServerTest, wait_until

AGENT_FIELDS = {"id", "name", "description", "platform", "status", "is_active", "key_prefix",
                "created_at", "last_used_at"}


class SelfRegistration(ServerTest):
    server_args = ("--self-register-per-minute", "1000", "--self-register-burst", "1000")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member, _ = create_user(cls.server, "member")
        cls.viewer, _ = create_user(cls.server, "viewer")

    def test_self_register_needs_no_credential(self):
        r = self.server.post("/v1/agents/self-register",
                             {"name": "scout", "description": "d", "platform": "cursor"},
                             token=None)
        self.assertEqual(r.status, 201, r)
        d = r.data
        self.assertTrue(d["api_key"].startswith("wr_") and len(d["api_key"]) == 35, d)
        self.assertFalse(d["api_key"].startswith("wr_claim_"))
        self.assertTrue(d["claim_token"].startswith("wr_claim_") and len(d["claim_token"]) == 33,
                        d)
        self.assertEqual(d["status"], "pending_claim")
        agent = d["agent"]
        self.assertTrue(is_id(agent["id"], "ag_"), agent)
        self.assertEqual(agent["status"], "pending_claim")
        self.assertEqual(agent["name"], "scout")
        self.assertEqual(agent["key_prefix"], d["api_key"][:12])
        self.assertNotIn("api_key", agent)
        self.assertNotIn("claim_token", agent)
        me = self.server.get("/v1/me", token=d["api_key"])
        self.assertEqual(me.status, 200, me)
        self.assertEqual(me.data["kind"], "agent")
        self.assertEqual(me.data["id"], agent["id"])

    def test_self_register_validation(self):
        self.assertError(self.server.post("/v1/agents/self-register", {}, token=None), 400,
                         "VALIDATION_ERROR", "name")
        self.assertError(self.server.post("/v1/agents/self-register", {"name": ""}, token=None),
                         400, "VALIDATION_ERROR", "name")

    def test_an_unclaimed_agent_may_only_call_me(self):
        key = self_register(self.server)["api_key"]
        agent_id = self.server.get("/v1/me", token=key).data["id"]
        calls = [("GET", "/v1/rooms", None),
                 ("GET", "/v1/rooms/general", None),
                 ("GET", "/v1/rooms/general/pending", None),
                 ("POST", "/v1/rooms/general/check-in", {"action": "deploy"}),
                 ("GET", "/v1/check-ins", None),
                 ("GET", f"/v1/agents/{agent_id}/trust", None),
                 ("POST", "/v1/rooms/general/watch", {"webhook_url": "http://127.0.0.1:9/x"}),
                 ("POST", "/v1/agents/register", {"name": "x"}),
                 ("POST", "/v1/agents/claim", {"claim_token": "wr_claim_x"}),
                 ("GET", "/v1/agents", None),
                 # decided before any lookup: unknown things are 403 too, never 404
                 ("GET", "/v1/rooms/no-such-room", None),
                 ("POST", "/v1/rooms/no-such-room/check-in", {"action": "deploy"}),
                 ("GET", "/v1/check-ins/ci_0000000000", None),
                 ("POST", "/v1/check-ins/ci_0000000000/claim", {}),
                 ("DELETE", "/v1/watchers/w_0000000000", None)]
        for method, path, body in calls:
            with self.subTest(method=method, path=path):
                self.assertError(self.server.request(method, path, body=body, token=key), 403,
                                 "FORBIDDEN")
        self.assertEqual(self.server.get("/v1/rooms/general").data["pending_count"], 0)

    def test_the_claim_token_is_never_a_credential(self):
        d = self_register(self.server)
        for path in ("/v1/me", "/v1/rooms"):
            self.assertError(self.server.get(path, token=d["claim_token"]), 401, "UNAUTHORIZED")
        r = self.server.post("/v1/agents/claim", {"claim_token": d["claim_token"]},
                             token=d["claim_token"])
        self.assertError(r, 401, "UNAUTHORIZED")
        self.server.post("/v1/agents/claim", {"claim_token": d["claim_token"]}, token=self.member)
        self.assertError(self.server.get("/v1/me", token=d["claim_token"]), 401, "UNAUTHORIZED")

    def test_claim_by_a_member(self):
        d = self_register(self.server)
        org = self.server.get("/v1/me").data["org_id"]
        r = self.server.post("/v1/agents/claim", {"claim_token": d["claim_token"]},
                             token=self.member)
        self.assertEqual(r.status, 200, r)
        agent = r.data["agent"]
        self.assertEqual(agent["id"], d["agent"]["id"])
        self.assertEqual(agent["status"], "active")
        self.assertTrue(agent["is_active"])
        self.assertEqual(agent.get("org_id"), org)
        me = self.server.get("/v1/me", token=d["api_key"]).data
        self.assertEqual(me["org_id"], org)
        # now a claimed agent of the org
        self.assertEqual(self.server.get("/v1/rooms", token=d["api_key"]).status, 200)
        c = self.server.check_in(d["api_key"])
        self.assertEqual(c.status, 201, c)
        self.assertIn(agent["id"], [a["id"] for a in list_all(self.server, "/v1/agents")])
        # a second claim is a conflict, whoever tries
        self.assertError(self.server.post("/v1/agents/claim", {"claim_token": d["claim_token"]},
                                          token=self.member), 409, "CONFLICT")
        self.assertError(self.server.post("/v1/agents/claim", {"claim_token": d["claim_token"]}),
                         409, "CONFLICT")

    def test_claim_errors(self):
        d = self_register(self.server)
        self.assertError(self.server.post("/v1/agents/claim",
                                          {"claim_token": "wr_claim_" + "z" * 24}),
                         404, "NOT_FOUND")
        self.assertError(self.server.post("/v1/agents/claim", {}), 400, "VALIDATION_ERROR",
                         "claim_token")
        self.assertError(self.server.post("/v1/agents/claim", {"claim_token": d["claim_token"]},
                                          token=self.viewer), 403, "FORBIDDEN")
        key, _ = register_agent(self.server)
        self.assertError(self.server.post("/v1/agents/claim", {"claim_token": d["claim_token"]},
                                          token=key), 403, "FORBIDDEN")
        self.assertError(self.server.post("/v1/agents/claim", {"claim_token": d["claim_token"]},
                                          token=None), 401, "UNAUTHORIZED")
        # none of these claimed it
        self.assertEqual(self.server.get("/v1/me", token=d["api_key"]).data["status"],
                         "pending_claim")


class SelfRegistrationRateLimit(ServerTest):
    server_args = ("--self-register-per-minute", "3", "--self-register-burst", "3")

    def test_the_fourth_self_registration_in_a_minute_is_429(self):
        for i in range(3):
            r = self.server.post("/v1/agents/self-register", {"name": f"bot{i}"}, token=None)
            self.assertEqual(r.status, 201, r)
        r = self.server.post("/v1/agents/self-register", {"name": "bot3"}, token=None)
        self.assertError(r, 429, "RATE_LIMITED")
        self.assertIn("retry-after", r.headers)
        self.assertRegex(r.headers["retry-after"], r"^\d+$")
        self.assertGreaterEqual(int(r.headers["retry-after"]), 1)
        # people and registered agents are unaffected
        self.assertEqual(self.server.get("/v1/me").status, 200)
        r = self.server.post("/v1/agents/register", {"name": "by-a-member"})
        self.assertEqual(r.status, 201, r)


class AgentManagement(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin, _ = create_user(cls.server, "admin")
        cls.member, _ = create_user(cls.server, "member")
        cls.viewer, _ = create_user(cls.server, "viewer")

    def test_list_and_get_never_expose_keys(self):
        r = self.server.post("/v1/agents/register", {"name": "lister", "description": "lists",
                                                      "platform": "github"}, token=self.member)
        key, agent = r.data["api_key"], r.data["agent"]
        for token in (OWNER_TOKEN, self.viewer):
            listed = self.server.get("/v1/agents", token=token)
            self.assertEqual(listed.status, 200, listed)
            self.assertIn("has_more", listed.json)
            self.assertNotIn(key, listed.raw)
            self.assertNotIn(key[12:], listed.raw)
            one = self.server.get(f"/v1/agents/{agent['id']}", token=token)
            self.assertEqual(one.status, 200, one)
            self.assertNotIn(key, one.raw)
            a = one.data
            self.assertTrue(AGENT_FIELDS <= set(a), set(a))
            for k in a:
                self.assertFalse("key" in k and k != "key_prefix", k)
                self.assertNotIn("hash", k)
                self.assertNotIn("claim", k)
            self.assertEqual(a["name"], "lister")
            self.assertEqual(a["description"], "lists")
            self.assertEqual(a["platform"], "github")
            self.assertEqual(a["status"], "active")
            self.assertTrue(a["is_active"])
            self.assertEqual(a["key_prefix"], key[:12])
            self.assertRegex(a["created_at"], TIME_RE)
            ids = [x["id"] for x in list_all(self.server, "/v1/agents", token=token)]
            self.assertIn(agent["id"], ids)
        self.assertError(self.server.get(f"/v1/agents/{agent['id']}", token=key), 403,
                         "FORBIDDEN")
        self.assertError(self.server.get("/v1/agents", token=key), 403, "FORBIDDEN")
        self.assertError(self.server.get("/v1/agents/ag_0000000000"), 404, "NOT_FOUND")

    def test_last_used_at_is_set_once_the_agent_calls_the_api(self):
        key, agent_id = register_agent(self.server, name="quiet")
        self.assertIsNone(self.server.get(f"/v1/agents/{agent_id}").data["last_used_at"])
        self.assertEqual(self.server.get("/v1/rooms", token=key).status, 200)
        got = self.server.get(f"/v1/agents/{agent_id}").data["last_used_at"]
        self.assertIsNotNone(got)
        self.assertRegex(got, TIME_RE)
        listed = {a["id"]: a for a in list_all(self.server, "/v1/agents")}
        self.assertIsNotNone(listed[agent_id]["last_used_at"])

    def test_last_used_at_is_one_answer_in_the_list_and_the_detail_after_a_restart(self):
        key, worker = register_agent(self.server, name="worker")
        self.assertEqual(self.server.check_in(key).status, 201)  # an event in its name
        _, idle = register_agent(self.server, name="idle")
        scout = self.server.post("/v1/agents/self-register", {"name": "scout"}, token=None)
        self.assertEqual(scout.status, 201, scout)
        scout_id = scout.data["agent"]["id"]
        claimed = self.server.post("/v1/agents/claim", {"claim_token": scout.data["claim_token"]})
        self.assertEqual(claimed.status, 200, claimed)
        self.server.restart()  # forgets the requests it saw; keeps what the log says
        listed = {a["id"]: a for a in list_all(self.server, "/v1/agents")}
        for agent_id in (worker, idle, scout_id):
            with self.subTest(agent=agent_id):
                one = self.server.get(f"/v1/agents/{agent_id}").data["last_used_at"]
                self.assertEqual(listed[agent_id]["last_used_at"], one)
        self.assertRegex(listed[worker]["last_used_at"], TIME_RE)
        self.assertIsNone(listed[idle]["last_used_at"])
        # neither a self-registration (written in its name) nor a claim is a use of its key
        self.assertIsNone(listed[scout_id]["last_used_at"])

    def test_rotate_key(self):
        old, agent_id = register_agent(self.server)
        self.assertError(self.server.post(f"/v1/agents/{agent_id}/rotate-key", token=self.member),
                         403, "FORBIDDEN")
        self.assertError(self.server.post(f"/v1/agents/{agent_id}/rotate-key", token=old),
                         403, "FORBIDDEN")
        self.assertEqual(self.server.get("/v1/me", token=old).status, 200)
        r = self.server.post(f"/v1/agents/{agent_id}/rotate-key", token=self.admin)
        self.assertEqual(r.status, 200, r)
        new = r.data["api_key"]
        self.assertTrue(new.startswith("wr_") and len(new) == 35, new)
        self.assertNotEqual(new, old)
        self.assertEqual(r.data["key_prefix"], new[:12])
        self.assertError(self.server.get("/v1/me", token=old), 401, "UNAUTHORIZED")
        self.assertError(self.server.check_in(old), 401, "UNAUTHORIZED")
        me = self.server.get("/v1/me", token=new)
        self.assertEqual(me.status, 200, me)
        self.assertEqual(me.data["id"], agent_id)
        self.assertEqual(self.server.check_in(new).status, 201)
        self.assertEqual(self.server.get(f"/v1/agents/{agent_id}").data["key_prefix"], new[:12])
        self.assertError(self.server.post("/v1/agents/ag_0000000000/rotate-key"), 404,
                         "NOT_FOUND")

    def test_deactivate(self):
        key, agent_id = register_agent(self.server)
        self.assertError(self.server.post(f"/v1/agents/{agent_id}/deactivate",
                                          token=self.member), 403, "FORBIDDEN")
        self.assertEqual(self.server.get("/v1/me", token=key).status, 200)
        r = self.server.post(f"/v1/agents/{agent_id}/deactivate", token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data["id"], agent_id)
        self.assertEqual(r.data["status"], "inactive")
        self.assertFalse(r.data["is_active"])
        self.assertIsNotNone(r.data["last_used_at"])  # it called GET /v1/me just before
        self.assertError(self.server.get("/v1/me", token=key), 401, "UNAUTHORIZED")
        self.assertError(self.server.check_in(key), 401, "UNAUTHORIZED")
        self.assertEqual(self.server.get(f"/v1/agents/{agent_id}").data["status"], "inactive")
        again = self.server.post(f"/v1/agents/{agent_id}/deactivate", token=self.admin)
        self.assertEqual(again.status, 200, again)
        self.assertEqual(again.data["status"], "inactive")
        self.assertError(self.server.post("/v1/agents/ag_0000000000/deactivate"), 404,
                         "NOT_FOUND")

    def test_trust_for_the_agent_itself_and_humans_only(self):
        key, agent_id = register_agent(self.server)
        other, _ = register_agent(self.server)
        cid = new_checkin(self.server, key)["id"]
        self.assertEqual(self.server.post(f"/v1/check-ins/{cid}/approve").status, 200)
        general = self.server.get("/v1/rooms/general").data["id"]
        for token in (key, OWNER_TOKEN, self.viewer, self.member):
            r = self.server.get(f"/v1/agents/{agent_id}/trust", token=token)
            self.assertEqual(r.status, 200, r)
            [card] = [c for c in r.data if c["room_id"] == general]
            self.assertEqual(card["agent_id"], agent_id)
            self.assertAlmostEqual(card["score"], 16.0)
            self.assertEqual(card["total_check_ins"], 1)
            self.assertEqual(card["approved_count"], 1)
        self.assertError(self.server.get(f"/v1/agents/{agent_id}/trust", token=other), 403,
                         "FORBIDDEN")
        self.assertError(self.server.get(f"/v1/agents/{agent_id}/trust", token=None), 401,
                         "UNAUTHORIZED")
        self.assertError(self.server.get("/v1/agents/ag_0000000000/trust"), 404, "NOT_FOUND")


if __name__ == "__main__":
    unittest.main()
