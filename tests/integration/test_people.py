"""Organizations, tenant isolation and users over real HTTP."""
import unittest

from fixtures import (TIME_RE, create_org, create_user, is_id, list_all, new_checkin,
                      new_task, register_agent, unique)
from harness import OWNER_TOKEN, ServerTest


class Orgs(ServerTest):
    def test_only_the_instance_admin_creates_organizations(self):
        admin, _ = create_user(self.server, "admin")
        owner, _ = create_user(self.server, "owner")
        key, _ = register_agent(self.server)
        body = {"name": "Other", "owner": {"name": "Olga", "email": "olga@other.test"}}
        self.assertError(self.server.post("/v1/orgs", body, token=admin), 403, "FORBIDDEN")
        self.assertError(self.server.post("/v1/orgs", body, token=owner), 403, "FORBIDDEN")
        self.assertError(self.server.post("/v1/orgs", body, token=key), 403, "FORBIDDEN")
        self.assertError(self.server.post("/v1/orgs", body, token=None), 401, "UNAUTHORIZED")

    def test_create_org_answers_org_owner_and_token(self):
        me = self.server.get("/v1/me").data
        r = self.server.post("/v1/orgs", {"name": "Acme",
                                          "owner": {"name": "Ann", "email": "ann@acme.test"}})
        self.assertEqual(r.status, 201, r)
        org, owner, token = r.data["org"], r.data["owner"], r.data["token"]
        self.assertTrue(is_id(org["id"], "org_"), org)
        self.assertNotEqual(org["id"], me["org_id"])
        self.assertEqual(org["name"], "Acme")
        self.assertTrue(is_id(owner["id"], "us_"), owner)
        self.assertEqual(owner["org_id"], org["id"])
        self.assertEqual(owner["name"], "Ann")
        self.assertEqual(owner["email"], "ann@acme.test")
        self.assertEqual(owner["role"], "owner")
        self.assertTrue(owner["is_active"])
        self.assertFalse(owner["instance_admin"])
        self.assertTrue(token.startswith("wrh_") and len(token) == 36, token)
        # the new owner is an owner of the new org, not the instance admin
        who = self.server.get("/v1/me", token=token)
        self.assertEqual(who.status, 200, who)
        self.assertEqual(who.data["kind"], "user")
        self.assertEqual(who.data["id"], owner["id"])
        self.assertEqual(who.data["org_id"], org["id"])
        self.assertEqual(who.data["role"], "owner")
        self.assertFalse(who.data["instance_admin"])
        again = {"name": "Nested", "owner": {"name": "N", "email": "n@nested.test"}}
        self.assertError(self.server.post("/v1/orgs", again, token=token), 403, "FORBIDDEN")
        # its own general room, not ours
        rooms = self.server.get("/v1/rooms", token=token)
        self.assertEqual(rooms.status, 200, rooms)
        self.assertEqual([x["slug"] for x in rooms.data], ["general"])
        theirs = rooms.data[0]
        ours = self.server.get("/v1/rooms/general").data
        self.assertEqual(theirs["org_id"], org["id"])
        self.assertNotEqual(theirs["id"], ours["id"])
        self.assertEqual(theirs["policy"], {"rules": [], "trust_thresholds": {
            "low": None, "medium": None, "high": None, "critical": None},
            "default_action": "require_approval"})
        self.assertEqual(theirs["default_timeout_ms"], 3600000)
        self.assertEqual(theirs["default_timeout_action"], "cancel")
        # the new owner can run the tenant: users, agents, rooms, check-ins
        member, _ = create_user(self.server, "member", token=token)
        key, _ = register_agent(self.server, token=member)
        c = new_checkin(self.server, key)
        self.assertEqual(c["room_id"], theirs["id"])
        self.assertEqual(self.server.get("/v1/rooms/general", token=token).data["pending_count"], 1)
        self.assertEqual(self.server.get("/v1/rooms/general").data["pending_count"], 0)

    def test_create_org_validation(self):
        cases = [({}, "name"),
                 ({"name": "", "owner": {"name": "y", "email": "a@b.c"}}, "name"),
                 ({"name": "x"}, "owner"),
                 ({"name": "x", "owner": "y"}, "owner"),
                 ({"name": "x", "owner": {"email": "a@b.c"}}, "owner.name"),
                 ({"name": "x", "owner": {"name": "y"}}, "owner.email"),
                 ({"name": "x", "owner": {"name": "y", "email": "no-at-sign"}}, "owner.email")]
        for body, field in cases:
            with self.subTest(body=body):
                self.assertError(self.server.post("/v1/orgs", body), 400, "VALIDATION_ERROR",
                                 field)


