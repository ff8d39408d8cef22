"""Human -> room tasks: post, claim (concurrently), release, help, join, submit, decide,
withdraw, expire; trust of the primary agent."""
import threading
import time
import unittest

from fixtures import create_user, list_all, new_checkin, new_task, register_agent
from harness import OWNER_TOKEN, ServerTest, wait_until

FORBID_ALL = {"rules": [{"id": "nothing-goes", "effect": "forbid"}],
              "trust_thresholds": {"low": 0, "medium": 0, "high": 0, "critical": 0},
              "default_action": "forbid"}


class Tasks(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        s.create_room("work", policy=FORBID_ALL)
        cls.admin, cls.admin_id = create_user(s, "admin")
        cls.member, cls.member_id = create_user(s, "member")
        cls.member2, _ = create_user(s, "member")
        cls.viewer, _ = create_user(s, "viewer")
        cls.agents = [register_agent(s) for _ in range(6)]

    def task(self, token=None, **fields):
        return new_task(self.server, room="work", token=token or self.member, **fields)

    def claim(self, cid, key):
        return self.server.post(f"/v1/check-ins/{cid}/claim", {}, token=key)

    def test_post_a_task_without_policy_evaluation(self):
        # the policy forbids every agent check-in ...
        key, _ = self.agents[0]
        r = self.server.check_in(key, room="work")
        self.assertError(r, 403, "POLICY_FORBIDS")
        # ... but never applies to tasks
        r = self.server.post("/v1/rooms/work/tasks", {"action": "rotate the TLS certificates",
                                                      "reason": "expiring", "risk_level": "critical",
                                                      "urgency": "urgent",
                                                      "metadata": {"ticket": 7}},
                             token=self.member)
        self.assertEqual(r.status, 201, r)
        t = r.data
        self.assertEqual(t["direction"], "human_to_agent")
        self.assertEqual(t["status"], "open")
        self.assertIsNone(t["decision"])
        self.assertEqual(t["created_by"], {"kind": "user", "id": self.member_id})
        self.assertIsNone(t["primary_agent_id"])
        self.assertEqual(t["helpers"], [])
        self.assertEqual(t["risk_level"], "critical")
        self.assertEqual(t["urgency"], "urgent")
        self.assertEqual(t["metadata"], {"ticket": 7})
        self.assertEqual(t["room"], "work")
        self.assertIsNotNone(t["expires_at"])
        self.assertEqual(self.server.get(f"/v1/check-ins/{t['id']}").data, t)
        # tasks are for people to post
        self.assertError(self.server.post("/v1/rooms/work/tasks", {"action": "x"},
                                          token=self.viewer), 403, "FORBIDDEN")
        self.assertError(self.server.post("/v1/rooms/work/tasks", {"action": "x"}, token=key),
                         403, "FORBIDDEN")
        self.assertError(self.server.post("/v1/rooms/work/tasks", {}, token=self.member), 400,
                         "VALIDATION_ERROR", "action")
        self.assertError(self.server.post("/v1/rooms/nope/tasks", {"action": "x"},
                                          token=self.member), 404, "NOT_FOUND")

    def test_concurrent_claims_have_exactly_one_winner(self):
        for round_ in range(4):
            cid = self.task()["id"]
            barrier = threading.Barrier(len(self.agents))
            results = [None] * len(self.agents)

            def claim(i):
                barrier.wait()
                results[i] = self.claim(cid, self.agents[i][0])

            threads = [threading.Thread(target=claim, args=(i,)) for i in range(len(self.agents))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            winners = [i for i, r in enumerate(results) if r.status == 200]
            self.assertEqual(len(winners), 1, results)
            for i, r in enumerate(results):
                if i not in winners:
                    self.assertError(r, 409, "CONFLICT")
            win = results[winners[0]].data
            self.assertEqual(win["status"], "claimed")
            self.assertEqual(win["primary_agent_id"], self.agents[winners[0]][1])
            got = self.server.get(f"/v1/check-ins/{cid}").data
            self.assertEqual(got["primary_agent_id"], self.agents[winners[0]][1])
            self.assertEqual(got["status"], "claimed")

    def test_claim_rules(self):
        key, agent = self.agents[0]
        cid = self.task()["id"]
        self.assertError(self.server.post(f"/v1/check-ins/{cid}/claim", {}, token=self.member),
                         403, "FORBIDDEN")
        r = self.claim(cid, key)
        self.assertEqual(r.status, 200, r)
        self.assertError(self.claim(cid, key), 409, "CONFLICT")
        # an agent check-in is not a task
        other_room = self.server.create_room("plain")
        c = new_checkin(self.server, self.agents[1][0], room="plain")
        self.assertError(self.claim(c["id"], key), 409, "CONFLICT")
        self.assertError(self.claim("ci_0000000000", key), 404, "NOT_FOUND")

    def test_release_keeps_helpers(self):
        (pkey, pid), (hkey, hid), (okey, _) = self.agents[:3]
        cid = self.task()["id"]
        self.claim(cid, pkey)
        r = self.server.post(f"/v1/check-ins/{cid}/join", {}, token=hkey)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data["helpers"], [hid])
        for key in (hkey, okey):
            self.assertError(self.server.post(f"/v1/check-ins/{cid}/release", {}, token=key),
                             403, "FORBIDDEN")
        r = self.server.post(f"/v1/check-ins/{cid}/release", {}, token=pkey)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data["status"], "open")
        self.assertIsNone(r.data["primary_agent_id"])
        self.assertEqual(r.data["helpers"], [hid])
        self.assertEqual(self.server.get(f"/v1/check-ins/{cid}").data, r.data)
        # open again: someone else claims it
        r = self.claim(cid, okey)
        self.assertEqual(r.status, 200, r)

    def test_help_request_is_in_the_audit(self):
        (pkey, pid), (okey, _) = self.agents[0], self.agents[1]
        cid = self.task()["id"]
        self.claim(cid, pkey)
        self.assertError(self.server.post(f"/v1/check-ins/{cid}/help", {"description": "x"},
                                          token=okey), 403, "FORBIDDEN")
        r = self.server.post(f"/v1/check-ins/{cid}/help", {"description": "stuck on the DNS"},
                             token=pkey)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data["status"], "claimed")
        self.assertEqual(r.data["primary_agent_id"], pid)
        events = list_all(self.server, f"/v1/rooms/work/audit?stream={cid}")
        helps = [e for e in events if e["type"] == "checkin.help_requested"]
        self.assertEqual(len(helps), 1, [e["type"] for e in events])
        self.assertEqual(helps[0]["actor"], {"kind": "agent", "id": pid})
        self.assertIn("stuck on the DNS", str(helps[0]["data"]))
        # also without a description
        r = self.server.post(f"/v1/check-ins/{cid}/help", {}, token=pkey)
        self.assertEqual(r.status, 200, r)

    def test_join(self):
        (pkey, _), (h1, h1id), (h2, h2id) = self.agents[:3]
        cid = self.task()["id"]
        self.claim(cid, pkey)
        self.assertEqual(self.server.post(f"/v1/check-ins/{cid}/join", {}, token=h1).status, 200)
        r = self.server.post(f"/v1/check-ins/{cid}/join", {}, token=h2)
        self.assertEqual(r.data["helpers"], [h1id, h2id])
        again = self.server.post(f"/v1/check-ins/{cid}/join", {}, token=h1)
        self.assertEqual(again.status, 200, again)
        self.assertEqual(again.data["helpers"], [h1id, h2id])
        self.assertError(self.server.post(f"/v1/check-ins/{cid}/join", {}, token=pkey), 409,
                         "CONFLICT")
        self.assertError(self.server.post(f"/v1/check-ins/{cid}/join", {}, token=self.member),
                         403, "FORBIDDEN")

    def test_submit_posts_a_result_and_goes_in_review(self):
        (pkey, pid), (okey, _) = self.agents[0], self.agents[1]
        cid = self.task()["id"]
        self.claim(cid, pkey)
        self.assertError(self.server.post(f"/v1/check-ins/{cid}/submit", {"content": "x"},
                                          token=okey), 403, "FORBIDDEN")
        self.assertError(self.server.post(f"/v1/check-ins/{cid}/submit", {}, token=pkey), 400,
                         "VALIDATION_ERROR", "content")
        r = self.server.post(f"/v1/check-ins/{cid}/submit",
                             {"content": "rotated; see PR 12", "metadata": {"pr": 12}}, token=pkey)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data["status"], "in_review")
        msgs = list_all(self.server, f"/v1/check-ins/{cid}/messages")
        results = [m for m in msgs if m["type"] == "result"]
        self.assertEqual(len(results), 1, msgs)
        self.assertEqual(results[0]["content"], "rotated; see PR 12")
        self.assertEqual(results[0]["author"], {"kind": "agent", "id": pid})
        self.assertEqual(results[0]["metadata"], {"pr": 12})
        # in review: in the room's queue; no second submit
        self.assertIn(cid, [c["id"] for c in list_all(self.server, "/v1/rooms/work/pending")])
        self.assertError(self.server.post(f"/v1/check-ins/{cid}/submit", {"content": "again"},
                                          token=pkey), 409, "CONFLICT")
        self.assertError(self.server.post(f"/v1/check-ins/{cid}/release", {}, token=pkey), 409,
                         "CONFLICT")

    def test_decisions_only_in_review(self):
        pkey, _ = self.agents[0]
        cid = self.task()["id"]
        self.assertError(self.server.post(f"/v1/check-ins/{cid}/approve", {}), 409, "CONFLICT")
        self.claim(cid, pkey)
        self.assertError(self.server.post(f"/v1/check-ins/{cid}/approve", {}), 409, "CONFLICT")
        self.assertError(self.server.post(f"/v1/check-ins/{cid}/reject", {}), 409, "CONFLICT")
        self.server.post(f"/v1/check-ins/{cid}/submit", {"content": "done"}, token=pkey)
        self.assertError(self.server.post(f"/v1/check-ins/{cid}/approve", {}, token=self.viewer),
                         403, "FORBIDDEN")
        self.assertError(self.server.post(f"/v1/check-ins/{cid}/approve", {}, token=pkey),
                         403, "FORBIDDEN")
        r = self.server.post(f"/v1/check-ins/{cid}/approve", {"reason": "nice"},
                             token=self.member2)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data["status"], "approved")
        self.assertEqual(r.data["decision"]["outcome"], "approved")
        self.assertEqual(r.data["decision"]["by"]["kind"], "user")
        self.assertError(self.server.post(f"/v1/check-ins/{cid}/approve", {}), 409, "CONFLICT")

    def test_decisions_move_the_primary_agents_trust(self):
        s = self.server
        s.create_room("trust-tasks")
        expected = {}
        for (key, agent), verb, body, delta in (
                (self.agents[3], "approve", {}, 1.0),
                (self.agents[4], "modify", {"modifications": {"scope": "staging"}}, 0.6),
                (self.agents[5], "reject", {"reason": "wrong"}, -0.3)):
            cid = new_task(s, room="trust-tasks", token=self.member)["id"]
            # a helper does not earn trust
            self.assertEqual(self.claim(cid, key).status, 200)
            s.post(f"/v1/check-ins/{cid}/join", {}, token=self.agents[0][0])
            s.post(f"/v1/check-ins/{cid}/submit", {"content": "done"}, token=key)
            r = s.post(f"/v1/check-ins/{cid}/{verb}", body, token=self.member2)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.data["status"], {"approve": "approved", "modify": "modified",
                                                "reject": "rejected"}[verb])
            expected[agent] = (15 + delta, verb)
        cards = {c["agent_id"]: c for c in s.get("/v1/rooms/trust-tasks/trust").data}
        for agent, (score, verb) in expected.items():
            with self.subTest(verb=verb):
                self.assertAlmostEqual(cards[agent]["score"], score)
                counter = {"approve": "approved_count", "modify": "modified_count",
                           "reject": "rejected_count"}[verb]
                self.assertEqual(cards[agent][counter], 1)
        helper = cards.get(self.agents[0][1])
        if helper is not None:
            self.assertAlmostEqual(helper["score"], 15.0)
        # the same numbers through the agent's own trust view
        key, agent = self.agents[3]
        mine = s.get(f"/v1/agents/{agent}/trust", token=key)
        self.assertEqual(mine.status, 200, mine)
        room_id = s.get("/v1/rooms/trust-tasks").data["id"]
        [card] = [c for c in mine.data if c["room_id"] == room_id]
        self.assertAlmostEqual(card["score"], 16.0)

    def test_withdraw_by_the_creator_or_an_admin(self):
        cid = self.task()["id"]
        key, _ = self.agents[0]
        self.assertError(self.server.post(f"/v1/check-ins/{cid}/withdraw", {}, token=self.member2),
                         403, "FORBIDDEN")
        self.assertError(self.server.delete(f"/v1/check-ins/{cid}", token=self.member2),
                         403, "FORBIDDEN")
        self.assertError(self.server.delete(f"/v1/check-ins/{cid}", token=key), 403, "FORBIDDEN")
        self.assertError(self.server.delete(f"/v1/check-ins/{cid}", token=self.viewer), 403,
                         "FORBIDDEN")
        r = self.server.post(f"/v1/check-ins/{cid}/withdraw", {"reason": "not needed"},
                             token=self.member)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data["status"], "withdrawn")
        self.assertEqual(r.data["decision"]["outcome"], "withdrawn")
        self.assertEqual(r.data["decision"]["by"], {"kind": "user", "id": self.member_id})
        # an admin withdraws someone else's task
        cid = self.task()["id"]
        r = self.server.delete(f"/v1/check-ins/{cid}", token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data["status"], "withdrawn")
        # only while open
        cid = self.task()["id"]
        self.claim(cid, key)
        self.assertError(self.server.delete(f"/v1/check-ins/{cid}", token=self.member), 409,
                         "CONFLICT")

    def test_an_open_task_expires(self):
        cid = self.task(timeout_ms=1000)["id"]
        # a claimed task's deadline does not run
        posted = self.task(timeout_ms=1000)
        claimed = posted["id"]
        r = self.claim(claimed, self.agents[0][0])
        self.assertEqual(r.status, 200)
        # no deadline shows while none runs
        self.assertIsNone(r.data["expires_at"])
        self.assertIsNone(self.server.get(f"/v1/check-ins/{claimed}").data["expires_at"])
        t0 = time.time()
        got = wait_until(lambda: (lambda c: c if c["status"] != "open" else None)(
            self.server.get(f"/v1/check-ins/{cid}").data), timeout=5)
        self.assertTrue(got, "the task did not expire")
        self.assertLess(time.time() - t0, 3.0)
        self.assertEqual(got["status"], "expired")
        self.assertEqual(got["decision"]["outcome"], "expired")
        self.assertEqual(got["decision"]["by"]["kind"], "timeout")
        self.assertError(self.claim(cid, self.agents[1][0]), 409, "CONFLICT")
        time.sleep(0.5)
        self.assertEqual(self.server.get(f"/v1/check-ins/{claimed}").data["status"], "claimed")
        # released after its deadline passed: the deadline is back, and fires at once
        released = self.server.post(f"/v1/check-ins/{claimed}/release", token=self.agents[0][0])
        self.assertEqual(released.status, 200)
        self.assertEqual(released.data["expires_at"], posted["expires_at"])
        # (API.md: expiry fires within 1 s of the deadline; this one has passed already)
        got = wait_until(lambda: (lambda c: c if c["status"] != "open" else None)(
            self.server.get(f"/v1/check-ins/{claimed}").data), timeout=1.5)
        self.assertTrue(got, "the released task did not expire within 1.5 s")
        self.assertEqual(got["status"], "expired")


if __name__ == "__main__":
    unittest.main()
