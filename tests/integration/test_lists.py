"""GET /v1/check-ins: filters, order, limits, and stable cursor paging under inserts."""
import threading
import time
import unittest
import urllib.parse

from fixtures import create_user, list_all, new_checkin, new_task, register_agent
from harness import ServerTest


class Filters(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        s.create_room("alpha")
        s.create_room("beta")
        cls.alpha_id = s.get("/v1/rooms/alpha").data["id"]
        cls.member, _ = create_user(s, "member")
        cls.k1, cls.a1 = register_agent(s)
        cls.k2, cls.a2 = register_agent(s)
        cls.k3, cls.a3 = register_agent(s)  # only works on tasks
        cls.created = []  # oldest first
        risks = ["low", "medium", "high", "critical"]
        urgencies = ["low", "normal", "high", "urgent"]
        for i in range(12):
            key = cls.k1 if i % 2 == 0 else cls.k2
            room = "alpha" if i % 3 else "beta"
            c = new_checkin(s, key, room=room, risk_level=risks[i % 4],
                            urgency=urgencies[(i // 2) % 4])
            cls.created.append(c)
        # some decided
        for c, verb in ((cls.created[0], "approve"), (cls.created[1], "reject"),
                        (cls.created[5], "approve")):
            assert s.post(f"/v1/check-ins/{c['id']}/{verb}", {}).status == 200
        # tasks: some claimed by a3
        for i in range(4):
            t = new_task(s, room="alpha" if i % 2 else "beta", token=cls.member,
                         risk_level="high", urgency="urgent")
            cls.created.append(t)
            if i < 2:
                assert s.post(f"/v1/check-ins/{t['id']}/claim", {}, token=cls.k3).status == 200
        cls.all = {c["id"]: s.get(f"/v1/check-ins/{c['id']}").data for c in cls.created}
        cls.newest_first = [c["id"] for c in reversed(cls.created)]

    def ids(self, query):
        items = list_all(self.server, f"/v1/check-ins?{query}")
        return [c["id"] for c in items]

    def expect(self, pred):
        return [i for i in self.newest_first if pred(self.all[i])]

    def test_no_filter_newest_first(self):
        r = self.server.get("/v1/check-ins")
        self.assertEqual(r.status, 200, r)
        self.assertEqual([c["id"] for c in r.data], self.newest_first)
        self.assertFalse(r.json["has_more"])
        self.assertIsNone(r.json["cursor"])
        # agents see them too
        self.assertEqual([c["id"] for c in self.server.get("/v1/check-ins", token=self.k1).data],
                         self.newest_first)

    def test_each_filter(self):
        cases = {
            "room=alpha": lambda c: c["room"] == "alpha",
            f"room={self.alpha_id}": lambda c: c["room"] == "alpha",
            "room=beta": lambda c: c["room"] == "beta",
            "status=pending": lambda c: c["status"] == "pending",
            "status=approved": lambda c: c["status"] == "approved",
            "status=rejected": lambda c: c["status"] == "rejected",
            "status=open": lambda c: c["status"] == "open",
            "status=claimed": lambda c: c["status"] == "claimed",
            "direction=agent_to_human": lambda c: c["direction"] == "agent_to_human",
            "direction=human_to_agent": lambda c: c["direction"] == "human_to_agent",
            "risk_level=low": lambda c: c["risk_level"] == "low",
            "risk_level=critical": lambda c: c["risk_level"] == "critical",
            "urgency=urgent": lambda c: c["urgency"] == "urgent",
            "urgency=normal": lambda c: c["urgency"] == "normal",
            "claimed=true": lambda c: c["primary_agent_id"] is not None,
            "claimed=false": lambda c: c["primary_agent_id"] is None,
            f"agent={self.a1}": lambda c: c["agent_id"] == self.a1,
            f"agent={self.a2}": lambda c: c["agent_id"] == self.a2,
            f"room=alpha&status=pending&agent={self.a2}":
                lambda c: c["room"] == "alpha" and c["status"] == "pending"
                and c["agent_id"] == self.a2,
            "direction=human_to_agent&claimed=false&room=beta":
                lambda c: c["direction"] == "human_to_agent" and c["primary_agent_id"] is None
                and c["room"] == "beta",
            "status=expired": lambda c: False,
        }
        for query, pred in cases.items():
            with self.subTest(query=query):
                want = self.expect(pred)
                self.assertEqual(self.ids(query), want)
                if query != "status=expired":
                    self.assertTrue(want, query)  # the fixture covers every case
        # the agent filter also finds tasks by their primary agent (or at least does not
        # return anything unrelated)
        got = self.ids(f"agent={self.a3}")
        self.assertTrue(set(got) <= {i for i, c in self.all.items()
                                     if c["primary_agent_id"] == self.a3}, got)

    def test_limit_validation(self):
        for bad in ("0", "501", "x", "-1", "1.5", ""):
            with self.subTest(limit=bad):
                self.assertError(self.server.get(f"/v1/check-ins?limit={bad}"), 400,
                                 "VALIDATION_ERROR", "limit")
        for ok in ("1", "500"):
            self.assertEqual(self.server.get(f"/v1/check-ins?limit={ok}").status, 200)
        r = self.server.get("/v1/check-ins?limit=1")
        self.assertEqual(len(r.data), 1)
        self.assertTrue(r.json["has_more"])
        self.assertIsInstance(r.json["cursor"], str)

    def test_bad_filter_values_name_the_filter(self):
        for name, value in (("status", "bogus"), ("direction", "sideways"),
                            ("risk_level", "extreme"), ("urgency", "asap"),
                            ("claimed", "maybe"), ("claimed", "1"), ("status", "PENDING")):
            with self.subTest(name=name, value=value):
                self.assertError(self.server.get(f"/v1/check-ins?{name}={value}"), 400,
                                 "VALIDATION_ERROR", name)
        self.assertError(self.server.get("/v1/check-ins?cursor=garbage"), 400,
                         "VALIDATION_ERROR", "cursor")

    def test_paging_with_filters(self):
        want = self.expect(lambda c: c["direction"] == "agent_to_human")
        got, cursor = [], None
        while True:
            q = "/v1/check-ins?direction=agent_to_human&limit=5"
            if cursor:
                q += "&cursor=" + urllib.parse.quote(cursor, safe="")
            r = self.server.get(q)
            self.assertEqual(r.status, 200, r)
            got += [c["id"] for c in r.data]
            if not r.json["has_more"]:
                break
            cursor = r.json["cursor"]
        self.assertEqual(got, want)


class EveryListPages(ServerTest):
    """Every list endpoint takes `limit` (1-500, else 400) and pages with a cursor."""

    def test_limit_and_cursor_on_every_list(self):
        s = self.server
        key, agent = register_agent(s)
        for i in range(2):
            create_user(s, "member")
            s.post("/v1/rooms/general/signal", {"type": f"s{i}"})
            s.post("/v1/rooms/general/watch", {"webhook_url": f"http://127.0.0.1:9/{i}"})
        s.create_room("second")
        other_key, other = register_agent(s)
        for who in (agent, other):
            s.put(f"/v1/rooms/general/members/{who}", {"role": "agent"})
        cid = new_checkin(s, key)["id"]
        s.post(f"/v1/check-ins/{cid}/messages", {"type": "comment", "content": "hi"}, token=key)
        s.post(f"/v1/check-ins/{cid}/approve", {})
        new_checkin(s, key, room="general")
        new_checkin(s, other_key, room="general")
        lists = ["/v1/users", "/v1/agents", "/v1/rooms", "/v1/check-ins",
                 "/v1/rooms/general/pending", "/v1/rooms/general/trust",
                 "/v1/rooms/general/watchers", "/v1/rooms/general/signals",
                 "/v1/rooms/general/members", "/v1/rooms/general/audit", "/v1/audit",
                 f"/v1/check-ins/{cid}/messages", f"/v1/check-ins/{cid}/participants"]
        new_checkin(s, key, room="second")
        lists.append(f"/v1/agents/{agent}/trust")
        for path in lists:
            with self.subTest(path=path):
                for bad in ("0", "501", "x"):
                    self.assertError(s.get(f"{path}?limit={bad}"), 400, "VALIDATION_ERROR",
                                     "limit")
                everything = list_all(s, path)
                self.assertGreaterEqual(len(everything), 2, path)
                one = s.get(f"{path}?limit=1")
                self.assertEqual(len(one.data), 1)
                self.assertTrue(one.json["has_more"])
                self.assertEqual(list_all(s, path, limit=1), everything)


class PagingUnderInserts(ServerTest):
    def test_no_duplicates_and_no_gaps_while_others_insert(self):
        s = self.server
        key, _ = register_agent(s)
        writer_key, _ = register_agent(s)
        before = [new_checkin(s, key, action=f"old {i}")["id"] for i in range(40)]
        stop = threading.Event()
        inserted = []
        errors = []

        def writer():
            while not stop.is_set():
                r = s.check_in(writer_key, action="new")
                if r.status != 201:
                    errors.append(r)
                    return
                inserted.append(r.data["id"])

        t = threading.Thread(target=writer)
        t.start()
        try:
            time.sleep(0.05)
            seen, cursor, pages = [], None, 0
            while True:
                q = "/v1/check-ins?limit=5"
                if cursor:
                    q += "&cursor=" + urllib.parse.quote(cursor, safe="")
                r = s.get(q)
                self.assertEqual(r.status, 200, r)
                self.assertLessEqual(len(r.data), 5)
                seen += [c["id"] for c in r.data]
                pages += 1
                if not r.json["has_more"]:
                    break
                cursor = r.json["cursor"]
                time.sleep(0.01)
                self.assertLess(pages, 1000)
        finally:
            stop.set()
            t.join()
        self.assertFalse(errors, errors)
        self.assertGreater(len(inserted), 0)
        self.assertEqual(len(seen), len(set(seen)), "duplicates while paging")
        old_seen = [i for i in seen if i in set(before)]
        self.assertEqual(old_seen, list(reversed(before)), "gaps or disorder while paging")
        # anything else seen was inserted concurrently, and newer than every old one
        extra = [i for i in seen if i not in set(before)]
        self.assertTrue(set(extra) <= set(inserted))
        if extra:
            self.assertLess(max(seen.index(i) for i in extra), seen.index(before[-1]))


if __name__ == "__main__":
    unittest.main()