class TenantIsolation(ServerTest):
    """A second organization sees nothing of the first: every id or slug is 404."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        # organization A (bootstrap): a room, an agent, a check-in, a task, a watcher, users
        s.create_room("secret-room")
        cls.a_room = s.get("/v1/rooms/secret-room").data["id"]
        cls.a_general = s.get("/v1/rooms/general").data["id"]
        cls.a_key, cls.a_agent = register_agent(s)
        cls.a_checkin = new_checkin(s, cls.a_key, room="secret-room")["id"]
        cls.a_task = new_task(s, room="secret-room")["id"]
        cls.a_member_token, cls.a_member = create_user(s, "member")
        w = s.post("/v1/rooms/secret-room/watch", {"webhook_url": "http://127.0.0.1:9/hook"})
        assert w.status == 201, w
        cls.a_watcher = w.data["id"]
        cls.a_me = s.get("/v1/me").data
        # organization B: its owner, an admin and an agent
        b = create_org(s)
        cls.b_org = b["org"]["id"]
        cls.b_owner = b["token"]
        cls.b_admin, _ = create_user(s, "admin", token=cls.b_owner)
        cls.b_key, cls.b_agent = register_agent(s, token=cls.b_admin)

    def assertNotFound(self, res):
        self.assertError(res, 404, "NOT_FOUND")

    def test_rooms_of_another_org_are_invisible(self):
        s = self.server
        for token in (self.b_admin, self.b_owner, self.b_key):
            rooms = s.get("/v1/rooms", token=token)
            self.assertEqual(rooms.status, 200, rooms)
            ids = [r["id"] for r in rooms.data]
            self.assertNotIn(self.a_room, ids)
            self.assertNotIn(self.a_general, ids)
            self.assertTrue(all(r["org_id"] == self.b_org for r in rooms.data), rooms)
        for room in ("secret-room", self.a_room, self.a_general):
            with self.subTest(room=room):
                for method, path, body in (
                        ("GET", f"/v1/rooms/{room}", None),
                        ("PATCH", f"/v1/rooms/{room}", {"name": "stolen"}),
                        ("GET", f"/v1/rooms/{room}/policy", None),
                        ("PUT", f"/v1/rooms/{room}/policy", {"rules": []}),
                        ("GET", f"/v1/rooms/{room}/members", None),
                        ("PUT", f"/v1/rooms/{room}/members/{self.a_member}", {"role": "viewer"}),
                        ("DELETE", f"/v1/rooms/{room}/members/{self.a_member}", None),
                        ("POST", f"/v1/rooms/{room}/tasks", {"action": "x"}),
                        ("GET", f"/v1/rooms/{room}/pending", None),
                        ("GET", f"/v1/rooms/{room}/trust", None),
                        ("POST", f"/v1/rooms/{room}/watch",
                         {"webhook_url": "http://127.0.0.1:9/x"}),
                        ("GET", f"/v1/rooms/{room}/watchers", None),
                        ("POST", f"/v1/rooms/{room}/signal", {"type": "x"}),
                        ("GET", f"/v1/rooms/{room}/signals", None),
                        ("GET", f"/v1/rooms/{room}/audit", None),
                        ("GET", f"/v1/check-ins?room={room}", None),
                        ("GET", f"/v1/audit?room={room}", None)):
                    with self.subTest(method=method, path=path):
                        self.assertNotFound(s.request(method, path, body=body, token=self.b_admin))
                self.assertNotFound(s.post(f"/v1/rooms/{room}/check-in", {"action": "x"},
                                           token=self.b_key))
                self.assertNotFound(s.get(f"/v1/rooms/{room}", token=self.b_key))
        # nothing changed in A
        room = s.get("/v1/rooms/secret-room").data
        self.assertEqual(room["name"], "Secret-Room")
        self.assertEqual(s.get("/v1/rooms/secret-room/members").data, [])

    def test_the_same_slug_may_exist_in_both_orgs(self):
        r = self.server.post("/v1/rooms", {"name": "Theirs", "slug": "secret-room"},
                             token=self.b_admin)
        self.assertEqual(r.status, 201, r)
        self.assertNotEqual(r.data["id"], self.a_room)
        self.assertEqual(self.server.get("/v1/rooms/secret-room", token=self.b_admin).data["id"],
                         r.data["id"])
        self.assertEqual(self.server.get("/v1/rooms/secret-room").data["id"], self.a_room)

    def test_check_ins_of_another_org_are_invisible(self):
        s = self.server
        for token in (self.b_admin, self.b_key):
            listed = list_all(s, "/v1/check-ins", token=token)
            ids = [c["id"] for c in listed]
            self.assertNotIn(self.a_checkin, ids)
            self.assertNotIn(self.a_task, ids)
        for cid in (self.a_checkin, self.a_task):
            for method, path, body in (
                    ("GET", f"/v1/check-ins/{cid}", None),
                    ("GET", f"/v1/check-ins/{cid}/status", None),
                    ("GET", f"/v1/check-ins/{cid}/status?wait_ms=10", None),
                    ("POST", f"/v1/check-ins/{cid}/approve", {}),
                    ("POST", f"/v1/check-ins/{cid}/reject", {}),
                    ("POST", f"/v1/check-ins/{cid}/modify", {"modifications": {"a": 1}}),
                    ("POST", f"/v1/check-ins/{cid}/extend", {"by_ms": 5000}),
                    ("POST", f"/v1/check-ins/{cid}/withdraw", {}),
                    ("DELETE", f"/v1/check-ins/{cid}", None),
                    ("POST", f"/v1/check-ins/{cid}/messages", {"type": "comment",
                                                               "content": "hi"}),
                    ("GET", f"/v1/check-ins/{cid}/messages", None),
                    ("GET", f"/v1/check-ins/{cid}/participants", None)):
                with self.subTest(method=method, path=path):
                    self.assertNotFound(s.request(method, path, body=body, token=self.b_admin))
            for method, path in (("GET", f"/v1/check-ins/{cid}"),
                                 ("POST", f"/v1/check-ins/{cid}/claim"),
                                 ("POST", f"/v1/check-ins/{cid}/join"),
                                 ("POST", f"/v1/check-ins/{cid}/withdraw"),
                                 ("GET", f"/v1/check-ins/{cid}/messages")):
                with self.subTest(agent=True, method=method, path=path):
                    self.assertNotFound(s.request(method, path, body={}, token=self.b_key))
        # still untouched in A
        self.assertEqual(s.get(f"/v1/check-ins/{self.a_checkin}").data["status"], "pending")
        self.assertEqual(s.get(f"/v1/check-ins/{self.a_task}").data["status"], "open")

    def test_agents_of_another_org_are_invisible(self):
        s = self.server
        listed = s.get("/v1/agents", token=self.b_admin)
        self.assertEqual(listed.status, 200, listed)
        self.assertNotIn(self.a_agent, [a["id"] for a in listed.data])
        self.assertIn(self.b_agent, [a["id"] for a in listed.data])
        for method, path in (("GET", f"/v1/agents/{self.a_agent}"),
                             ("GET", f"/v1/agents/{self.a_agent}/trust"),
                             ("POST", f"/v1/agents/{self.a_agent}/rotate-key"),
                             ("POST", f"/v1/agents/{self.a_agent}/deactivate")):
            with self.subTest(path=path):
                self.assertNotFound(s.request(method, path, token=self.b_admin))
        self.assertEqual(s.get("/v1/me", token=self.a_key).status, 200)
        # and the other way round
        self.assertNotFound(s.get(f"/v1/agents/{self.b_agent}"))

    def test_users_of_another_org_are_invisible(self):
        s = self.server
        listed = list_all(s, "/v1/users", token=self.b_admin)
        ids = [u["id"] for u in listed]
        self.assertNotIn(self.a_member, ids)
        self.assertNotIn(self.a_me["id"], ids)
        self.assertTrue(all(u["org_id"] == self.b_org for u in listed), listed)
        for method, path in (("POST", f"/v1/users/{self.a_member}/rotate-token"),
                             ("DELETE", f"/v1/users/{self.a_member}"),
                             ("POST", f"/v1/users/{self.a_me['id']}/rotate-token"),
                             ("DELETE", f"/v1/users/{self.a_me['id']}")):
            with self.subTest(path=path):
                self.assertNotFound(s.request(method, path, token=self.b_owner))
        self.assertEqual(s.get("/v1/me", token=self.a_member_token).status, 200)
        self.assertEqual(s.get("/v1/me").status, 200)
        # a principal of another org cannot be listed as a room member
        r = s.put(f"/v1/rooms/general/members/{self.b_agent}", {"role": "agent"})
        self.assertNotFound(r)

    def test_watchers_of_another_org_are_invisible(self):
        s = self.server
        self.assertNotFound(s.delete(f"/v1/watchers/{self.a_watcher}", token=self.b_admin))
        self.assertNotFound(s.delete(f"/v1/watchers/{self.a_watcher}", token=self.b_key))
        listed = s.get("/v1/rooms/secret-room/watchers")
        self.assertIn(self.a_watcher, [w["id"] for w in listed.data])

    def test_audit_of_another_org_shows_only_its_own_events(self):
        events = list_all(self.server, "/v1/audit", token=self.b_owner)
        self.assertTrue(events)
        self.assertTrue(all(e["org_id"] == self.b_org for e in events),
                        [e for e in events if e["org_id"] != self.b_org][:3])
        text = str(events)
        for secret in (self.a_room, self.a_checkin, self.a_agent, self.a_member, self.a_watcher):
            self.assertNotIn(secret, text)


class Users(ServerTest):
    def test_create_user(self):
        r = self.server.post("/v1/users", {"name": "Mia", "email": "mia@example.test",
                                           "role": "member"})
        self.assertEqual(r.status, 201, r)
        user, token = r.data["user"], r.data["token"]
        self.assertTrue(is_id(user["id"], "us_"), user)
        self.assertEqual(user["name"], "Mia")
        self.assertEqual(user["email"], "mia@example.test")
        self.assertEqual(user["role"], "member")
        self.assertTrue(user["is_active"])
        self.assertEqual(user["org_id"], self.server.get("/v1/me").data["org_id"])
        self.assertRegex(user["created_at"], TIME_RE)
        self.assertNotIn("token", user)
        self.assertTrue(token.startswith("wrh_") and len(token) == 36, token)
        me = self.server.get("/v1/me", token=token)
        self.assertEqual(me.status, 200, me)
        self.assertEqual(me.data["id"], user["id"])
        self.assertEqual(me.data["role"], "member")
        self.assertFalse(me.data["instance_admin"])

    def test_role_rules(self):
        owner2, _ = create_user(self.server, "owner")
        admin, _ = create_user(self.server, "admin")
        member, _ = create_user(self.server, "member")
        viewer, _ = create_user(self.server, "viewer")
        key, _ = self.server.register_agent(unique("a"))

        def create(token, role):
            n = unique(role)
            return self.server.post("/v1/users", {"name": n, "email": f"{n}@x.test",
                                                  "role": role}, token=token)
        # only an owner creates an owner
        self.assertEqual(create(OWNER_TOKEN, "owner").status, 201)
        self.assertEqual(create(owner2, "owner").status, 201)
        self.assertError(create(admin, "owner"), 403, "FORBIDDEN")
        for role in ("admin", "member", "viewer"):
            with self.subTest(role=role):
                self.assertEqual(create(admin, role).status, 201)
                self.assertEqual(create(owner2, role).status, 201)
        # admin+ only
        self.assertError(create(member, "viewer"), 403, "FORBIDDEN")
        self.assertError(create(viewer, "viewer"), 403, "FORBIDDEN")
        self.assertError(create(key, "viewer"), 403, "FORBIDDEN")
        self.assertError(create(None, "viewer"), 401, "UNAUTHORIZED")

    def test_create_user_validation(self):
        cases = [({"email": "a@b.c", "role": "member"}, "name"),
                 ({"name": "", "email": "a@b.c", "role": "member"}, "name"),
                 ({"name": "x", "role": "member"}, "email"),
                 ({"name": "x", "email": "nope", "role": "member"}, "email"),
                 ({"name": "x", "email": "a@b.c"}, "role"),
                 ({"name": "x", "email": "a@b.c", "role": "god"}, "role"),
                 ({"name": "x", "email": "a@b.c", "role": 3}, "role")]
        before = len(list_all(self.server, "/v1/users"))
        for body, field in cases:
            with self.subTest(body=body):
                self.assertError(self.server.post("/v1/users", body), 400, "VALIDATION_ERROR",
                                 field)
        self.assertEqual(len(list_all(self.server, "/v1/users")), before)

    def test_list_users(self):
        viewer, viewer_id = create_user(self.server, "viewer")
        _, member_id = create_user(self.server, "member")
        me = self.server.get("/v1/me").data["id"]
        for token in (OWNER_TOKEN, viewer):
            r = self.server.get("/v1/users", token=token)
            self.assertEqual(r.status, 200, r)
            self.assertIn("has_more", r.json)
            ids = [u["id"] for u in list_all(self.server, "/v1/users", token=token)]
            for uid in (me, viewer_id, member_id):
                self.assertIn(uid, ids)
            self.assertEqual(len(ids), len(set(ids)))
            for u in r.data:
                self.assertNotIn("token", u)
                self.assertNotIn("token_hash", u)
        paged = list_all(self.server, "/v1/users", limit=1)
        self.assertEqual([u["id"] for u in paged],
                         [u["id"] for u in list_all(self.server, "/v1/users")])
        key, _ = self.server.register_agent(unique("a"))
        self.assertError(self.server.get("/v1/users", token=key), 403, "FORBIDDEN")
        self.assertError(self.server.get("/v1/users", token=None), 401, "UNAUTHORIZED")

    def test_rotate_own_token(self):
        old, uid = create_user(self.server, "member")
        r = self.server.post(f"/v1/users/{uid}/rotate-token", token=old)
        self.assertEqual(r.status, 200, r)
        new = r.data["token"]
        self.assertTrue(new.startswith("wrh_") and len(new) == 36, new)
        self.assertNotEqual(new, old)
        self.assertError(self.server.get("/v1/me", token=old), 401, "UNAUTHORIZED")
        self.assertEqual(self.server.get("/v1/me", token=new).data["id"], uid)
        # a viewer may rotate their own too
        vold, vid = create_user(self.server, "viewer")
        r = self.server.post(f"/v1/users/{vid}/rotate-token", token=vold)
        self.assertEqual(r.status, 200, r)
        self.assertError(self.server.get("/v1/me", token=vold), 401, "UNAUTHORIZED")
        self.assertEqual(self.server.get("/v1/me", token=r.data["token"]).status, 200)

    def test_admin_rotates_anothers_token_and_others_may_not(self):
        admin, _ = create_user(self.server, "admin")
        member, _ = create_user(self.server, "member")
        old, uid = create_user(self.server, "member")
        self.assertError(self.server.post(f"/v1/users/{uid}/rotate-token", token=member), 403,
                         "FORBIDDEN")
        key, _ = self.server.register_agent(unique("a"))
        self.assertError(self.server.post(f"/v1/users/{uid}/rotate-token", token=key), 403,
                         "FORBIDDEN")
        self.assertEqual(self.server.get("/v1/me", token=old).status, 200)
        r = self.server.post(f"/v1/users/{uid}/rotate-token", token=admin)
        self.assertEqual(r.status, 200, r)
        self.assertError(self.server.get("/v1/me", token=old), 401, "UNAUTHORIZED")
        self.assertEqual(self.server.get("/v1/me", token=r.data["token"]).data["id"], uid)
        self.assertError(self.server.post("/v1/users/us_0000000000/rotate-token"), 404,
                         "NOT_FOUND")

    def test_deactivate_user(self):
        admin, admin_id = create_user(self.server, "admin")
        member, member_id = create_user(self.server, "member")
        token, uid = create_user(self.server, "member")
        self.assertError(self.server.delete(f"/v1/users/{uid}", token=member), 403, "FORBIDDEN")
        self.assertEqual(self.server.get("/v1/me", token=token).status, 200)
        r = self.server.delete(f"/v1/users/{uid}", token=admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data["id"], uid)
        self.assertFalse(r.data["is_active"])
        self.assertError(self.server.get("/v1/me", token=token), 401, "UNAUTHORIZED")
        self.assertError(self.server.get("/v1/rooms", token=token), 401, "UNAUTHORIZED")
        listed = {u["id"]: u for u in list_all(self.server, "/v1/users")}
        if uid in listed:
            self.assertFalse(listed[uid]["is_active"])
        # deactivating twice changes nothing
        again = self.server.delete(f"/v1/users/{uid}", token=admin)
        self.assertEqual(again.status, 200, again)
        self.assertFalse(again.data["is_active"])
        self.assertError(self.server.delete("/v1/users/us_0000000000"), 404, "NOT_FOUND")

    def test_nobody_deactivates_themselves(self):
        admin, admin_id = create_user(self.server, "admin")
        self.assertError(self.server.delete(f"/v1/users/{admin_id}", token=admin), 403,
                         "FORBIDDEN")
        me = self.server.get("/v1/me").data["id"]
        self.assertError(self.server.delete(f"/v1/users/{me}"), 403, "FORBIDDEN")
        self.assertEqual(self.server.get("/v1/me", token=admin).status, 200)
        self.assertEqual(self.server.get("/v1/me").status, 200)


if __name__ == "__main__":
    unittest.main()
