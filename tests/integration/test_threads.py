"""Thread messages and participants of check-ins and tasks."""
import unittest
import urllib.parse

from fixtures import TIME_RE, create_user, is_id, list_all, new_checkin, new_task, register_agent
from harness import OWNER_TOKEN, ServerTest


class Messages(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.member, cls.member_id = create_user(s, "member")
        cls.key, cls.agent = register_agent(s)
        cls.stranger_key, cls.stranger = register_agent(s)
        cls.me = s.get("/v1/me").data["id"]

    def post(self, cid, body, token=None):
        return self.server.post(f"/v1/check-ins/{cid}/messages", body,
                                token=token or self.key)

    def test_post_each_client_type(self):
        cid = new_checkin(self.server, self.key)["id"]
        for kind in ("comment", "question", "escalation", "result"):
            with self.subTest(type=kind):
                r = self.post(cid, {"type": kind, "content": f"a {kind}"})
                self.assertEqual(r.status, 201, r)
                m = r.data
                self.assertTrue(is_id(m["id"], "msg_"), m)
                self.assertEqual(m["check_in_id"], cid)
                self.assertEqual(m["type"], kind)
                self.assertEqual(m["author"], {"kind": "agent", "id": self.agent})
                self.assertEqual(m["content"], f"a {kind}")
                self.assertEqual(m["metadata"], {})
                self.assertEqual(m["attachments"], [])
                self.assertRegex(m["created_at"], TIME_RE)
        r = self.post(cid, {"type": "comment", "content": "from a person",
                            "metadata": {"k": [1, 2]}}, token=self.member)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.data["author"], {"kind": "user", "id": self.member_id})
        self.assertEqual(r.data["metadata"], {"k": [1, 2]})
        listed = list_all(self.server, f"/v1/check-ins/{cid}/messages")
        self.assertEqual([m["content"] for m in listed if m["type"] != "status_change"],
                         ["a comment", "a question", "a escalation", "a result", "from a person"])

    def test_validation(self):
        cid = new_checkin(self.server, self.key)["id"]
        att = {"name": "log.txt", "url": "https://127.0.0.1/log.txt"}
        cases = [({"type": "status_change", "content": "x"}, "type"),
                 ({"type": "decision", "content": "x"}, "type"),
                 ({"type": "shout", "content": "x"}, "type"),
                 ({"content": "x"}, "type"),
                 ({"type": "comment"}, "content"),
                 ({"type": "comment", "content": ""}, "content"),
                 ({"type": "comment", "content": "x" * 10001}, "content"),
                 ({"type": "comment", "content": 5}, "content"),
                 ({"type": "comment", "content": "x", "metadata": [1]}, "metadata"),
                 ({"type": "comment", "content": "x", "attachments": "a"}, "attachments"),
                 ({"type": "comment", "content": "x", "attachments": [att] * 11}, "attachments"),
                 ({"type": "comment", "content": "x", "attachments": [{"url": att["url"]}]},
                  "attachments[0].name"),
                 ({"type": "comment", "content": "x", "attachments": [att, {"name": "n"}]},
                  "attachments[1].url"),
                 ({"type": "comment", "content": "x",
                   "attachments": [{"name": "n", "url": "ftp://127.0.0.1/x"}]},
                  "attachments[0].url"),
                 ({"type": "comment", "content": "x", "attachments": [5]}, "attachments[0]")]
        for body, field in cases:
            with self.subTest(body=str(body)[:80]):
                self.assertError(self.post(cid, body), 400, "VALIDATION_ERROR", field)
        before = len(list_all(self.server, f"/v1/check-ins/{cid}/messages"))
        self.assertEqual(before, 1)  # only the automatic status change
        # the limits themselves are fine
        r = self.post(cid, {"type": "comment", "content": "é" * 10000})
        self.assertEqual(r.status, 201, r)
        full = [{"name": f"f{i}", "url": f"https://127.0.0.1/{i}", "content_type": "text/plain",
                 "size": i} for i in range(10)]
        r = self.post(cid, {"type": "comment", "content": "files", "attachments": full})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.data["attachments"], full)

    def test_automatic_status_change_and_decision_messages(self):
        cid = new_checkin(self.server, self.key)["id"]
        first = list_all(self.server, f"/v1/check-ins/{cid}/messages")
        self.assertEqual(len(first), 1, first)
        self.assertEqual(first[0]["type"], "status_change")
        self.assertEqual(first[0]["author"], {"kind": "system"})
        self.post(cid, {"type": "question", "content": "ok to go?"})
        self.assertEqual(self.server.post(f"/v1/check-ins/{cid}/approve", {"reason": "go"}).status,
                         200)
        msgs = list_all(self.server, f"/v1/check-ins/{cid}/messages")
        types = [m["type"] for m in msgs]
        self.assertEqual(types[:2], ["status_change", "question"])
        self.assertEqual(sorted(types[2:]), ["decision", "status_change"])
        decision = [m for m in msgs if m["type"] == "decision"][0]
        self.assertEqual(decision["author"], {"kind": "user", "id": self.me})
        for m in msgs:
            if m["type"] == "status_change":
                self.assertEqual(m["author"], {"kind": "system"})
        stamps = [m["created_at"] for m in msgs]
        self.assertEqual(stamps, sorted(stamps))
        # tasks: creation (to open), claim, submit each append one
        t = new_task(self.server, token=self.member)["id"]
        self.server.post(f"/v1/check-ins/{t}/claim", {}, token=self.key)
        self.server.post(f"/v1/check-ins/{t}/submit", {"content": "done"}, token=self.key)
        self.server.post(f"/v1/check-ins/{t}/reject", {}, token=self.member)
        msgs = list_all(self.server, f"/v1/check-ins/{t}/messages")
        self.assertEqual([m["type"] for m in msgs].count("status_change"), 4,
                         [m["type"] for m in msgs])
        self.assertEqual([m["type"] for m in msgs].count("decision"), 1)
        self.assertEqual([m["type"] for m in msgs].count("result"), 1)
        self.assertEqual(msgs[0]["type"], "status_change")

    def test_cursor_paging_oldest_first(self):
        cid = new_checkin(self.server, self.key)["id"]
        for i in range(7):
            self.post(cid, {"type": "comment", "content": f"c{i}"})
        everything = self.server.get(f"/v1/check-ins/{cid}/messages?limit=500")
        self.assertFalse(everything.json["has_more"])
        self.assertIsNone(everything.json["cursor"])
        expected = [m["id"] for m in everything.data]
        self.assertEqual([m["content"] for m in everything.data][1:],
                         [f"c{i}" for i in range(7)])
        seen, cursor, pages = [], None, 0
        while True:
            path = f"/v1/check-ins/{cid}/messages?limit=3"
            if cursor:
                path += "&cursor=" + urllib.parse.quote(cursor, safe="")
            r = self.server.get(path)
            self.assertEqual(r.status, 200, r)
            self.assertLessEqual(len(r.data), 3)
            seen += [m["id"] for m in r.data]
            pages += 1
            if not r.json["has_more"]:
                self.assertIsNone(r.json["cursor"])
                break
            cursor = r.json["cursor"]
        self.assertEqual(seen, expected)
        self.assertEqual(pages, 3)
        for bad in ("0", "501", "x"):
            self.assertError(self.server.get(f"/v1/check-ins/{cid}/messages?limit={bad}"), 400,
                             "VALIDATION_ERROR", "limit")
        self.assertError(self.server.get(f"/v1/check-ins/{cid}/messages?cursor=zzz"), 400,
                         "VALIDATION_ERROR", "cursor")
        self.assertError(self.server.get("/v1/check-ins/ci_0000000000/messages"), 404,
                         "NOT_FOUND")

    def test_only_participating_agents_post(self):
        cid = new_checkin(self.server, self.key)["id"]
        self.assertError(self.post(cid, {"type": "comment", "content": "me too"},
                                   token=self.stranger_key), 403, "FORBIDDEN")
        # tasks: once it joined as a helper, it may
        t = new_task(self.server, token=self.member)["id"]
        self.assertError(self.post(t, {"type": "comment", "content": "hi"},
                                   token=self.stranger_key), 403, "FORBIDDEN")
        self.server.post(f"/v1/check-ins/{t}/claim", {}, token=self.key)
        self.assertEqual(self.post(t, {"type": "comment", "content": "on it"}).status, 201)
        self.assertError(self.post(t, {"type": "comment", "content": "hi"},
                                   token=self.stranger_key), 403, "FORBIDDEN")
        self.server.post(f"/v1/check-ins/{t}/join", {}, token=self.stranger_key)
        r = self.post(t, {"type": "comment", "content": "helping"}, token=self.stranger_key)
        self.assertEqual(r.status, 201, r)
        # everyone visible may read
        self.assertEqual(self.server.get(f"/v1/check-ins/{cid}/messages",
                                         token=self.stranger_key).status, 200)
        self.assertError(self.post("ci_0000000000", {"type": "comment", "content": "x"}), 404,
                         "NOT_FOUND")


