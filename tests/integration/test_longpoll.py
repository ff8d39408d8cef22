"""`GET /v1/check-ins/:id/status?wait_ms=` is woken by the commit, not by polling."""
import threading
import time
import unittest

from harness import ServerTest


class LongPoll(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key, _ = cls.server.register_agent("waiter")

    def new(self):
        return self.server.check_in(self.key).data["id"]

    def test_answers_as_soon_as_a_human_decides(self):
        cid = self.new()
        timer = threading.Timer(0.4, lambda: self.server.post(f"/v1/check-ins/{cid}/approve",
                                                              {"reason": "go"}))
        start = time.time()
        timer.start()
        r = self.server.get(f"/v1/check-ins/{cid}/status?wait_ms=20000", token=self.key)
        elapsed = time.time() - start
        timer.join()
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data["status"], "approved")
        self.assertEqual(r.data["decision"]["outcome"], "approved")
        self.assertEqual(r.data["decision_reason"], "go")
        self.assertEqual(set(r.data), {"id", "status", "decision", "modifications",
                                       "decision_reason", "updated_at", "version"})
        self.assertGreaterEqual(elapsed, 0.35)
        self.assertLess(elapsed, 5)

    def test_times_out_with_the_current_status(self):
        cid = self.new()
        start = time.time()
        r = self.server.get(f"/v1/check-ins/{cid}/status?wait_ms=500", token=self.key)
        elapsed = time.time() - start
        self.assertEqual(r.data["status"], "pending")
        self.assertGreaterEqual(elapsed, 0.45)
        self.assertLess(elapsed, 5)

    def test_resolved_check_in_answers_at_once(self):
        cid = self.new()
        self.server.post(f"/v1/check-ins/{cid}/reject")
        start = time.time()
        r = self.server.get(f"/v1/check-ins/{cid}/status?wait_ms=30000", token=self.key)
        self.assertEqual(r.data["status"], "rejected")
        self.assertLess(time.time() - start, 2)

    def test_many_waiters_are_all_woken(self):
        cid = self.new()
        results = []

        def wait():
            results.append(self.server.get(f"/v1/check-ins/{cid}/status?wait_ms=20000",
                                           token=self.key).data["status"])

        threads = [threading.Thread(target=wait) for _ in range(10)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        self.server.post(f"/v1/check-ins/{cid}/modify", {"modifications": {"a": 1}})
        for t in threads:
            t.join(10)
        self.assertEqual(results, ["modified"] * 10)

    def test_wait_ms_is_validated(self):
        cid = self.new()
        for bad in ("-1", "60001", "abc", "1.5"):
            with self.subTest(wait_ms=bad):
                self.assertError(self.server.get(f"/v1/check-ins/{cid}/status?wait_ms={bad}"),
                                 400, "VALIDATION_ERROR", "wait_ms")
        r = self.server.get(f"/v1/check-ins/{cid}/status?wait_ms=0")
        self.assertEqual(r.data["status"], "pending")


if __name__ == "__main__":
    unittest.main()
