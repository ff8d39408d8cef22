"""The audit trail (API and `waitroom audit export`), Idempotency-Key and rate limits."""
import json
import re
import subprocess
import time
import unittest

from fixtures import (HEX64_RE, audit_all, create_user, event_count, list_all, new_checkin,
                      new_task, register_agent)
from harness import BIN, OWNER_TOKEN, Server, ServerTest

ENVELOPE = {"seq", "type", "v", "stream", "version", "at", "actor", "org_id", "room_id", "data"}


def audit_fixture(s):
    """Some history in two rooms; answers (agent key, agent id, check-in ids)."""
    s.create_room("audited")
    key, agent = register_agent(s)
    ids = []
    for room in ("general", "audited", "audited"):
        ids.append(new_checkin(s, key, room=room)["id"])
    s.post(f"/v1/check-ins/{ids[0]}/approve", {})
    s.post(f"/v1/check-ins/{ids[1]}/reject", {"reason": "no"})
    s.post(f"/v1/check-ins/{ids[2]}/messages", {"type": "comment", "content": "hi"}, token=key)
    s.post("/v1/rooms/audited/signal", {"type": "ping"})
    time.sleep(0.05)
    s.post(f"/v1/check-ins/{ids[2]}/approve", {})
    return key, agent, ids


class AuditApi(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.key, cls.agent, cls.ids = audit_fixture(s)
        cls.admin, _ = create_user(s, "admin")
        cls.member, _ = create_user(s, "member")
        cls.viewer, _ = create_user(s, "viewer")
        cls.all = audit_all(s)

    def test_items_are_envelopes_with_a_hash_in_ascending_seq(self):
        self.assertGreater(len(self.all), 15)
        seqs = [e["seq"] for e in self.all]
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(len(seqs), len(set(seqs)))
        for e in self.all:
            self.assertTrue(ENVELOPE <= set(e), set(e))
            self.assertRegex(e["hash"], HEX64_RE)
            self.assertIsInstance(e["seq"], int)
            self.assertIsInstance(e["version"], int)
            self.assertIsInstance(e["v"], int)
            self.assertIsInstance(e["actor"], dict)
            self.assertIn("kind", e["actor"])
            self.assertRegex(e["at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        types = {e["type"] for e in self.all}
        for t in ("org.created", "room.created", "checkin.created", "checkin.approved",
                  "checkin.rejected", "checkin.message", "signal.broadcast"):
            self.assertIn(t, types)
        r = self.server.get("/v1/audit", token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data, self.all[:50])

    def test_only_admins_read_the_org_audit(self):
        for token in (self.member, self.viewer, self.key):
            self.assertError(self.server.get("/v1/audit", token=token), 403, "FORBIDDEN")
            self.assertError(self.server.get("/v1/audit/verify", token=token), 403, "FORBIDDEN")
        self.assertError(self.server.get("/v1/audit", token=None), 401, "UNAUTHORIZED")

    def test_filters(self):
        s = self.server
        audited = s.get("/v1/rooms/audited").data["id"]
        mid = self.all[len(self.all) // 2]
        cases = {
            (("room", "audited"),): lambda e: e["room_id"] == audited,
            (("room", audited),): lambda e: e["room_id"] == audited,
            (("type", "checkin."),): lambda e: e["type"].startswith("checkin."),
            (("type", "checkin.approved"),): lambda e: e["type"] == "checkin.approved",
            (("type", "room"),): lambda e: e["type"].startswith("room"),
            (("actor", self.agent),): lambda e: e["actor"].get("id") == self.agent,
            (("stream", self.ids[2]),): lambda e: e["stream"] == self.ids[2],
            (("since_seq", str(mid["seq"])),): lambda e: e["seq"] > mid["seq"],
            (("until", mid["at"]),): lambda e: e["at"] <= mid["at"],
            (("room", "audited"), ("type", "checkin.")):
                lambda e: e["room_id"] == audited and e["type"].startswith("checkin."),
        }
        for filters, pred in cases.items():
            with self.subTest(filters=filters):
                got = audit_all(s, **dict(filters))
                want = [e for e in self.all if pred(e)]
                self.assertTrue(want)
                self.assertEqual([e["seq"] for e in got], [e["seq"] for e in want])
        stream = audit_all(s, stream=self.ids[2])
        self.assertEqual([e["version"] for e in stream], list(range(1, len(stream) + 1)))
        self.assertEqual(stream[0]["type"], "checkin.created")
        self.assertEqual(audit_all(s, type="no.such."), [])

    def test_bad_filters(self):
        for query, field in (("since_seq=x", "since_seq"), ("since_seq=-1", "since_seq"),
                             ("until=yesterday", "until"), ("limit=0", "limit"),
                             ("limit=501", "limit"), ("cursor=zz", "cursor")):
            with self.subTest(query=query):
                self.assertError(self.server.get(f"/v1/audit?{query}"), 400, "VALIDATION_ERROR",
                                 field)
        self.assertError(self.server.get("/v1/audit?room=nope"), 404, "NOT_FOUND")

    def test_cursor_paging(self):
        paged = list_all(self.server, "/v1/audit", limit=3)
        self.assertEqual(paged, self.all)
        first = self.server.get("/v1/audit?limit=3")
        self.assertTrue(first.json["has_more"])
        self.assertEqual([e["seq"] for e in first.data], [e["seq"] for e in self.all[:3]])
        room = list_all(self.server, "/v1/audit?room=audited&type=checkin.", limit=2)
        self.assertEqual(room, audit_all(self.server, room="audited", type="checkin."))

    def test_room_audit_for_people(self):
        general = self.server.get("/v1/rooms/general").data["id"]
        for token in (self.viewer, self.member, OWNER_TOKEN):
            got = list_all(self.server, "/v1/rooms/general/audit", token=token)
            self.assertEqual([e["seq"] for e in got],
                             [e["seq"] for e in self.all if e["room_id"] == general])
        got = list_all(self.server, "/v1/rooms/audited/audit?type=checkin.approved")
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["stream"], self.ids[2])
        self.assertError(self.server.get("/v1/rooms/general/audit", token=self.key), 403,
                         "FORBIDDEN")
        self.assertError(self.server.get("/v1/rooms/nope/audit"), 404, "NOT_FOUND")

    def test_verify(self):
        r = self.server.get("/v1/audit/verify", token=self.admin)
        self.assertEqual(r.status, 200, r)
        v = r.data
        self.assertIs(v["ok"], True)
        now = audit_all(self.server)
        self.assertEqual(v["events"], now[-1]["seq"])
        self.assertEqual(v["events"], len(now))  # one organization: every event is ours
        self.assertRegex(v["head_hash"], HEX64_RE)
        self.assertEqual(v["head_hash"], now[-1]["hash"])


class AuditExportCli(unittest.TestCase):
    """`waitroom audit export --data DIR [--room R] [--since-seq N] [--type PREFIX]`."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()
        s = cls.server
        cls.key, cls.agent, cls.ids = audit_fixture(s)
        cls.audited = s.get("/v1/rooms/audited").data["id"]
        cls.all = audit_all(s)
        s.stop()  # the log is complete and quiet

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def export(self, *args):
        p = subprocess.run([BIN, "audit", "export", "--data", self.server.data_dir, *args],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        lines = p.stdout.splitlines()
        events = []
        for line in lines:
            self.assertTrue(line.strip(), "empty line in JSON Lines output")
            events.append(json.loads(line))
        return events

    def test_export_everything(self):
        got = self.export()
        self.assertEqual(got, self.all)
        for e in got:
            self.assertTrue(ENVELOPE | {"hash"} <= set(e), set(e))
            self.assertRegex(e["hash"], HEX64_RE)

    def test_export_with_filters(self):
        mid = self.all[len(self.all) // 2]["seq"]
        cases = {
            ("--room", "audited"): lambda e: e["room_id"] == self.audited,
            ("--room", self.audited): lambda e: e["room_id"] == self.audited,
            ("--since-seq", str(mid)): lambda e: e["seq"] > mid,
            ("--type", "checkin."): lambda e: e["type"].startswith("checkin."),
            ("--room", "audited", "--type", "checkin.", "--since-seq", str(mid)):
                lambda e: e["room_id"] == self.audited and e["type"].startswith("checkin.")
                and e["seq"] > mid,
        }
        for args, pred in cases.items():
            with self.subTest(args=args):
                want = [e for e in self.all if pred(e)]
                self.assertTrue(want)
                self.assertEqual(self.export(*args), want)


class Idempotency(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.key, cls.agent = register_agent(s)
        cls.key2, _ = register_agent(s)
        cls.member, _ = create_user(s, "member")
        cls.member2, _ = create_user(s, "member")
        s.create_room("idem")
        s.create_room("idem-forbidden", policy={"rules": [
            {"id": "no-drops", "effect": "forbid", "when": {"action": "drop *"}}]})

    def post(self, path, body=None, key=None, token=None, raw=None):
        return self.server.request("POST", path, body=body, raw=raw,
                                   token=token or self.key,
                                   headers={"Idempotency-Key": key} if key else None)

    def test_same_key_same_body_replays_the_first_answer(self):
        body = {"action": "deploy 1", "risk_level": "high"}
        first = self.post("/v1/rooms/idem/check-in", body, key="k-same")
        self.assertEqual(first.status, 201, first)
        self.assertNotIn("idempotent-replayed", first.headers)
        events = event_count(self.server)
        pending = self.server.get("/v1/rooms/idem").data["pending_count"]
        for _ in range(2):
            again = self.post("/v1/rooms/idem/check-in", body, key="k-same")
            self.assertEqual(again.status, 201, again)
            self.assertEqual(again.raw, first.raw)
            self.assertEqual(again.headers.get("idempotent-replayed"), "true")
        self.assertEqual(event_count(self.server), events)
        self.assertEqual(self.server.get("/v1/rooms/idem").data["pending_count"], pending)
        # without a key it is a new request
        self.assertNotEqual(self.post("/v1/rooms/idem/check-in", body).data["id"],
                            first.data["id"])

    def test_same_key_with_anything_else_is_409(self):
        first = self.post("/v1/rooms/idem/check-in", {"action": "deploy 2"}, key="k-other")
        self.assertEqual(first.status, 201, first)
        events = event_count(self.server)
        self.assertError(self.post("/v1/rooms/idem/check-in", {"action": "deploy 3"},
                                   key="k-other"), 409, "CONFLICT")
        self.assertError(self.post("/v1/rooms/general/check-in", {"action": "deploy 2"},
                                   key="k-other"), 409, "CONFLICT")
        self.assertEqual(event_count(self.server), events)
        self.assertEqual(self.post("/v1/rooms/idem/check-in", {"action": "deploy 2"},
                                   key="k-other").raw, first.raw)

    def test_json_equal_bodies_are_the_same(self):
        first = self.post("/v1/rooms/idem/check-in", key="k-json",
                          raw=b'{"action":"deploy 4","risk_level":"low","metadata":{"a":1,"b":2}}')
        self.assertEqual(first.status, 201, first)
        events = event_count(self.server)
        again = self.post("/v1/rooms/idem/check-in", key="k-json",
                          raw=b'{ "metadata" : {"b": 2, "a": 1},\n  "risk_level":"low",'
                              b'\t"action" : "deploy 4" }')
        self.assertEqual(again.status, 201, again)
        self.assertEqual(again.raw, first.raw)
        self.assertEqual(again.headers.get("idempotent-replayed"), "true")
        self.assertEqual(event_count(self.server), events)

    def test_an_empty_body_is_the_same_as_an_empty_object(self):
        cid = new_checkin(self.server, self.key, room="idem")["id"]
        first = self.post(f"/v1/check-ins/{cid}/approve", key="k-empty", raw=b"", token=OWNER_TOKEN)
        self.assertEqual(first.status, 200, first)
        again = self.post(f"/v1/check-ins/{cid}/approve", key="k-empty", raw=b"{}",
                          token=OWNER_TOKEN)
        self.assertEqual(again.status, 200, again)
        self.assertEqual(again.headers.get("idempotent-replayed"), "true")
        self.assertEqual(again.raw, first.raw)

    def test_a_policy_forbids_answer_is_replayed(self):
        body = {"action": "drop the production database"}
        first = self.post("/v1/rooms/idem-forbidden/check-in", body, key="k-forbid")
        self.assertError(first, 403, "POLICY_FORBIDS")
        cid = first.error["details"]["check_in_id"]
        self.assertEqual(first.error["details"]["rule_id"], "no-drops")
        events = event_count(self.server)
        again = self.post("/v1/rooms/idem-forbidden/check-in", body, key="k-forbid")
        self.assertEqual(again.status, 403, again)
        self.assertEqual(again.raw, first.raw)
        self.assertEqual(again.headers.get("idempotent-replayed"), "true")
        self.assertEqual(event_count(self.server), events)
        recorded = list_all(self.server, "/v1/check-ins?room=idem-forbidden")
        self.assertEqual([c["id"] for c in recorded], [cid])
        self.assertEqual(recorded[0]["status"], "rejected")

    def test_a_400_is_not_stored(self):
        bad = self.post("/v1/rooms/idem/check-in", {"action": ""}, key="k-bad")
        self.assertError(bad, 400, "VALIDATION_ERROR", "action")
        again = self.post("/v1/rooms/idem/check-in", {"action": ""}, key="k-bad")
        self.assertError(again, 400, "VALIDATION_ERROR", "action")
        self.assertNotIn("idempotent-replayed", again.headers)
        fixed = self.post("/v1/rooms/idem/check-in", {"action": "deploy 5"}, key="k-bad")
        self.assertEqual(fixed.status, 201, fixed)
        replay = self.post("/v1/rooms/idem/check-in", {"action": "deploy 5"}, key="k-bad")
        self.assertEqual(replay.raw, fixed.raw)
        self.assertEqual(replay.headers.get("idempotent-replayed"), "true")
        # nor a 404
        self.assertError(self.post("/v1/rooms/nope/check-in", {"action": "x"}, key="k-404"),
                         404, "NOT_FOUND")
        self.assertEqual(self.post("/v1/rooms/idem/check-in", {"action": "x"},
                                   key="k-404").status, 201)

    def test_keys_are_per_principal(self):
        body = {"action": "deploy 6"}
        a = self.post("/v1/rooms/idem/check-in", body, key="k-shared")
        b = self.post("/v1/rooms/idem/check-in", body, key="k-shared", token=self.key2)
        self.assertEqual(a.status, 201, a)
        self.assertEqual(b.status, 201, b)
        self.assertNotIn("idempotent-replayed", b.headers)
        self.assertNotEqual(a.data["id"], b.data["id"])
        # people too, on another route
        t1 = self.post("/v1/rooms/idem/tasks", {"action": "t"}, key="k-task", token=self.member)
        t2 = self.post("/v1/rooms/idem/tasks", {"action": "t"}, key="k-task", token=self.member2)
        t3 = self.post("/v1/rooms/idem/tasks", {"action": "t"}, key="k-task", token=self.member)
        self.assertEqual((t1.status, t2.status, t3.status), (201, 201, 201))
        self.assertNotEqual(t1.data["id"], t2.data["id"])
        self.assertEqual(t3.raw, t1.raw)
        self.assertEqual(t3.headers.get("idempotent-replayed"), "true")

    def test_other_posts_are_replayed_too(self):
        cid = new_checkin(self.server, self.key, room="idem")["id"]
        first = self.post(f"/v1/check-ins/{cid}/approve", {"reason": "ok"}, key="k-approve",
                          token=OWNER_TOKEN)
        self.assertEqual(first.status, 200, first)
        again = self.post(f"/v1/check-ins/{cid}/approve", {"reason": "ok"}, key="k-approve",
                          token=OWNER_TOKEN)
        self.assertEqual(again.status, 200, again)   # not 409: the first answer
        self.assertEqual(again.raw, first.raw)
        self.assertEqual(again.headers.get("idempotent-replayed"), "true")


class IdempotencyAcrossRestart(ServerTest):
    def test_keys_survive_a_restart(self):
        s = self.server
        key, _ = register_agent(s)
        body = {"action": "deploy after restart"}
        first = s.request("POST", "/v1/rooms/general/check-in", body=body, token=key,
                          headers={"Idempotency-Key": "k-restart"})
        self.assertEqual(first.status, 201, first)
        events = event_count(s)
        self.assertEqual(s.stop(), 0)
        s.start()
        again = s.request("POST", "/v1/rooms/general/check-in", body=body, token=key,
                          headers={"Idempotency-Key": "k-restart"})
        self.assertEqual(again.status, 201, again)
        self.assertEqual(again.raw, first.raw)
        self.assertEqual(again.headers.get("idempotent-replayed"), "true")
        self.assertEqual(event_count(s), events)
        self.assertError(s.request("POST", "/v1/rooms/general/check-in", body={"action": "x"},
                                   token=key, headers={"Idempotency-Key": "k-restart"}),
                         409, "CONFLICT")


class RateLimit(ServerTest):
    server_args = ("--rate-limit", "5", "--rate-burst", "5")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other, _ = create_user(cls.server, "member")
        cls.key, _ = register_agent(cls.server)
        time.sleep(1.2)  # refill the owner's bucket

    def test_a_burst_is_429_for_that_principal_only(self):
        answers = [self.server.get("/v1/me") for _ in range(15)]
        codes = [r.status for r in answers]
        self.assertTrue(all(c in (200, 429) for c in codes), codes)
        self.assertGreaterEqual(codes.count(200), 4, codes)
        limited = [r for r in answers if r.status == 429]
        self.assertGreaterEqual(len(limited), 5, codes)
        for r in limited:
            self.assertError(r, 429, "RATE_LIMITED")
            self.assertRegex(r.headers.get("retry-after", ""), r"^[1-9]\d*$")
        # others are unaffected
        self.assertEqual(self.server.get("/v1/me", token=self.other).status, 200)
        self.assertEqual(self.server.get("/v1/me", token=self.key).status, 200)
        self.assertEqual(self.server.get("/healthz", token=None).status, 200)
        # and the limited one recovers
        time.sleep(int(limited[-1].headers["retry-after"]) + 0.2)
        self.assertEqual(self.server.get("/v1/me").status, 200)


if __name__ == "__main__":
    unittest.main()
