"""PATCH /v1/rooms/:room, room members, and who may see and act in a room."""
import unittest

from fixtures import TIME_RE, audit_all, create_user, list_all, new_checkin, register_agent
from harness import OWNER_TOKEN, ServerTest, wait_until


class PatchRoom(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin, _ = create_user(cls.server, "admin")
        cls.member, _ = create_user(cls.server, "member")
        cls.viewer, _ = create_user(cls.server, "viewer")
        cls.key, _ = register_agent(cls.server)

    def test_patch_name_description_and_defaults(self):
        room = self.server.create_room("patched", description="before")
        old = new_checkin(self.server, self.key, room="patched")
        r = self.server.request("PATCH", "/v1/rooms/patched", body={
            "name": "Patched Room", "description": "after", "default_timeout_ms": 120000,
            "default_timeout_action": "auto_approve", "default_required_approvals": 2},
            token=self.admin)
        self.assertEqual(r.status, 200, r)
        p = r.data
        self.assertEqual(p["id"], room["id"])
        self.assertEqual(p["slug"], "patched")
        self.assertEqual(p["name"], "Patched Room")
        self.assertEqual(p["description"], "after")
        self.assertEqual(p["default_timeout_ms"], 120000)
        self.assertEqual(p["default_timeout_action"], "auto_approve")
        self.assertEqual(p["default_required_approvals"], 2)
        self.assertEqual(p["pending_count"], 1)
        self.assertGreaterEqual(p["updated_at"], room["updated_at"])
        got = self.server.get("/v1/rooms/patched").data
        self.assertEqual(got, p)
        # the new defaults apply to new check-ins, and tasks; old ones keep theirs
        new = new_checkin(self.server, self.key, room="patched")
        self.assertEqual(new["timeout_ms"], 120000)
        self.assertEqual(new["timeout_action"], "auto_approve")
        self.assertEqual(new["required_approvals"], 2)
        task = self.server.post("/v1/rooms/patched/tasks", {"action": "t"}).data
        self.assertEqual(task["timeout_ms"], 120000)
        self.assertEqual(task["timeout_action"], "auto_approve")
        before = self.server.get(f"/v1/check-ins/{old['id']}").data
        self.assertEqual(before["timeout_ms"], 3600000)
        self.assertEqual(before["timeout_action"], "cancel")
        self.assertEqual(before["required_approvals"], 1)
        # explicit fields still win
        explicit = new_checkin(self.server, self.key, room="patched", timeout_ms=5000,
                               timeout_action="cancel", required_approvals=1)
        self.assertEqual((explicit["timeout_ms"], explicit["timeout_action"],
                          explicit["required_approvals"]), (5000, "cancel", 1))
        # a partial patch leaves the rest alone; by id works too
        r = self.server.request("PATCH", f"/v1/rooms/{room['id']}", body={"name": "Again"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data["name"], "Again")
        self.assertEqual(r.data["description"], "after")
        self.assertEqual(r.data["default_timeout_ms"], 120000)
        types = [e["type"] for e in audit_all(self.server, room="patched")]
        self.assertIn("room.updated", types)

    def test_the_slug_cannot_change(self):
        self.server.create_room("fixed-slug")
        for body in ({"slug": "moved"}, {"slug": "fixed-slug"}, {"name": "X", "slug": "moved"}):
            with self.subTest(body=body):
                self.assertError(self.server.request("PATCH", "/v1/rooms/fixed-slug", body=body),
                                 400, "VALIDATION_ERROR", "slug")
        self.assertEqual(self.server.get("/v1/rooms/fixed-slug").data["name"], "Fixed-Slug")
        self.assertError(self.server.get("/v1/rooms/moved"), 404, "NOT_FOUND")

    def test_patch_validation(self):
        self.server.create_room("strict-patch")
        cases = [({"name": ""}, "name"),
                 ({"name": 5}, "name"),
                 ({"description": "d" * 5001}, "description"),
                 ({"default_timeout_ms": 5}, "default_timeout_ms"),
                 ({"default_timeout_ms": "60000"}, "default_timeout_ms"),
                 ({"default_timeout_action": "explode"}, "default_timeout_action"),
                 ({"default_required_approvals": 0}, "default_required_approvals"),
                 ({"default_required_approvals": 11}, "default_required_approvals"),
                 ({"expiry_warning_ms": -1}, "expiry_warning_ms"),
                 ({"expiry_warning_ms": 1.5}, "expiry_warning_ms")]
        before = self.server.get("/v1/rooms/strict-patch").data
        for body, field in cases:
            with self.subTest(body=str(body)[:50]):
                self.assertError(self.server.request("PATCH", "/v1/rooms/strict-patch", body=body),
                                 400, "VALIDATION_ERROR", field)
        self.assertEqual(self.server.get("/v1/rooms/strict-patch").data, before)

    def test_the_expiry_warning_default(self):
        room = self.server.create_room("warned")
        self.assertEqual(room["expiry_warning_ms"], 300000)
        # the warning comes min(expiry_warning_ms, timeout/10) before the deadline
        r = self.server.request("PATCH", "/v1/rooms/warned", body={"expiry_warning_ms": 100})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data["expiry_warning_ms"], 100)
        warned = new_checkin(self.server, self.key, room="warned", timeout_ms=2000)
        r = self.server.request("PATCH", "/v1/rooms/warned", body={"expiry_warning_ms": 0})
        self.assertEqual(r.data["expiry_warning_ms"], 0)
        silent = new_checkin(self.server, self.key, room="warned", timeout_ms=1000)
        wait_until(lambda: self.server.get(f"/v1/check-ins/{warned['id']}").data["status"]
                   == "expired", timeout=5)
        wait_until(lambda: self.server.get(f"/v1/check-ins/{silent['id']}").data["status"]
                   == "expired", timeout=5)
        events = audit_all(self.server, room="warned", type="checkin.expiring")
        self.assertEqual([e["stream"] for e in events], [warned["id"]])
        at = events[0]["at"]
        self.assertLess(at, warned["expires_at"])

    def test_only_admins_patch(self):
        self.server.create_room("guarded")
        body = {"name": "Hijacked"}
        for token in (self.member, self.viewer, self.key):
            self.assertError(self.server.request("PATCH", "/v1/rooms/guarded", body=body,
                                                 token=token), 403, "FORBIDDEN")
        self.assertError(self.server.request("PATCH", "/v1/rooms/guarded", body=body, token=None),
                         401, "UNAUTHORIZED")
        self.assertError(self.server.request("PATCH", "/v1/rooms/nope", body=body), 404,
                         "NOT_FOUND")
        self.assertEqual(self.server.get("/v1/rooms/guarded").data["name"], "Guarded")
        r = self.server.request("PATCH", "/v1/rooms/guarded", body=body, token=OWNER_TOKEN)
        self.assertEqual(r.status, 200, r)


class Members(ServerTest):
    """A room with no members is open to the org; once it has any, only listed
    principals (and admins/owners) may act in it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.admin, cls.admin_id = create_user(s, "admin")
        cls.approver, cls.approver_id = create_user(s, "member")   # listed: approver
        cls.watcher, cls.watcher_id = create_user(s, "member")     # listed: viewer
        cls.outsider, cls.outsider_id = create_user(s, "member")   # not listed
        cls.listed_key, cls.listed_agent = register_agent(s)
        cls.unlisted_key, cls.unlisted_agent = register_agent(s)

    def put_member(self, room, pid, role, token=OWNER_TOKEN):
        return self.server.put(f"/v1/rooms/{room}/members/{pid}", {"role": role}, token=token)

    def test_members_crud_and_role_rules(self):
        self.server.create_room("crud")
        self.assertEqual(self.server.get("/v1/rooms/crud/members").data, [])
        r = self.put_member("crud", self.listed_agent, "agent")
        self.assertEqual(r.status, 200, r)
        m = r.data
        self.assertEqual(m["principal_id"], self.listed_agent)
        self.assertEqual(m["role"], "agent")
        self.assertEqual(m.get("kind"), "agent")
        self.assertRegex(m["since"], TIME_RE)
        # agents only with role agent, people only approver or viewer
        for pid, role in ((self.listed_agent, "approver"), (self.listed_agent, "viewer"),
                          (self.approver_id, "agent")):
            with self.subTest(pid=pid, role=role):
                self.assertError(self.put_member("crud", pid, role), 400, "VALIDATION_ERROR",
                                 "role")
        self.assertError(self.put_member("crud", self.approver_id, "boss"), 400,
                         "VALIDATION_ERROR", "role")
        self.assertError(self.server.put(f"/v1/rooms/crud/members/{self.approver_id}", {}), 400,
                         "VALIDATION_ERROR", "role")
        self.assertError(self.put_member("crud", "us_0000000000", "viewer"), 404, "NOT_FOUND")
        self.assertError(self.put_member("nope", self.approver_id, "viewer"), 404, "NOT_FOUND")
        self.assertEqual(self.put_member("crud", self.approver_id, "approver").status, 200)
        self.assertEqual(self.put_member("crud", self.watcher_id, "viewer").status, 200)
        # PUT replaces the role
        r = self.put_member("crud", self.watcher_id, "approver")
        self.assertEqual(r.data["role"], "approver")
        self.assertEqual(self.put_member("crud", self.watcher_id, "viewer").data["role"], "viewer")
        listed = self.server.get("/v1/rooms/crud/members")
        self.assertEqual(listed.status, 200, listed)
        roles = {x["principal_id"]: x["role"] for x in listed.data}
        self.assertEqual(roles, {self.listed_agent: "agent", self.approver_id: "approver",
                                 self.watcher_id: "viewer"})
        # only admins manage members; agents do not even list them
        self.assertError(self.put_member("crud", self.outsider_id, "viewer", token=self.approver),
                         403, "FORBIDDEN")
        self.assertError(self.server.delete(f"/v1/rooms/crud/members/{self.watcher_id}",
                                            token=self.approver), 403, "FORBIDDEN")
        self.assertError(self.server.get("/v1/rooms/crud/members", token=self.listed_key), 403,
                         "FORBIDDEN")
        self.assertEqual(self.server.get("/v1/rooms/crud/members", token=self.watcher).status, 200)
        # DELETE answers the removed member
        r = self.server.delete(f"/v1/rooms/crud/members/{self.watcher_id}", token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data["principal_id"], self.watcher_id)
        self.assertError(self.server.delete(f"/v1/rooms/crud/members/{self.watcher_id}"), 404,
                         "NOT_FOUND")
        self.assertEqual(len(self.server.get("/v1/rooms/crud/members").data), 2)

    def test_open_room_until_the_first_member(self):
        self.server.create_room("opening")
        # open: everyone in the org acts
        self.assertEqual(self.server.check_in(self.unlisted_key, room="opening").status, 201)
        self.assertEqual(self.server.get("/v1/rooms/opening", token=self.outsider).status, 200)
        self.put_member("opening", self.listed_agent, "agent")
        with self.subTest("an unlisted agent does not see a room with members: 404"):
            self.assertError(self.server.check_in(self.unlisted_key, room="opening"), 404,
                             "NOT_FOUND")
        self.assertEqual(self.server.check_in(self.listed_key, room="opening").status, 201)
        # removing the last member opens it again
        self.server.delete(f"/v1/rooms/opening/members/{self.listed_agent}")
        self.assertEqual(self.server.get("/v1/rooms/opening/members").data, [])
        self.assertEqual(self.server.check_in(self.unlisted_key, room="opening").status, 201)
        self.assertEqual(self.server.get("/v1/rooms/opening", token=self.outsider).status, 200)

    def test_a_removed_agent_may_no_longer_act(self):
        self.server.create_room("leaving")
        self.put_member("leaving", self.listed_agent, "agent")
        self.put_member("leaving", self.approver_id, "approver")
        self.assertEqual(self.server.check_in(self.listed_key, room="leaving").status, 201)
        self.server.delete(f"/v1/rooms/leaving/members/{self.listed_agent}")
        with self.subTest("a removed agent no longer sees the room: 404"):
            self.assertError(self.server.check_in(self.listed_key, room="leaving"), 404,
                             "NOT_FOUND")
        self.assertEqual(self.server.get("/v1/rooms/leaving/pending").data[0]["agent_id"],
                         self.listed_agent)

    def test_listed_unlisted_viewers_and_admins(self):
        s = self.server
        room = s.create_room("locked")
        self.put_member("locked", self.listed_agent, "agent")
        self.put_member("locked", self.approver_id, "approver")
        self.put_member("locked", self.watcher_id, "viewer")

        # agents: listed may check in; to an unlisted one the room does not exist
        with self.subTest("an unlisted agent does not see the room: 404"):
            self.assertError(s.check_in(self.unlisted_key, room="locked"), 404, "NOT_FOUND")
            self.assertError(s.check_in(self.unlisted_key, room=room["id"]), 404, "NOT_FOUND")
            self.assertError(s.get("/v1/rooms/locked", token=self.unlisted_key), 404,
                             "NOT_FOUND")
        self.assertEqual(s.get("/v1/rooms/locked").data["pending_count"], 0)
        c1 = new_checkin(s, self.listed_key, room="locked")["id"]
        c2 = new_checkin(s, self.listed_key, room="locked")["id"]
        c3 = new_checkin(s, self.listed_key, room="locked")["id"]

        # a listed viewer sees the room and its check-ins but may not decide or post tasks
        self.assertEqual(s.get("/v1/rooms/locked", token=self.watcher).status, 200)
        self.assertIn("locked", [r["slug"] for r in s.get("/v1/rooms", token=self.watcher).data])
        self.assertEqual(s.get(f"/v1/check-ins/{c1}", token=self.watcher).status, 200)
        for verb, body in (("approve", {}), ("reject", {}),
                           ("modify", {"modifications": {"a": 1}}), ("extend", {"by_ms": 5000})):
            with self.subTest(viewer=verb):
                self.assertError(s.post(f"/v1/check-ins/{c1}/{verb}", body, token=self.watcher),
                                 403, "FORBIDDEN")
        self.assertError(s.post("/v1/rooms/locked/tasks", {"action": "t"}, token=self.watcher),
                         403, "FORBIDDEN")
        self.assertEqual(s.get(f"/v1/check-ins/{c1}").data["status"], "pending")

        # an unlisted member does not see the room at all
        self.assertError(s.get("/v1/rooms/locked", token=self.outsider), 404, "NOT_FOUND")
        self.assertError(s.get(f"/v1/rooms/{room['id']}", token=self.outsider), 404, "NOT_FOUND")
        self.assertNotIn("locked", [r["slug"] for r in
                                    list_all(s, "/v1/rooms", token=self.outsider)])
        self.assertError(s.get(f"/v1/check-ins/{c1}", token=self.outsider), 404, "NOT_FOUND")
        self.assertError(s.post(f"/v1/check-ins/{c1}/approve", {}, token=self.outsider), 404,
                         "NOT_FOUND")
        self.assertNotIn(c1, [c["id"] for c in list_all(s, "/v1/check-ins",
                                                        token=self.outsider)])
        self.assertError(s.post("/v1/rooms/locked/tasks", {"action": "t"}, token=self.outsider),
                         404, "NOT_FOUND")

        # the listed approver decides; unlisted admins and owners always can
        r = s.post(f"/v1/check-ins/{c1}/approve", {}, token=self.approver)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data["status"], "approved")
        self.assertEqual(s.get("/v1/rooms/locked", token=self.admin).status, 200)
        self.assertIn("locked", [r["slug"] for r in list_all(s, "/v1/rooms", token=self.admin)])
        self.assertEqual(s.post(f"/v1/check-ins/{c2}/approve", {}, token=self.admin).status, 200)
        self.assertEqual(s.post(f"/v1/check-ins/{c3}/reject", {}).status, 200)
        self.assertEqual(s.post("/v1/rooms/locked/tasks", {"action": "t"},
                                token=self.approver).status, 201)
        self.assertEqual(s.post("/v1/rooms/locked/tasks", {"action": "t"},
                                token=self.admin).status, 201)

        # the listed agent sees it
        self.assertIn("locked", [r["slug"] for r in
                                 list_all(s, "/v1/rooms", token=self.listed_key)])


if __name__ == "__main__":
    unittest.main()