class Participants(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.member, cls.member_id = create_user(s, "member")
        cls.approver, cls.approver_id = create_user(s, "member")
        cls.primary_key, cls.primary = register_agent(s)
        cls.helper_key, cls.helper = register_agent(s)

    def participants(self, cid, token=OWNER_TOKEN):
        r = self.server.get(f"/v1/check-ins/{cid}/participants", token=token)
        self.assertEqual(r.status, 200, r)
        for p in r.data:
            self.assertRegex(p["joined_at"], TIME_RE)
            self.assertIn(p["role"], ("creator", "primary", "helper", "approver"))
        return [(p["kind"], p["id"], p["role"]) for p in r.data]

    def test_task_participants(self):
        s = self.server
        t = new_task(s, token=self.member)["id"]
        self.assertEqual(self.participants(t), [("user", self.member_id, "creator")])
        s.post(f"/v1/check-ins/{t}/claim", {}, token=self.primary_key)
        s.post(f"/v1/check-ins/{t}/join", {}, token=self.helper_key)
        s.post(f"/v1/check-ins/{t}/submit", {"content": "done"}, token=self.primary_key)
        r = s.post(f"/v1/check-ins/{t}/approve", {}, token=self.approver)
        self.assertEqual(r.status, 200, r)
        got = self.participants(t)
        self.assertEqual(sorted(got), sorted([("user", self.member_id, "creator"),
                                              ("agent", self.primary, "primary"),
                                              ("agent", self.helper, "helper"),
                                              ("user", self.approver_id, "approver")]))
        # readable by agents too
        self.assertEqual(sorted(self.participants(t, token=self.helper_key)), sorted(got))
        r = s.get(f"/v1/check-ins/{t}/participants")
        stamps = [p["joined_at"] for p in r.data]
        self.assertEqual(stamps, sorted(stamps))

    def test_withdrawing_a_task_is_not_approving_it(self):
        s = self.server
        t = new_task(s, token=self.member)["id"]
        r = s.post(f"/v1/check-ins/{t}/withdraw", {})  # the owner, an admin
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data["status"], "withdrawn")
        self.assertEqual(self.participants(t), [("user", self.member_id, "creator")])

    def test_check_in_participants(self):
        s = self.server
        cid = new_checkin(s, self.primary_key)["id"]
        self.assertEqual(self.participants(cid), [("agent", self.primary, "creator")])
        s.post(f"/v1/check-ins/{cid}/reject", {}, token=self.approver)
        self.assertEqual(self.participants(cid), [("agent", self.primary, "creator"),
                                                  ("user", self.approver_id, "approver")])
        self.assertError(s.get("/v1/check-ins/ci_0000000000/participants"), 404, "NOT_FOUND")


if __name__ == "__main__":
    unittest.main()
