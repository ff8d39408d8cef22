"""Restarts, crashes and the operator tools (`replay`, `audit verify`) on a real data
directory."""
import json
import os
import signal
import subprocess
import threading
import time
import unittest

from harness import BIN, Server, wait_until


def snapshot(s, ids):
    state = {
        "rooms": s.get("/v1/rooms?limit=500").json,
        "general": s.get("/v1/rooms/general").json,
        "pending": s.get("/v1/rooms/general/pending?limit=500").json,
        "trust": s.get("/v1/rooms/general/trust").json,
        "policy": s.get("/v1/rooms/general/policy").json,
    }
    for cid in ids:
        state[cid] = s.get(f"/v1/check-ins/{cid}").json
    return state


class Restart(unittest.TestCase):
    def test_restart_reproduces_identical_state(self):
        s = Server().start()
        try:
            key, _ = s.register_agent("restarter")
            s.put("/v1/rooms/general/policy", {"trust_thresholds": {"low": 16}})
            ids = [s.check_in(key, risk_level="low").data["id"] for _ in range(6)]
            s.post(f"/v1/check-ins/{ids[0]}/approve", {"reason": "ok"})
            s.post(f"/v1/check-ins/{ids[1]}/modify", {"modifications": {"x": [1, 2]}})
            s.post(f"/v1/check-ins/{ids[2]}/reject")
            s.delete(f"/v1/check-ins/{ids[3]}", token=key)
            s.post(f"/v1/check-ins/{ids[4]}/extend", {"by_ms": 5000})
            ids.append(s.check_in(key, risk_level="low").data["id"])  # trust 16.6 >= 16
            before = snapshot(s, ids)
            self.assertEqual(s.stop(), 0)  # SIGTERM: clean exit
            s.start()
            after = snapshot(s, ids)
            self.assertEqual(before, after)
            self.assertEqual(after[ids[-1]]["data"]["status"], "approved")
            self.assertEqual(s.get("/v1/me", token=key).status, 200)
        finally:
            s.cleanup()

    def test_every_acknowledged_write_survives_kill_9(self):
        s = Server().start()
        try:
            key, _ = s.register_agent("crasher")
            acked = []
            stop = threading.Event()

            def writer():
                while not stop.is_set():
                    try:
                        r = s.check_in(key, action="crash test")
                    except OSError:
                        return
                    if r.status == 201:
                        acked.append(r.data["id"])

            threads = [threading.Thread(target=writer) for _ in range(4)]
            for t in threads:
                t.start()
            wait_until(lambda: len(acked) >= 200, timeout=20)
            s.proc.send_signal(signal.SIGKILL)
            s.proc.wait()
            s.proc = None
            stop.set()
            for t in threads:
                t.join(10)
            self.assertGreaterEqual(len(acked), 200)
            s.start()
            for cid in acked:
                self.assertEqual(s.get(f"/v1/check-ins/{cid}").status, 200, cid)
            self.assertEqual(_cli("audit", "verify", "--data", s.data_dir).returncode, 0)
        finally:
            s.cleanup()

    def test_sigterm_answers_open_long_polls_and_exits_0(self):
        s = Server().start()
        try:
            key, _ = s.register_agent("drainer")
            cid = s.check_in(key).data["id"]
            out = {}

            def poll():
                out["r"] = s.get(f"/v1/check-ins/{cid}/status?wait_ms=60000", token=key)

            t = threading.Thread(target=poll)
            t.start()
            time.sleep(0.5)
            start = time.time()
            code = s.stop()
            t.join(10)
            self.assertEqual(code, 0)
            self.assertLess(time.time() - start, 10)
            self.assertEqual(out["r"].status, 200)
            self.assertEqual(out["r"].data["status"], "pending")
        finally:
            s.cleanup()


def _cli(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=60)


