"""The log never takes an event it cannot read back, and an unreadable event written by
an older build (or damaged on disk) is named at start-up, by `replay` and by `audit
verify`, and can be set aside with `waitroom audit quarantine` so that the server
starts again, with the chain still intact."""
import json
import os
import subprocess
import time
import unittest

from fixtures import audit_all, create_user, new_checkin, register_agent
from harness import BIN, Server

FORGE = os.environ.get("WAITROOM_FORGE",
                       os.path.join(os.path.dirname(BIN), "tests/storage/waitroom_test_forge_event"))


def run(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=60)


class NullNeverReachesTheLog(unittest.TestCase):
    """The reproduction of issue 11: `null` on a required enum field."""

    def test_null_enums_are_400_and_the_server_restarts_cleanly(self):
        s = Server().start()
        try:
            key, agent_id = register_agent(s)
            ci = new_checkin(s, key)["id"]
            _, user_id = create_user(s, "member")
            events_before = s.get("/v1/audit/verify").data["events"]
            r = s.post(f"/v1/check-ins/{ci}/messages", {"type": None, "content": "hello"},
                       token=key)
            self.assertEqual(r.status, 400, r)
            self.assertEqual(r.error["code"], "VALIDATION_ERROR")
            self.assertEqual(r.error["details"]["field"], "type")
            r = s.put(f"/v1/rooms/general/members/{user_id}", {"role": None})
            self.assertEqual(r.status, 400, r)
            self.assertEqual(r.error["details"]["field"], "role")
            r = s.post("/v1/users", {"name": "n", "email": "n@example.test", "role": None})
            self.assertEqual(r.status, 400, r)
            self.assertEqual(r.error["details"]["field"], "role")
            self.assertEqual(s.get("/v1/audit/verify").data["events"], events_before,
                             "nothing was written")
            # null on an optional field means absent: the default
            r = s.post(f"/v1/check-ins/{ci}/messages",
                       {"type": "comment", "content": "hi", "metadata": None,
                        "attachments": [{"name": "a", "url": "https://x.test/a",
                                         "content_type": None, "size": None}]}, token=key)
            self.assertEqual(r.status, 201, r)
            self.assertEqual(r.data["metadata"], {})
            self.assertEqual(r.data["attachments"], [{"name": "a", "url": "https://x.test/a"}])
            self.assertEqual(s.get(f"/v1/check-ins/{ci}/messages", token=key).status, 200)
            self.assertEqual(s.get("/v1/audit").status, 200)
            s.restart()
            self.assertEqual(s.get(f"/v1/check-ins/{ci}/messages", token=key).status, 200)
            s.stop()
            verify = run("audit", "verify", "--data", s.data_dir)
            self.assertEqual(verify.returncode, 0, verify)
        finally:
            s.cleanup()


