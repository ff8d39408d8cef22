"""Watchers (webhook subscriptions) and signals. Webhook targets are closed loopback
ports: the tests never send traffic off 127.0.0.1."""
import unittest

from fixtures import (TIME_RE, create_user, is_id, list_all, register_agent, self_register,
                      unique)
from harness import OWNER_TOKEN, ServerTest

HOOK = "http://127.0.0.1:9/hook"        # port 9 (discard): nothing listens
HOOK_TLS = "https://127.0.0.1:9/hook"


class Watchers(ServerTest):
    server_args = ("--self-register-per-minute", "1000", "--self-register-burst", "1000")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        s.create_room("watched")
        cls.room_id = s.get("/v1/rooms/watched").data["id"]
        cls.admin, _ = create_user(s, "admin")
        cls.member, cls.member_id = create_user(s, "member")
        cls.member2, _ = create_user(s, "member")
        cls.viewer, _ = create_user(s, "viewer")
        cls.key, cls.agent = register_agent(s)
        cls.key2, _ = register_agent(s)

    def watch(self, body, token="member", room="watched"):
        token = self.member if token == "member" else token
        return self.server.post(f"/v1/rooms/{room}/watch", body, token=token)

    def test_create_by_a_claimed_agent_or_a_member(self):
        for token, creator in ((self.key, {"kind": "agent", "id": self.agent}),
                               (self.member, {"kind": "user", "id": self.member_id})):
            r = self.watch({"webhook_url": HOOK, "event_types": ["checkin.created"],
                            "filter": {"risk_level": "high"}}, token=token)
            self.assertEqual(r.status, 201, r)
            w = r.data
            self.assertTrue(is_id(w["id"], "w_"), w)
            self.assertEqual(w["webhook_url"], HOOK)
            self.assertEqual(w["event_types"], ["checkin.created"])
            self.assertEqual(w["filter"], {"risk_level": "high"})
            self.assertEqual(w.get("room_id", self.room_id), self.room_id)
            self.assertEqual(w.get("created_by", creator), creator)
            self.assertIsInstance(w["secret"], str)
            self.assertGreaterEqual(len(w["secret"]), 16)
        for token in (self.admin, OWNER_TOKEN):
            self.assertEqual(self.watch({"webhook_url": HOOK_TLS}, token=token).status, 201)
        self.assertError(self.watch({"webhook_url": HOOK}, token=self.viewer), 403, "FORBIDDEN")
        unclaimed = self_register(self.server)["api_key"]
        self.assertError(self.watch({"webhook_url": HOOK}, token=unclaimed), 403, "FORBIDDEN")
        self.assertError(self.watch({"webhook_url": HOOK}, token=None), 401, "UNAUTHORIZED")
        self.assertError(self.watch({"webhook_url": HOOK}, room="nope"), 404, "NOT_FOUND")

    def test_webhook_url_must_be_absolute_http_or_https(self):
        for url in ("ftp://127.0.0.1/hook", "/relative/hook", "hook", "127.0.0.1:9/hook",
                    "file:///etc/passwd", "http://", ""):
            with self.subTest(url=url):
                self.assertError(self.watch({"webhook_url": url}), 400, "VALIDATION_ERROR",
                                 "webhook_url")
        self.assertError(self.watch({}), 400, "VALIDATION_ERROR", "webhook_url")
        self.assertError(self.watch({"webhook_url": 5}), 400, "VALIDATION_ERROR", "webhook_url")

    def test_event_types_must_be_room_event_types(self):
        r = self.watch({"webhook_url": HOOK,
                        "event_types": ["checkin.created", "checkin.approved", "bogus.event"]})
        self.assertError(r, 400, "VALIDATION_ERROR", "event_types[2]")
        r = self.watch({"webhook_url": HOOK, "event_types": ["nope"]})
        self.assertError(r, 400, "VALIDATION_ERROR", "event_types[0]")
        self.assertError(self.watch({"webhook_url": HOOK, "event_types": "checkin.created"}),
                         400, "VALIDATION_ERROR", "event_types")
        every = ["checkin.created", "checkin.approved", "checkin.rejected", "checkin.modified",
                 "checkin.expired", "checkin.withdrawn", "checkin.claimed", "checkin.released",
                 "checkin.message", "checkin.help_requested", "checkin.helper_joined",
                 "checkin.submitted", "checkin.approval_recorded", "checkin.extended",
                 "checkin.expiring", "signal.broadcast", "room.updated", "room.policy_updated"]
        r = self.watch({"webhook_url": HOOK, "event_types": every})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.data["event_types"], every)

    def test_the_secret_is_shown_only_at_creation(self):
        mine = "s3cret-" + "x" * 20
        given = self.watch({"webhook_url": HOOK, "secret": mine})
        self.assertEqual(given.status, 201, given)
        self.assertEqual(given.data["secret"], mine)
        generated = self.watch({"webhook_url": HOOK})
        gen = generated.data["secret"]
        self.assertTrue(gen)
        other = self.watch({"webhook_url": HOOK}).data["secret"]
        self.assertNotEqual(gen, other)
        for token in (self.member, self.admin, self.key, self.viewer):
            listed = self.server.get("/v1/rooms/watched/watchers", token=token)
            self.assertEqual(listed.status, 200, listed)
            ids = [w["id"] for w in listed.data]
            self.assertIn(given.data["id"], ids)
            for w in listed.data:
                self.assertNotIn("secret", w)
            self.assertNotIn(mine, listed.raw)
            self.assertNotIn(gen, listed.raw)
        everything = list_all(self.server, "/v1/rooms/watched/watchers")
        self.assertIn(generated.data["id"], [w["id"] for w in everything])
        self.assertNotIn(gen, str(everything))

    def test_delete_by_creator_or_admin(self):
        w = self.watch({"webhook_url": HOOK}, token=self.member).data["id"]
        for token in (self.member2, self.viewer, self.key):
            self.assertError(self.server.delete(f"/v1/watchers/{w}", token=token), 403,
                             "FORBIDDEN")
        r = self.server.delete(f"/v1/watchers/{w}", token=self.member)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data["id"], w)
        self.assertNotIn("secret", r.data)
        self.assertError(self.server.delete(f"/v1/watchers/{w}", token=self.member), 404,
                         "NOT_FOUND")
        self.assertError(self.server.delete(f"/v1/watchers/{w}", token=self.admin), 404,
                         "NOT_FOUND")
        listed = {x["id"]: x for x in list_all(self.server, "/v1/rooms/watched/watchers")}
        if w in listed:
            self.assertNotEqual(listed[w].get("status"), "active", listed[w])
        # an agent's watcher: the agent itself or an admin
        a = self.watch({"webhook_url": HOOK}, token=self.key).data["id"]
        self.assertError(self.server.delete(f"/v1/watchers/{a}", token=self.key2), 403,
                         "FORBIDDEN")
        self.assertError(self.server.delete(f"/v1/watchers/{a}", token=self.member), 403,
                         "FORBIDDEN")
        self.assertEqual(self.server.delete(f"/v1/watchers/{a}", token=self.admin).status, 200)
        b = self.watch({"webhook_url": HOOK}, token=self.key).data["id"]
        self.assertEqual(self.server.delete(f"/v1/watchers/{b}", token=self.key).status, 200)
        self.assertError(self.server.delete("/v1/watchers/w_0000000000"), 404, "NOT_FOUND")


