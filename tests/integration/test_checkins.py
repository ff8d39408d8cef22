"""The agent -> human check-in over real HTTP: create, decide, withdraw, extend, errors."""
import json
import unittest

from harness import ServerTest


class CheckinCreate(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key, cls.agent_id = cls.server.register_agent("creator")

    def test_create_answers_201_with_the_whole_check_in(self):
        r = self.server.check_in(self.key, reason="release", risk_level="high",
                                 urgency="urgent", metadata={"version": "2.3.1"})
        self.assertEqual(r.status, 201, r)
        c = r.data
        self.assertTrue(c["id"].startswith("ci_") and len(c["id"]) == 13)
        self.assertEqual(c["status"], "pending")
        self.assertEqual(c["direction"], "agent_to_human")
        self.assertEqual(c["room"], "general")
        self.assertTrue(c["room_id"].startswith("rm_"))
        self.assertEqual(c["action"], "deploy v2.3.1 to production")
        self.assertEqual(c["reason"], "release")
        self.assertEqual(c["risk_level"], "high")
        self.assertEqual(c["urgency"], "urgent")
        self.assertEqual(c["metadata"], {"version": "2.3.1"})
        self.assertEqual(c["agent_id"], self.agent_id)
        self.assertEqual(c["created_by"], {"kind": "agent", "id": self.agent_id})
        self.assertEqual(c["timeout_ms"], 3600000)
        self.assertEqual(c["timeout_action"], "cancel")
        self.assertRegex(c["expires_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        for k in ("decision", "modifications", "decision_reason", "primary_agent_id"):
            self.assertIsNone(c[k], k)
        self.assertEqual(c["helpers"], [])
        self.assertEqual(c["version"], 2)  # created + its status_change message
        self.assertEqual(self.server.get(f"/v1/check-ins/{c['id']}").data, c)

    def test_defaults(self):
        c = self.server.check_in(self.key).data
        self.assertEqual(c["risk_level"], "medium")
        self.assertEqual(c["urgency"], "normal")
        self.assertEqual(c["reason"], "")
        self.assertEqual(c["metadata"], {})

    def test_field_aliases(self):
        c = self.server.check_in(self.key, description="why", context={"a": 1},
                                 timeout_minutes=2).data
        self.assertEqual(c["reason"], "why")
        self.assertEqual(c["metadata"], {"a": 1})
        self.assertEqual(c["timeout_ms"], 120000)
        same = self.server.check_in(self.key, reason="x", description="x", timeout_ms=60000,
                                    timeout_minutes=1)
        self.assertEqual(same.status, 201, same)

    def test_alias_conflicts_name_the_canonical_field(self):
        self.assertError(self.server.check_in(self.key, reason="a", description="b"), 400,
                         "VALIDATION_ERROR", "reason")
        self.assertError(self.server.check_in(self.key, metadata={"a": 1}, context={"a": 2}), 400,
                         "VALIDATION_ERROR", "metadata")
        self.assertError(self.server.check_in(self.key, timeout_ms=60000, timeout_minutes=2), 400,
                         "VALIDATION_ERROR", "timeout_ms")

    def test_validation_errors_name_the_field_as_sent(self):
        k = self.key
        cases = [
            ({"action": None}, "action"),
            ({"action": ""}, "action"),
            ({"action": "x" * 501}, "action"),
            ({"action": 5}, "action"),
            ({"risk_level": "extreme"}, "risk_level"),
            ({"urgency": "asap"}, "urgency"),
            ({"timeout_action": "explode"}, "timeout_action"),
            ({"timeout_ms": 999}, "timeout_ms"),
            ({"timeout_ms": 7 * 24 * 3600 * 1000 + 1}, "timeout_ms"),
            ({"timeout_ms": "60000"}, "timeout_ms"),
            ({"timeout_ms": 1.5}, "timeout_ms"),
            ({"timeout_minutes": 0}, "timeout_minutes"),
            ({"required_approvals": 0}, "required_approvals"),
            ({"required_approvals": 11}, "required_approvals"),
            ({"reason": "r" * 5001}, "reason"),
            ({"description": "r" * 5001}, "description"),
            ({"metadata": [1]}, "metadata"),
            ({"metadata": {"blob": "x" * 10300}}, "metadata"),
            ({"context": {"blob": "x" * 10300}}, "context"),
        ]
        for fields, field in cases:
            with self.subTest(field=field, fields=str(fields)[:60]):
                body = {"action": "deploy"}
                body.update(fields)
                r = self.server.post("/v1/rooms/general/check-in", body, token=k)
                self.assertError(r, 400, "VALIDATION_ERROR", field)

    def test_lengths_count_code_points(self):
        r = self.server.check_in(self.key, action="é" * 500)
        self.assertEqual(r.status, 201, r)
        self.assertError(self.server.check_in(self.key, action="é" * 501), 400,
                         "VALIDATION_ERROR", "action")

    def test_malformed_bodies(self):
        post = lambda raw: self.server.request("POST", "/v1/rooms/general/check-in",
                                               raw=raw, token=self.key)
        self.assertError(post(b'{"action": "x",'), 400, "VALIDATION_ERROR")
        self.assertError(post(b'{"action": "x", "junk": tru}'), 400, "VALIDATION_ERROR")
        self.assertError(post(b'{"action": "x"} trailing'), 400, "VALIDATION_ERROR")
        self.assertError(post(b'{"action": "\xff\xfe"}'), 400, "VALIDATION_ERROR")
        self.assertError(post(b'{"action": "x", "action": "y"}'), 400, "VALIDATION_ERROR")
        self.assertError(post(b'[1, 2]'), 400, "VALIDATION_ERROR")
        self.assertError(post(b''), 400, "VALIDATION_ERROR")

    def test_body_over_64_kib_is_413_and_the_server_keeps_serving(self):
        raw = json.dumps({"action": "x", "reason": "y" * (70 * 1024)}).encode()
        r = self.server.request("POST", "/v1/rooms/general/check-in", raw=raw, token=self.key)
        self.assertError(r, 413, "PAYLOAD_TOO_LARGE")
        self.assertEqual(self.server.get("/healthz").status, 200)

    def test_only_claimed_agents_check_in(self):
        self.assertError(self.server.post("/v1/rooms/general/check-in", {"action": "x"}), 403,
                         "FORBIDDEN")
        self.assertError(self.server.post("/v1/rooms/general/check-in", {"action": "x"},
                                          token=None), 401, "UNAUTHORIZED")
        self.assertError(self.server.check_in(self.key, room="no-such-room"), 404, "NOT_FOUND")

    def test_failed_requests_write_nothing(self):
        before = self.server.get("/v1/rooms/general").data["pending_count"]
        self.server.check_in(self.key, risk_level="nope")
        self.server.check_in(self.key, action="")
        self.assertEqual(self.server.get("/v1/rooms/general").data["pending_count"], before)


class CheckinDecisions(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key, cls.agent_id = cls.server.register_agent("decider")
        cls.other_key, _ = cls.server.register_agent("bystander")
        cls.me = cls.server.get("/v1/me").data["id"]

    def new(self, **fields):
        r = self.server.check_in(self.key, **fields)
        self.assertEqual(r.status, 201, r)
        return r.data["id"]

    def test_approve(self):
        cid = self.new()
        r = self.server.post(f"/v1/check-ins/{cid}/approve", {"reason": "looks good"})
        self.assertEqual(r.status, 200, r)
        c = r.data
        self.assertEqual(c["status"], "approved")
        self.assertEqual(c["decision"]["outcome"], "approved")
        self.assertEqual(c["decision"]["by"], {"kind": "user", "id": self.me})
        self.assertEqual(c["decision"]["reason"], "looks good")
        self.assertEqual(c["decision_reason"], "looks good")
        self.assertEqual(self.server.get(f"/v1/check-ins/{cid}").data, c)
        self.assertError(self.server.post(f"/v1/check-ins/{cid}/approve"), 409, "CONFLICT")
        self.assertError(self.server.post(f"/v1/check-ins/{cid}/reject"), 409, "CONFLICT")

    def test_approve_without_body(self):
        cid = self.new()
        r = self.server.request("POST", f"/v1/check-ins/{cid}/approve")
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.data["decision_reason"])

    def test_reject(self):
        cid = self.new()
        c = self.server.post(f"/v1/check-ins/{cid}/reject", {"reason": "not today"}).data
        self.assertEqual(c["status"], "rejected")
        self.assertEqual(c["decision"]["outcome"], "rejected")

    def test_modify(self):
        cid = self.new()
        r = self.server.post(f"/v1/check-ins/{cid}/modify",
                             {"modifications": {"env": "staging"}, "reason": "staging first"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data["status"], "modified")
        self.assertEqual(r.data["modifications"], {"env": "staging"})
        self.assertEqual(r.data["decision_reason"], "staging first")
        self.assertError(self.server.post(f"/v1/check-ins/{self.new()}/modify", {}), 400,
                         "VALIDATION_ERROR", "modifications")
        self.assertError(self.server.post(f"/v1/check-ins/{self.new()}/modify",
                                          {"modifications": "x"}), 400, "VALIDATION_ERROR",
                         "modifications")

    def test_agents_cannot_decide(self):
        cid = self.new()
        for verb in ("approve", "reject", "modify", "extend"):
            self.assertError(self.server.post(f"/v1/check-ins/{cid}/{verb}", {}, token=self.key),
                             403, "FORBIDDEN")

    def test_withdraw_by_the_creating_agent_only(self):
        cid = self.new()
        self.assertError(self.server.delete(f"/v1/check-ins/{cid}", token=self.other_key), 403,
                         "FORBIDDEN")
        self.assertError(self.server.delete(f"/v1/check-ins/{cid}"), 403, "FORBIDDEN")
        r = self.server.delete(f"/v1/check-ins/{cid}", token=self.key)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data["status"], "withdrawn")
        self.assertEqual(r.data["decision"]["outcome"], "withdrawn")
        self.assertError(self.server.post(f"/v1/check-ins/{cid}/withdraw", token=self.key), 409,
                         "CONFLICT")
        cid2 = self.new()
        r = self.server.post(f"/v1/check-ins/{cid2}/withdraw", {"reason": "not needed"},
                             token=self.key)
        self.assertEqual(r.data["status"], "withdrawn")

    def test_extend(self):
        cid = self.new(timeout_ms=60000)
        before = self.server.get(f"/v1/check-ins/{cid}").data
        r = self.server.post(f"/v1/check-ins/{cid}/extend", {"by_ms": 30000})
        self.assertEqual(r.status, 200, r)
        self.assertGreater(r.data["expires_at"], before["expires_at"])
        self.assertError(self.server.post(f"/v1/check-ins/{cid}/extend", {"by_ms": 10}), 400,
                         "VALIDATION_ERROR", "by_ms")
        self.assertError(self.server.post(f"/v1/check-ins/{cid}/extend", {}), 400,
                         "VALIDATION_ERROR", "by_ms")
        held = self.new(timeout_action="hold")
        self.assertIsNone(self.server.get(f"/v1/check-ins/{held}").data["expires_at"])
        self.assertError(self.server.post(f"/v1/check-ins/{held}/extend", {"by_ms": 5000}), 409,
                         "CONFLICT")
        self.server.post(f"/v1/check-ins/{cid}/approve")
        self.assertError(self.server.post(f"/v1/check-ins/{cid}/extend", {"by_ms": 5000}), 409,
                         "CONFLICT")

    def test_unknown_check_in_is_404(self):
        for method, path in (("GET", "/v1/check-ins/ci_0000000000"),
                             ("GET", "/v1/check-ins/ci_0000000000/status"),
                             ("POST", "/v1/check-ins/ci_0000000000/approve"),
                             ("DELETE", "/v1/check-ins/ci_0000000000"),
                             ("GET", "/v1/check-ins/whatever")):
            with self.subTest(path=path):
                self.assertError(self.server.request(method, path), 404, "NOT_FOUND")

    def test_several_approvers(self):
        cid = self.new(required_approvals=2)
        r = self.server.post(f"/v1/check-ins/{cid}/approve")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data["status"], "pending")
        self.assertEqual(r.data["decision_progress"]["required"], 2)
        self.assertEqual(len(r.data["decision_progress"]["approvals"]), 1)
        self.assertError(self.server.post(f"/v1/check-ins/{cid}/approve"), 409, "CONFLICT")
        r = self.server.post(f"/v1/check-ins/{cid}/reject")
        self.assertEqual(r.data["status"], "rejected")

    def test_pending_queue_is_oldest_first_with_paging(self):
        self.server.create_room("queue")
        ids = []
        for i in range(5):
            r = self.server.check_in(self.key, room="queue", action=f"step {i}")
            ids.append(r.data["id"])
        self.server.post(f"/v1/check-ins/{ids[1]}/approve")
        page = self.server.get("/v1/rooms/queue/pending?limit=2")
        self.assertEqual(page.status, 200, page)
        self.assertEqual([c["id"] for c in page.data], [ids[0], ids[2]])
        self.assertTrue(page.json["has_more"])
        rest = self.server.get(f"/v1/rooms/queue/pending?limit=2&cursor={page.json['cursor']}")
        self.assertEqual([c["id"] for c in rest.data], [ids[3], ids[4]])
        self.assertFalse(rest.json["has_more"])
        self.assertIsNone(rest.json["cursor"])
        self.assertEqual(self.server.get("/v1/rooms/queue").data["pending_count"], 4)
        self.assertError(self.server.get("/v1/rooms/queue/pending?limit=0"), 400,
                         "VALIDATION_ERROR", "limit")
        self.assertError(self.server.get("/v1/rooms/queue/pending?limit=501"), 400,
                         "VALIDATION_ERROR", "limit")
        self.assertError(self.server.get("/v1/rooms/queue/pending?cursor=garbage"), 400,
                         "VALIDATION_ERROR", "cursor")


class Trust(ServerTest):
    def test_trust_follows_human_decisions(self):
        key, agent = self.server.register_agent("trusty")
        self.server.create_room("trust-room")
        outcomes = ["approve", "approve", "modify", "reject"]
        for verb in outcomes:
            cid = self.server.check_in(key, room="trust-room").data["id"]
            body = {"modifications": {"x": 1}} if verb == "modify" else {}
            self.assertEqual(self.server.post(f"/v1/check-ins/{cid}/{verb}", body).status, 200)
        cid = self.server.check_in(key, room="trust-room").data["id"]
        self.server.delete(f"/v1/check-ins/{cid}", token=key)
        r = self.server.get("/v1/rooms/trust-room/trust")
        self.assertEqual(r.status, 200, r)
        [card] = [c for c in r.data if c["agent_id"] == agent]
        self.assertAlmostEqual(card["score"], 15 + 1 + 1 + 0.6 - 0.3)
        self.assertEqual(card["total_check_ins"], 5)
        self.assertEqual(card["approved_count"], 2)
        self.assertEqual(card["modified_count"], 1)
        self.assertEqual(card["rejected_count"], 1)
        self.assertEqual(card["expired_count"], 0)


if __name__ == "__main__":
    unittest.main()