class UnreadableEvent(unittest.TestCase):
    """An event an older build wrote, which this build's codec refuses."""

    def setUp(self):
        self.s = Server().start()
        self.addCleanup(self.s.cleanup)
        self.key, _ = register_agent(self.s)
        self.ci = new_checkin(self.s, self.key)
        r = self.s.post(f"/v1/check-ins/{self.ci['id']}/messages",
                        {"type": "comment", "content": "before"}, token=self.key)
        self.assertEqual(r.status, 201, r)
        self.message = r.data
        self.assertEqual(self.s.stop(), 0)
        # The same message event, as the unchecked encoder wrote it for `"type": null`.
        audit = subprocess.run([BIN, "audit", "export", "--data", self.s.data_dir],
                               capture_output=True, text=True, check=True).stdout
        last = json.loads(audit.strip().splitlines()[-1])
        self.assertEqual(last["type"], "checkin.message")
        del last["hash"]
        last["data"]["type"] = "?"
        last["data"]["id"] = "msg_forged0001"
        last["seq"] = "@SEQ@"
        last["version"] = "@VERSION@"
        template = json.dumps(last, separators=(",", ":")).replace(
            '"@SEQ@"', "@SEQ@").replace('"@VERSION@"', "@VERSION@")
        forged = subprocess.run([FORGE, os.path.join(self.s.data_dir, "log"), self.ci["id"],
                                 template], capture_output=True, text=True)
        self.assertEqual(forged.returncode, 0, forged.stderr)
        self.bad_seq = int(forged.stdout)

    def test_start_up_names_the_event_and_the_way_out(self):
        serve = subprocess.run([BIN, "serve", "--data", self.s.data_dir, "--listen",
                                "127.0.0.1:0"], capture_output=True, text=True, timeout=60,
                               env=self.s.env)
        self.assertEqual(serve.returncode, 1, serve)
        text = serve.stderr
        self.assertIn(f"event {self.bad_seq} (checkin.message)", text)
        self.assertIn(f"waitroom audit quarantine --data {self.s.data_dir} --seq {self.bad_seq}",
                      text)
        replay = run("replay", "--data", self.s.data_dir)
        self.assertNotEqual(replay.returncode, 0)
        self.assertIn(f"event {self.bad_seq} (checkin.message)", replay.stderr)
        self.assertIn("audit quarantine", replay.stderr)

    def test_audit_verify_decodes_and_reports_the_first_unreadable_seq(self):
        verify = run("audit", "verify", "--data", self.s.data_dir)
        self.assertEqual(verify.returncode, 1, verify)
        report = json.loads(verify.stdout)
        self.assertFalse(report["ok"])
        self.assertEqual(report["first_bad_seq"], self.bad_seq)
        self.assertIn("checkin.message", report["problem"])
        self.assertIn("audit quarantine", verify.stderr)

    def test_quarantine_lets_the_server_start_and_the_chain_still_verifies(self):
        # only the unreadable event verify names; a reason is required
        refused = run("audit", "quarantine", "--data", self.s.data_dir, "--seq", "1",
                      "--reason", "r")
        self.assertEqual(refused.returncode, 1)
        self.assertIn(f"event {self.bad_seq} (checkin.message) cannot be decoded", refused.stderr)
        self.assertIn("quarantine that one first", refused.stderr)
        usage = run("audit", "quarantine", "--data", self.s.data_dir, "--seq", str(self.bad_seq))
        self.assertEqual(usage.returncode, 2)
        self.assertIn("--reason", usage.stderr)
        q = run("audit", "quarantine", "--data", self.s.data_dir, "--seq", str(self.bad_seq),
                "--reason", "written by build 0.9")
        self.assertEqual(q.returncode, 0, q.stderr)
        stand_in = json.loads(q.stdout)
        self.assertEqual(stand_in["type"], "log.quarantined")
        self.assertEqual(stand_in["seq"], self.bad_seq)
        self.assertEqual(stand_in["stream"], self.ci["id"])
        self.assertEqual(stand_in["data"]["type"], "checkin.message")
        self.assertEqual(stand_in["data"]["reason"], "written by build 0.9")

        verify = run("audit", "verify", "--data", self.s.data_dir)
        self.assertEqual(verify.returncode, 0, verify)
        report = json.loads(verify.stdout)
        self.assertTrue(report["ok"])
        self.assertEqual(report["quarantined"], [self.bad_seq])

        self.s.start()
        v = self.s.get("/v1/audit/verify")
        self.assertEqual(v.status, 200, v)
        self.assertTrue(v.data["ok"])
        self.assertEqual(v.data["quarantined"], [self.bad_seq])
        audit = {e["seq"]: e for e in audit_all(self.s)}
        shown = audit[self.bad_seq]
        self.assertEqual(shown["type"], "log.quarantined")
        self.assertIn("stored_base64", shown)
        recorded = [e for e in audit.values()
                    if e["type"] == "log.quarantined" and e["stream"] == "log"]
        self.assertEqual(len(recorded), 1)
        self.assertEqual(recorded[0]["data"]["seq"], self.bad_seq)
        # The check-in lives on: its thread reads, and new messages go on at the right version.
        msgs = self.s.get(f"/v1/check-ins/{self.ci['id']}/messages", token=self.key)
        self.assertEqual(msgs.status, 200, msgs)
        self.assertNotIn("msg_forged0001", [m["id"] for m in msgs.data])
        r = self.s.post(f"/v1/check-ins/{self.ci['id']}/messages",
                        {"type": "comment", "content": "after"}, token=self.key)
        self.assertEqual(r.status, 201, r)
        r = self.s.post(f"/v1/check-ins/{self.ci['id']}/approve", {})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data["status"], "approved")
        self.s.restart()
        self.assertTrue(self.s.get("/v1/audit/verify").data["ok"])


class UnreadableDecision(unittest.TestCase):
    """An unreadable decision: setting it aside loses what it decided, so the command
    wants --force; then the check-in waits for a person, and no timeout decides it."""

    def test_a_quarantined_decision_waits_for_a_person(self):
        s = Server()
        self.addCleanup(s.cleanup)
        s.start()
        key, _ = register_agent(s)
        ci = new_checkin(s, key, timeout_ms=3000, timeout_action="auto_approve")
        me = s.get("/v1/me").data
        owner, org = me["id"], me["org_id"]
        self.assertEqual(s.stop(), 0)
        approval = {"seq": "@SEQ@", "type": "checkin.approved", "v": 1, "stream": ci["id"],
                    "version": "@VERSION@", "at": ci["created_at"],
                    "actor": {"kind": "user", "id": owner}, "org_id": org,
                    "room_id": ci["room_id"],
                    "data": {"decision": {"outcome": "?", "by": {"kind": "user", "id": owner},
                                          "at": ci["created_at"], "reason": None,
                                          "rule_id": None, "trust_score": None},
                             "modifications": None}}
        template = json.dumps(approval, separators=(",", ":")).replace(
            '"@SEQ@"', "@SEQ@").replace('"@VERSION@"', "@VERSION@")
        forged = subprocess.run([FORGE, os.path.join(s.data_dir, "log"), ci["id"], template],
                                capture_output=True, text=True)
        self.assertEqual(forged.returncode, 0, forged.stderr)
        seq = forged.stdout.strip()
        refused = run("audit", "quarantine", "--data", s.data_dir, "--seq", seq,
                      "--reason", "r")
        self.assertEqual(refused.returncode, 1)
        self.assertIn("a decision", refused.stderr)
        self.assertIn("--force", refused.stderr)
        q = run("audit", "quarantine", "--data", s.data_dir, "--seq", seq, "--reason",
                "an approval written by an older build", "--force")
        self.assertEqual(q.returncode, 0, q.stderr)
        self.assertIn("lost with it: a decision", q.stderr)
        s.start()
        c = s.get(f"/v1/check-ins/{ci['id']}").data
        self.assertEqual(c["status"], "pending")
        self.assertIsNone(c["expires_at"], "no deadline runs on it any more")
        time.sleep(4)  # past its deadline: a timeout would have auto-approved it
        self.assertEqual(s.get(f"/v1/check-ins/{ci['id']}").data["status"], "pending")
        self.assertEqual(s.post(f"/v1/check-ins/{ci['id']}/extend", {"by_ms": 5000}).status,
                         409)
        r = s.post(f"/v1/check-ins/{ci['id']}/approve", {"reason": "again, by a person"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.data["decision"]["by"]["kind"], "user")


if __name__ == "__main__":
    unittest.main()
