"""Deadlines: expiry, auto-approval, the expiry warning, and deadlines that pass while
the server is down (fired at the next start)."""
import time
import unittest

from harness import Server, ServerTest, wait_until


class Timeouts(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key, cls.agent = cls.server.register_agent("sleepy")

    def status(self, cid):
        return self.server.get(f"/v1/check-ins/{cid}").data

    def test_cancel_expires_within_a_second_of_the_deadline(self):
        self.server.create_room("expiry")
        c = self.server.check_in(self.key, room="expiry", timeout_ms=1500).data
        done = wait_until(lambda: self.status(c["id"])["status"] != "pending", timeout=4)
        self.assertTrue(done)
        after = self.status(c["id"])
        self.assertEqual(after["status"], "expired")
        self.assertEqual(after["decision"]["outcome"], "expired")
        self.assertEqual(after["decision"]["by"], {"kind": "timeout"})
        lag_ms = _ms(after["updated_at"]) - _ms(c["expires_at"])
        self.assertGreaterEqual(lag_ms, 0)
        self.assertLess(lag_ms, 1000)
        [card] = self.server.get("/v1/rooms/expiry/trust").data
        self.assertEqual(card["expired_count"], 1)
        self.assertAlmostEqual(card["score"], 14.9)

    def test_auto_approve_on_timeout_does_not_change_trust(self):
        self.server.create_room("auto")
        c = self.server.check_in(self.key, room="auto", timeout_ms=1000,
                                 timeout_action="auto_approve").data
        self.assertTrue(wait_until(lambda: self.status(c["id"])["status"] == "approved",
                                   timeout=4))
        after = self.status(c["id"])
        self.assertEqual(after["decision"]["by"], {"kind": "timeout"})
        [card] = self.server.get("/v1/rooms/auto/trust").data
        self.assertEqual(card["approved_count"], 1)
        self.assertEqual(card["score"], 15)

    def test_expiring_warning_moves_only_the_version(self):
        # timeout 4 s: the warning comes timeout/10 = 400 ms before the deadline
        c = self.server.check_in(self.key, timeout_ms=4000).data
        warned = wait_until(lambda: self.status(c["id"])["version"] == c["version"] + 1,
                            timeout=5)
        self.assertTrue(warned)
        now = self.status(c["id"])
        self.assertEqual(now["status"], "pending")
        self.assertEqual(now["expires_at"], c["expires_at"])
        self.assertEqual(now["updated_at"], c["updated_at"])
        self.assertTrue(wait_until(lambda: self.status(c["id"])["status"] == "expired",
                                   timeout=3))

    def test_extend_moves_the_deadline(self):
        c = self.server.check_in(self.key, timeout_ms=1500).data
        self.server.post(f"/v1/check-ins/{c['id']}/extend", {"by_ms": 3000})
        time.sleep(2.2)
        self.assertEqual(self.status(c["id"])["status"], "pending")
        self.assertTrue(wait_until(lambda: self.status(c["id"])["status"] == "expired",
                                   timeout=4))

    def test_decided_check_ins_do_not_expire(self):
        c = self.server.check_in(self.key, timeout_ms=1000).data
        self.server.post(f"/v1/check-ins/{c['id']}/approve")
        time.sleep(1.5)
        self.assertEqual(self.status(c["id"])["status"], "approved")


class ExpiryWhileDown(unittest.TestCase):
    def test_deadline_that_passed_while_down_fires_at_start(self):
        s = Server().start()
        try:
            key, _ = s.register_agent("patient")
            c = s.check_in(key, timeout_ms=1500).data
            s.stop()
            time.sleep(2.0)
            s.start()
            start = time.time()
            done = wait_until(lambda: s.get(f"/v1/check-ins/{c['id']}").data["status"]
                              == "expired", timeout=3)
            self.assertTrue(done)
            self.assertLess(time.time() - start, 1.5)
        finally:
            s.cleanup()


def _ms(rfc3339):
    from datetime import datetime
    return datetime.strptime(rfc3339, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp() * 1000


if __name__ == "__main__":
    unittest.main()
