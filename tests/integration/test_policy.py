"""Room policy evaluation over real HTTP, in the order API.md fixes."""
import unittest

from harness import ServerTest


class Policy(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key, cls.agent_id = cls.server.register_agent("policy-agent")

    def room_with(self, slug, policy):
        self.server.create_room(slug)
        r = self.server.put(f"/v1/rooms/{slug}/policy", policy)
        self.assertEqual(r.status, 200, r)

    def test_forbid_answers_403_and_records_the_check_in(self):
        self.room_with("forbid", {"rules": [
            {"id": "no-prod", "effect": "forbid", "when": {"action": "deploy * production",
                                                           "risk_level": ["high", "critical"]}},
            {"id": "all", "effect": "auto_approve", "when": {}}]})
        r = self.server.check_in(self.key, room="forbid", risk_level="critical")
        self.assertError(r, 403, "POLICY_FORBIDS")
        details = r.error["details"]
        self.assertEqual(details["rule_id"], "no-prod")
        c = self.server.get(f"/v1/check-ins/{details['check_in_id']}").data
        self.assertEqual(c["status"], "rejected")
        self.assertEqual(c["decision"]["by"], {"kind": "policy"})
        self.assertEqual(c["decision"]["rule_id"], "no-prod")
        self.assertIsNone(c["expires_at"])
        # not matching the risk: the forbid rule does not apply, auto-approve does
        r = self.server.check_in(self.key, room="forbid", risk_level="low")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.data["status"], "approved")
        self.assertEqual(r.data["decision"]["rule_id"], "all")
        # a forbidden check-in counts as rejected, without changing the score
        [card] = self.server.get("/v1/rooms/forbid/trust").data
        self.assertEqual(card["rejected_count"], 1)
        self.assertEqual(card["approved_count"], 1)
        self.assertEqual(card["total_check_ins"], 2)
        self.assertEqual(card["score"], 15)

    def test_auto_approve_by_regex_and_metadata(self):
        self.room_with("docs", {"rules": [
            {"id": "docs", "effect": "auto_approve",
             "when": {"action_regex": "^update docs", "metadata": {"env": "staging",
                                                                     "deploy.region": "eu"}}}]})
        ok = self.server.check_in(self.key, room="docs", action="update docs for v2",
                                  metadata={"env": "staging", "deploy": {"region": "eu"}})
        self.assertEqual(ok.data["status"], "approved")
        self.assertEqual(ok.data["decision"]["by"]["kind"], "policy")
        other = self.server.check_in(self.key, room="docs", action="update docs for v2",
                                     metadata={"env": "prod", "deploy": {"region": "eu"}})
        self.assertEqual(other.data["status"], "pending")

    def test_trust_threshold(self):
        self.room_with("trusted", {"trust_thresholds": {"low": 15, "medium": 50}})
        low = self.server.check_in(self.key, room="trusted", risk_level="low")
        self.assertEqual(low.data["status"], "approved", low)
        self.assertEqual(low.data["decision"]["trust_score"], 15)
        self.assertNotIn("rule_id", low.data["decision"])
        medium = self.server.check_in(self.key, room="trusted", risk_level="medium")
        self.assertEqual(medium.data["status"], "pending")
        high = self.server.check_in(self.key, room="trusted", risk_level="high")
        self.assertEqual(high.data["status"], "pending")

    def test_default_actions(self):
        self.room_with("yes", {"default_action": "auto_approve"})
        self.assertEqual(self.server.check_in(self.key, room="yes").data["status"], "approved")
        self.room_with("no", {"default_action": "forbid"})
        r = self.server.check_in(self.key, room="no")
        self.assertError(r, 403, "POLICY_FORBIDS")
        self.assertIsNone(r.error["details"]["rule_id"])

    def test_agent_and_urgency_conditions(self):
        self.room_with("who", {"rules": [
            {"id": "me-urgent", "effect": "auto_approve",
             "when": {"agent": [self.agent_id], "urgency": ["urgent"]}}]})
        self.assertEqual(self.server.check_in(self.key, room="who", urgency="urgent")
                         .data["status"], "approved")
        self.assertEqual(self.server.check_in(self.key, room="who", urgency="low")
                         .data["status"], "pending")
        other, _ = self.server.register_agent("other")
        self.assertEqual(self.server.check_in(other, room="who", urgency="urgent")
                         .data["status"], "pending")

    def test_glob_is_case_insensitive_and_whole_text(self):
        self.room_with("glob", {"rules": [
            {"id": "g", "effect": "auto_approve", "when": {"action": "DEPLOY v?.*"}}]})
        self.assertEqual(self.server.check_in(self.key, room="glob", action="deploy v2.3.1")
                         .data["status"], "approved")
        self.assertEqual(self.server.check_in(self.key, room="glob", action="please deploy v2.3")
                         .data["status"], "pending")


if __name__ == "__main__":
    unittest.main()