class OperatorTools(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server().start()
        cls.key, cls.agent = cls.s.register_agent("audited")
        cls.ids = [cls.s.check_in(cls.key).data["id"] for _ in range(3)]
        cls.s.post(f"/v1/check-ins/{cls.ids[0]}/approve")

    @classmethod
    def tearDownClass(cls):
        cls.s.cleanup()

    def test_replay_beside_a_running_server(self):
        r = _cli("replay", "--data", self.s.data_dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        report = json.loads(r.stdout)
        self.assertEqual(report["check_ins"], 3)
        self.assertEqual(report["rooms"], 1)
        self.assertEqual(report["agents"], 1)
        self.assertEqual(report["check_ins_by_status"]["approved"], 1)
        self.assertEqual(report["check_ins_by_status"]["pending"], 2)
        self.assertGreater(report["events"], 0)
        self.assertIn("events_per_second", report)

    def test_replay_room_as_it_was(self):
        now = json.loads(_cli("replay", "--data", self.s.data_dir, "--room", "general").stdout)
        self.assertEqual(len(now["check_ins"]), 3)
        self.assertEqual(len(now["queue"]), 2)
        self.assertEqual(now["trust"][0]["approved_count"], 1)
        # just before the approval: the whole queue, no approvals yet
        approved = self.s.get(f"/v1/check-ins/{self.ids[0]}").data
        seq_before = now["as_of_seq"] - 3  # approval = resolved + 2 messages
        then = json.loads(_cli("replay", "--data", self.s.data_dir, "--room", "general",
                               "--until", str(seq_before)).stdout)
        self.assertEqual(len(then["queue"]), 3)
        self.assertEqual(then["trust"][0]["approved_count"], 0)
        by_time = json.loads(_cli("replay", "--data", self.s.data_dir, "--room", "general",
                                  "--until", approved["created_at"]).stdout)
        self.assertGreaterEqual(len(by_time["check_ins"]), 1)

    def test_the_api_travels_in_time_as_replay_does(self):
        head = json.loads(_cli("replay", "--data", self.s.data_dir, "--room", "general").stdout)
        for until in (str(head["as_of_seq"] - 3), str(head["as_of_seq"]), "999999999"):
            cli = json.loads(_cli("replay", "--data", self.s.data_dir, "--room", "general",
                                  "--until", until).stdout)
            api = self.s.get(f"/v1/rooms/general/replay?until={until}")
            self.assertEqual(api.status, 200, api.json)
            self.assertEqual(api.data, cli, until)
        self.assertEqual(self.s.get("/v1/rooms/general/replay").data, head)
        created = self.s.get(f"/v1/check-ins/{self.ids[1]}").data["created_at"]
        by_time = self.s.get(f"/v1/rooms/general/replay?until={created}").data
        self.assertEqual(by_time, json.loads(_cli("replay", "--data", self.s.data_dir, "--room",
                                                  "general", "--until", created).stdout))

    def test_time_travel_errors(self):
        for bad in ("soon", "", "-1", "12x"):
            r = self.s.get(f"/v1/rooms/general/replay?until={bad}")
            self.assertEqual(r.status, 400, bad)
            self.assertEqual(r.json["error"]["details"]["field"], "until")
        r = self.s.get("/v1/rooms/general/replay?until=1")  # before the room was created
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json["error"]["code"], "NOT_FOUND")
        self.assertEqual(self.s.get("/v1/rooms/nope/replay").status, 404)
        self.assertEqual(self.s.get("/v1/rooms/general/replay", token=self.key).status, 403)

    def test_replay_errors(self):
        self.assertNotEqual(_cli("replay", "--data", "/nonexistent/dir").returncode, 0)
        self.assertNotEqual(_cli("replay", "--data", self.s.data_dir, "--room", "nope")
                            .returncode, 0)
        self.assertEqual(_cli("replay", "--data", self.s.data_dir, "--until", "soon")
                         .returncode, 2)

    def test_audit_verify(self):
        r = _cli("audit", "verify", "--data", self.s.data_dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        report = json.loads(r.stdout)
        self.assertTrue(report["ok"])
        self.assertEqual(len(report["head_hash"]), 64)
        self.assertGreater(report["events"], 0)

    def test_vapid_generate_keys(self):
        import base64
        seen = set()
        for _ in range(2):
            out = subprocess.run([BIN, "vapid", "generate-keys"], capture_output=True,
                                 text=True, timeout=10)
            self.assertEqual(out.returncode, 0, out.stderr)
            lines = out.stdout.splitlines()
            self.assertEqual([l.split("=", 1)[0] for l in lines],
                             ["WAITROOM_VAPID_PUBLIC_KEY", "WAITROOM_VAPID_PRIVATE_KEY"])
            public, private = (l.split("=", 1)[1] for l in lines)
            self.assertNotIn("=", public + private)  # base64url without padding
            pub = base64.urlsafe_b64decode(public + "=" * (-len(public) % 4))
            priv = base64.urlsafe_b64decode(private + "=" * (-len(private) % 4))
            self.assertEqual((len(pub), pub[0], len(priv)), (65, 4, 32))
            seen.add(private)
        self.assertEqual(len(seen), 2)

    def test_vapid_keys_are_served_and_checked_at_start(self):
        out = subprocess.run([BIN, "vapid", "generate-keys"], capture_output=True, text=True,
                             timeout=10)
        keys = dict(l.split("=", 1) for l in out.stdout.splitlines())
        server = Server(env=keys).start()
        try:
            r = server.get("/v1/push/vapid-public-key")
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.data["public_key"], keys["WAITROOM_VAPID_PUBLIC_KEY"])
        finally:
            server.cleanup()
        other = subprocess.run([BIN, "vapid", "generate-keys"], capture_output=True, text=True,
                               timeout=10)
        other_private = other.stdout.splitlines()[1].split("=", 1)[1]
        mismatched = Server(env={**keys, "WAITROOM_VAPID_PRIVATE_KEY": other_private})
        try:
            with self.assertRaises(RuntimeError) as refused:
                mismatched.start(timeout=10)
            self.assertIn("--vapid-public-key", str(refused.exception))
        finally:
            mismatched.cleanup()

    def test_help_and_usage_errors(self):
        self.assertEqual(_cli("--help").returncode, 0)
        self.assertEqual(_cli("replay", "--help").returncode, 0)
        self.assertEqual(_cli("bogus").returncode, 2)
        self.assertEqual(_cli("serve", "--durability", "maybe").returncode, 2)


if __name__ == "__main__":
    unittest.main()