class Signals(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        s.create_room("signals")
        cls.room_id = s.get("/v1/rooms/signals").data["id"]
        cls.member, cls.member_id = create_user(s, "member")
        cls.viewer, _ = create_user(s, "viewer")
        cls.key, _ = register_agent(s)

    def signal(self, body, token="member", room="signals"):
        token = self.member if token == "member" else token
        return self.server.post(f"/v1/rooms/{room}/signal", body, token=token)

    def test_broadcast_answers_202(self):
        r = self.signal({"type": "deploy.freeze", "payload": {"until": "friday"}})
        self.assertEqual(r.status, 202, r)
        sig = r.data
        self.assertTrue(is_id(sig["id"], "sig_"), sig)
        self.assertEqual(sig["type"], "deploy.freeze")
        self.assertEqual(sig["payload"], {"until": "friday"})
        self.assertEqual(sig["room_id"], self.room_id)
        self.assertRegex(sig["created_at"], TIME_RE)
        r = self.signal({"type": "ping"})
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.data["payload"], {})

    def test_who_may_signal_and_validation(self):
        self.assertError(self.signal({"type": "x"}, token=self.viewer), 403, "FORBIDDEN")
        self.assertError(self.signal({"type": "x"}, token=self.key), 403, "FORBIDDEN")
        self.assertError(self.signal({"type": "x"}, token=None), 401, "UNAUTHORIZED")
        self.assertError(self.signal({"type": "x"}, room="nope"), 404, "NOT_FOUND")
        self.assertError(self.signal({}), 400, "VALIDATION_ERROR", "type")
        self.assertError(self.signal({"type": ""}), 400, "VALIDATION_ERROR", "type")
        self.assertError(self.signal({"type": "x", "payload": [1]}), 400, "VALIDATION_ERROR",
                         "payload")
        self.assertError(self.signal({"type": "x", "payload": {"b": "x" * 11000}}), 400,
                         "VALIDATION_ERROR", "payload")

    def test_list_newest_first_and_in_the_room_audit(self):
        self.server.create_room("sig-list")
        sent = []
        for i in range(5):
            r = self.signal({"type": f"step.{i}", "payload": {"i": i}}, room="sig-list")
            self.assertEqual(r.status, 202, r)
            sent.append(r.data)
        for token in (self.member, self.viewer, self.key):
            r = self.server.get("/v1/rooms/sig-list/signals", token=token)
            self.assertEqual(r.status, 200, r)
            self.assertEqual([x["id"] for x in r.data], [x["id"] for x in reversed(sent)])
        self.assertEqual(r.data[0]["type"], "step.4")
        self.assertEqual(r.data[0]["payload"], {"i": 4})
        paged = list_all(self.server, "/v1/rooms/sig-list/signals", limit=2)
        self.assertEqual([x["id"] for x in paged], [x["id"] for x in reversed(sent)])
        room_id = self.server.get("/v1/rooms/sig-list").data["id"]
        events = list_all(self.server, "/v1/rooms/sig-list/audit?type=signal.")
        self.assertEqual(len(events), 5, events)
        for e, sig in zip(events, sent):
            self.assertEqual(e["type"], "signal.broadcast")
            self.assertEqual(e["room_id"], room_id)
            self.assertEqual(e["actor"], {"kind": "user", "id": self.member_id})
            self.assertIn(sig["id"], str(e))
            self.assertIn(sig["type"], str(e["data"]))
        self.assertError(self.server.get("/v1/rooms/nope/signals"), 404, "NOT_FOUND")



class DenyPrivateWebhooks(ServerTest):
    server_args = ("--webhook-deny-private",)

    def test_loopback_and_private_targets_are_refused(self):
        for url in ("http://127.0.0.1:9/hook", "http://localhost/hook", "https://10.0.0.5/x",
                    "http://[::1]:8080/x", "http://169.254.169.254/latest"):
            with self.subTest(url=url):
                self.assertError(self.server.post("/v1/rooms/general/watch",
                                                  {"webhook_url": url}),
                                 400, "VALIDATION_ERROR", "webhook_url")
        # creating one sends nothing: a public address is accepted
        r = self.server.post("/v1/rooms/general/watch",
                             {"webhook_url": "https://93.184.216.34/hook"})
        self.assertEqual(r.status, 201, r)


if __name__ == "__main__":
    unittest.main()
