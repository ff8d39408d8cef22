"""The command-line client (API.md "Agent integrations" → "Command-line client"): a
scripted agent runs `waitroom checkin --wait` as a subprocess while the test decides over
REST; exit statuses, stdout (only the final JSON) and stderr (progress, outcome); policy
outcomes; `--max-wait`; the human subcommands `status`, `approve`, `reject`, `modify`;
usage errors; the create retried with one Idempotency-Key; and server restarts during the
wait that lose no decision."""
import http.client
import http.server
import json
import os
import re
import socket
import subprocess
import threading
import time
import unittest

from fixtures import create_user, list_all, register_agent, unique
from harness import BIN, OWNER_TOKEN, Server, ServerTest, free_port, wait_until

CHECKIN_ID = r"ci_[a-z0-9]{10}"


def client_env(server=None, url=None, key=None, token=None):
    """A clean environment: nothing of the test's WAITROOM_* leaks into the client."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    if url or server:
        env["WAITROOM_URL"] = url or f"http://127.0.0.1:{server.port}"
    if key:
        env["WAITROOM_API_KEY"] = key
    if token:
        env["WAITROOM_TOKEN"] = token
    return env


def run(args, env, timeout=30):
    return subprocess.run([BIN] + list(args), env=env, capture_output=True, text=True,
                          timeout=timeout)


class Client:
    """One client process in the background; its stderr is read as it comes."""

    def __init__(self, args, env):
        self.proc = subprocess.Popen([BIN] + list(args), env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.err_lines = []
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        self.stdout = None

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.err_lines.append(line)

    @property
    def stderr(self):
        return "".join(self.err_lines)

    def expect_stderr(self, pattern, timeout=15):
        """The first match of `pattern` on stderr, waiting for it."""
        m = wait_until(lambda: re.search(pattern, self.stderr), timeout=timeout)
        if not m:
            self.proc.kill()
            raise AssertionError(f"no {pattern!r} on stderr: {self.stderr!r}")
        return m

    def finish(self, timeout=30):
        """The exit status, once the process ended."""
        try:
            self.stdout = self.proc.stdout.read() if self._wait(timeout) else None
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        self._reader.join(timeout=5)
        self._close()
        return self.proc.returncode

    def _close(self):
        for f in (self.proc.stdout, self.proc.stderr):
            f.close()

    def _wait(self, timeout):
        try:
            self.proc.wait(timeout=timeout)
            return True
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"the client is still running: {self.stderr!r}")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(timeout=5)
        self._close()


def start_waiting(test, server, key, *extra, room="general", action=None):
    """`waitroom checkin --wait` in the background, once its check-in is pending."""
    client = Client(["checkin", "--room", room, "--action", action or unique("deploy "),
                     "--wait", *extra], client_env(server, key=key))
    test.addCleanup(client.kill)
    m = client.expect_stderr(f"({CHECKIN_ID}) is pending")
    return client, m.group(1)


class CheckinWaits(ServerTest):
    """A person decides over REST while the agent's client waits on the long-poll."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key, cls.agent = register_agent(cls.server)

    def test_an_approval_exits_0_with_the_status_object_on_stdout(self):
        s = self.server
        client, cid = start_waiting(self, s, self.key)
        self.assertEqual(s.post(f"/v1/check-ins/{cid}/approve", {"reason": "go"}).status, 200)
        self.assertEqual(client.finish(), 0, client.stderr)
        out = json.loads(client.stdout)
        self.assertEqual(out["id"], cid)
        self.assertEqual(out["status"], "approved")
        self.assertEqual(out["decision"]["by"]["kind"], "user")
        self.assertEqual(client.stdout.count("\n"), 1, "stdout is only the final JSON")
        self.assertRegex(client.stderr, f"{cid} approved by user us_[a-z0-9]+ at .*: go")

    def test_a_rejection_exits_1_with_the_reason_on_stderr(self):
        s = self.server
        client, cid = start_waiting(self, s, self.key)
        r = s.post(f"/v1/check-ins/{cid}/reject", {"reason": "not on a Friday"})
        self.assertEqual(r.status, 200)
        self.assertEqual(client.finish(), 1)
        self.assertEqual(json.loads(client.stdout)["status"], "rejected")
        self.assertIn("rejected by user", client.stderr)
        self.assertIn("not on a Friday", client.stderr)

    def test_a_modification_exits_3_with_only_the_modifications_on_stdout(self):
        s = self.server
        client, cid = start_waiting(self, s, self.key)
        mods = {"environment": "staging", "replicas": 2, "notes": {"why": "é ✓"}}
        r = s.post(f"/v1/check-ins/{cid}/modify", {"modifications": mods,
                                                   "reason": "staging first"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(client.finish(), 3, client.stderr)
        self.assertEqual(json.loads(client.stdout), mods)
        self.assertEqual(client.stdout.count("\n"), 1)
        self.assertIn("staging first", client.stderr)

    def test_an_expiry_exits_1(self):
        started = time.time()
        client, cid = start_waiting(self, self.server, self.key, "--timeout", "1s")
        self.assertEqual(client.finish(), 1, client.stderr)
        self.assertLess(time.time() - started, 10)
        out = json.loads(client.stdout)
        self.assertEqual(out["status"], "expired")
        self.assertEqual(out["decision"]["by"]["kind"], "timeout")
        self.assertIn(f"{cid} expired", client.stderr)
        self.assertIn("no decision before the deadline", client.stderr)

    def test_a_timeout_auto_approve_exits_0(self):
        client, cid = start_waiting(self, self.server, self.key, "--timeout", "1s",
                                    "--timeout-action", "auto_approve")
        self.assertEqual(client.finish(), 0, client.stderr)
        self.assertEqual(json.loads(client.stdout)["decision"]["by"]["kind"], "timeout")
        self.assertIn(f"{cid} approved by timeout", client.stderr)

    def test_a_withdrawal_exits_1(self):
        s = self.server
        client, cid = start_waiting(self, s, self.key)
        self.assertEqual(s.delete(f"/v1/check-ins/{cid}", token=self.key).status, 200)
        self.assertEqual(client.finish(), 1)
        self.assertEqual(json.loads(client.stdout)["status"], "withdrawn")
        self.assertIn(f"{cid} withdrawn by agent {self.agent}", client.stderr)

    def test_max_wait_running_out_exits_1_still_pending(self):
        s = self.server
        started = time.time()
        client, cid = start_waiting(self, s, self.key, "--max-wait", "1500ms")
        self.assertEqual(client.finish(), 1)
        self.assertGreaterEqual(time.time() - started, 1.4)
        self.assertLess(time.time() - started, 6)
        self.assertEqual(json.loads(client.stdout)["status"], "pending")
        self.assertIn("still pending after 1500 ms (--max-wait)", client.stderr)
        # the check-in itself is untouched: a person can still decide it
        self.assertEqual(s.get(f"/v1/check-ins/{cid}").data["status"], "pending")

    def test_every_approval_is_needed_with_several_approvers(self):
        s = self.server
        other, _ = create_user(s, "member")
        client, cid = start_waiting(self, s, self.key, "--required-approvals", "2")
        out = run(["approve", cid, "--reason", "one"], client_env(s, token=OWNER_TOKEN))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("pending", out.stdout)
        self.assertIn("(1 of 2 approvals)", out.stdout)
        time.sleep(0.3)
        self.assertIsNone(client.proc.poll(), "one approval of two does not end the wait")
        out = run(["approve", cid], client_env(s, token=other))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(client.finish(), 0, client.stderr)

    def test_every_field_as_a_flag(self):
        s = self.server
        out = run(["checkin", "--room", "general", "--action", "deploy v2.3.1 to production",
                   "--reason", "the release train", "--risk", "high", "--urgency", "urgent",
                   "--metadata", '{"version":"2.3.1","env":{"name":"prod"}}',
                   "--timeout", "30m", "--timeout-action", "hold",
                   "--required-approvals", "2",
                   "--server", f"http://127.0.0.1:{s.port}/", "--key", self.key],
                  {"PATH": os.environ["PATH"]})
        # not waiting: the created check-in, and not approved (so `&& deploy` never runs)
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertRegex(out.stderr, f"{CHECKIN_ID} is pending; not waiting")
        c = json.loads(out.stdout)
        self.assertEqual(s.get(f"/v1/check-ins/{c['id']}").data, c)
        self.assertEqual((c["action"], c["reason"], c["risk_level"], c["urgency"]),
                         ("deploy v2.3.1 to production", "the release train", "high", "urgent"))
        self.assertEqual(c["metadata"], {"version": "2.3.1", "env": {"name": "prod"}})
        self.assertEqual((c["timeout_ms"], c["timeout_action"], c["required_approvals"]),
                         (1800000, "hold", 2))
        self.assertIsNone(c["expires_at"])
        # the aliases and the other duration units
        out = run(["checkin", "--room", "general", "--action", "aliases",
                   "--description", "why", "--risk-level", "low", "--context", '{"a":1}',
                   "--timeout", "2h"], client_env(s, key=self.key))
        c = json.loads(out.stdout)
        self.assertEqual((c["reason"], c["risk_level"], c["metadata"], c["timeout_ms"]),
                         ("why", "low", {"a": 1}, 7200000))
        for text, ms in (("1500ms", 1500), ("90s", 90000), ("1d", 86400000)):
            out = run(["checkin", "--room", "general", "--action", unique("d "), "--timeout",
                       text], client_env(s, key=self.key))
            self.assertEqual(json.loads(out.stdout)["timeout_ms"], ms, out.stderr)

    def test_an_idempotency_key_makes_a_rerun_wait_on_the_same_check_in(self):
        s = self.server
        args = ["checkin", "--room", "general", "--action", unique("deploy "),
                "--idempotency-key", unique("ci-run-")]
        first = run(args, client_env(s, key=self.key))
        cid = json.loads(first.stdout)["id"]
        client = Client(args + ["--wait"], client_env(s, key=self.key))
        self.addCleanup(client.kill)
        client.expect_stderr(f"{cid} is pending")
        s.post(f"/v1/check-ins/{cid}/approve", {})
        self.assertEqual(client.finish(), 0)
        self.assertEqual(json.loads(client.stdout)["id"], cid)


class Policies(ServerTest):
    """The room's policy decides at once: the client neither waits nor polls."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key, cls.agent = register_agent(cls.server)
        cls.server.create_room("deployments", policy={
            "rules": [
                {"id": "no-prod-friday", "effect": "forbid",
                 "when": {"action": "deploy * production", "risk_level": ["high", "critical"]}},
                {"id": "docs", "effect": "auto_approve",
                 "when": {"action_regex": "^update docs", "metadata": {"env": "staging"}}}],
            "default_action": "require_approval"})

    def checkin(self, *args):
        return run(["checkin", "--room", "deployments", *args], client_env(self.server, key=self.key))

    def test_an_auto_approve_rule_exits_0_at_once(self):
        started = time.time()
        out = self.checkin("--action", "update docs for v2", "--metadata", '{"env":"staging"}',
                           "--wait")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertLess(time.time() - started, 3)
        st = json.loads(out.stdout)
        self.assertEqual(set(st), {"id", "status", "decision", "modifications",
                                   "decision_reason", "updated_at", "version"})
        self.assertEqual(st["status"], "approved")
        self.assertEqual(st["decision"]["rule_id"], "docs")
        self.assertIn("approved by policy rule docs", out.stderr)
        # without --wait too, and the created check-in is what stdout carries
        out = self.checkin("--action", "update docs again", "--metadata", '{"env":"staging"}')
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(json.loads(out.stdout)["direction"], "agent_to_human")

    def test_a_forbid_rule_exits_1_with_the_rule_id_on_stderr(self):
        out = self.checkin("--action", "deploy v2.3.1 to production", "--risk", "high", "--wait")
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertRegex(out.stderr, f"{CHECKIN_ID} rejected by policy rule no-prod-friday")
        st = json.loads(out.stdout)
        self.assertEqual(st["status"], "rejected")
        self.assertEqual(st["decision"]["rule_id"], "no-prod-friday")
        self.assertEqual(self.server.get(f"/v1/check-ins/{st['id']}").data["status"], "rejected")
        out = self.checkin("--action", "deploy v2.3.2 to production", "--risk", "critical")
        self.assertEqual(out.returncode, 1)
        self.assertIn("no-prod-friday", out.stderr)
        self.assertEqual(json.loads(out.stdout)["action"], "deploy v2.3.2 to production")


class HumanSubcommands(ServerTest):
    """`waitroom status|approve|reject|modify ID` for the people who decide."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key, cls.agent = register_agent(cls.server)

    def new(self):
        r = self.server.check_in(self.key, action=unique("deploy "))
        self.assertEqual(r.status, 201)
        return r.data["id"]

    def human(self, *args, token=OWNER_TOKEN):
        return run(args, client_env(self.server, token=token))

    def test_status_says_the_outcome_in_its_exit_status(self):
        cid = self.new()
        out = self.human("status", cid)
        self.assertEqual(out.returncode, 1)
        self.assertEqual(out.stdout, f"{cid} pending\n")
        out = run(["status", cid, "--json"], client_env(self.server, key=self.key))
        self.assertEqual(out.returncode, 1)
        self.assertEqual(json.loads(out.stdout), self.server.get(f"/v1/check-ins/{cid}/status").data)
        out = self.human("approve", cid, "--reason", "fine")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertRegex(out.stdout, f"^{cid} approved by user us_[a-z0-9]+ at .*: fine\n$")
        out = self.human("status", cid)
        self.assertEqual(out.returncode, 0)
        self.assertIn("approved", out.stdout)

    def test_status_wait_ends_with_the_decision(self):
        s = self.server
        cid = self.new()
        client = Client(["status", cid, "--wait", "--json"], client_env(s, token=OWNER_TOKEN))
        self.addCleanup(client.kill)
        client.expect_stderr(f"waiting for a decision on {cid}")
        s.post(f"/v1/check-ins/{cid}/modify", {"modifications": {"env": "staging"}})
        self.assertEqual(client.finish(), 3)
        self.assertEqual(json.loads(client.stdout)["modifications"], {"env": "staging"})
        out = self.human("status", cid)
        self.assertEqual(out.returncode, 3)
        self.assertIn('modifications: {"env":"staging"}', out.stdout)
        cid = self.new()
        out = self.human("status", cid, "--wait", "--max-wait", "1s")
        self.assertEqual(out.returncode, 1)
        self.assertIn("still pending after 1 s", out.stderr)

    def test_a_wait_the_server_refuses_gives_up_with_2(self):
        # API.md: "2 usage error, 4xx on create, or giving up"; only a wait that runs out
        # (--max-wait) is 1
        out = self.human("status", "ci_nothere000", "--wait", "--max-wait", "5s")
        self.assertEqual(out.returncode, 2, out.stderr)
        self.assertEqual(out.stdout, "")

    def test_reject_and_modify(self):
        s = self.server
        cid = self.new()
        out = self.human("reject", cid, "--reason", "too risky", "--json")
        self.assertEqual(out.returncode, 0, out.stderr)
        c = json.loads(out.stdout)
        self.assertEqual((c["id"], c["status"], c["decision_reason"]), (cid, "rejected", "too risky"))
        cid = self.new()
        out = self.human("modify", cid, "--modifications", '{"environment":"staging"}',
                         "--reason", "staging first")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(f"{cid} modified", out.stdout)
        st = s.get(f"/v1/check-ins/{cid}/status").data
        self.assertEqual((st["status"], st["modifications"], st["decision_reason"]),
                         ("modified", {"environment": "staging"}, "staging first"))

    def test_refusals_and_usage_errors_exit_2(self):
        cid = self.new()
        self.assertEqual(self.human("approve", cid).returncode, 0)
        out = self.human("approve", cid)
        self.assertEqual(out.returncode, 2)
        self.assertIn("HTTP 409 CONFLICT", out.stderr)
        out = run(["reject", self.new()], client_env(self.server, key=self.key))
        self.assertEqual(out.returncode, 2)
        self.assertIn("no human token", out.stderr)
        out = self.human("reject", self.new(), token=self.key)
        self.assertEqual(out.returncode, 2)
        self.assertIn("HTTP 403 FORBIDDEN", out.stderr)
        out = self.human("approve", "ci_0000000000")
        self.assertEqual(out.returncode, 2)
        self.assertIn("HTTP 404 NOT_FOUND", out.stderr)
        out = self.human("status", "ci_0000000000")
        self.assertEqual(out.returncode, 2)
        self.assertIn("HTTP 404 NOT_FOUND", out.stderr)
        for args in (["modify", cid], ["modify", cid, "--modifications", "[1]"],
                     ["modify", cid, "--modifications", "{"], ["approve"], ["status"],
                     ["status", cid, "--max-wait", "1s"], ["approve", cid, "--nope"]):
            out = self.human(*args)
            self.assertEqual(out.returncode, 2, (args, out.stderr))
            self.assertEqual(out.stdout, "", args)


class Usage(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key, cls.agent = register_agent(cls.server)

    def test_usage_errors_exit_2_and_print_nothing_on_stdout(self):
        env = client_env(self.server, key=self.key)
        base = ["checkin", "--room", "general", "--action", "x"]
        for args, says in (
                (["checkin", "--action", "x"], "--room is required"),
                (["checkin", "--room", "general"], "--action is required"),
                (base + ["--timeout", "30"], "a duration is <int>(ms|s|m|h|d)"),
                (base + ["--timeout", "1.5h"], "a duration is"),
                (base + ["--timeout", "-1s"], None),
                (base + ["--max-wait", "1m"], "--max-wait requires --wait"),
                (base + ["--wait", "--max-wait", "soon"], "a duration is"),
                (base + ["--metadata", "not json"], "must be a JSON object"),
                (base + ["--metadata", "[1,2]"], "must be a JSON object"),
                (base + ["--risk", "extreme"], None),
                (base + ["--urgency", "now"], None),
                (base + ["--timeout-action", "explode"], None),
                (base + ["--server", "ftp://example.test"], "--server must be an http:// URL"),
                (["checkin"], None),
                ([], None)):
            out = run(args, env)
            self.assertEqual(out.returncode, 2, (args, out.stderr))
            self.assertEqual(out.stdout, "", args)
            if says:
                self.assertIn(says, out.stderr, args)
        out = run(base, client_env(self.server))
        self.assertEqual(out.returncode, 2)
        self.assertIn("no agent key", out.stderr)

    def test_a_4xx_on_create_exits_2_with_the_error_on_stderr(self):
        s = self.server
        env = client_env(s, key=self.key)
        for args, says in (
                (["--room", "nowhere", "--action", "x"], "HTTP 404 NOT_FOUND"),
                (["--room", "general", "--action", "x", "--timeout", "10ms"],
                 "HTTP 400 VALIDATION_ERROR"),
                (["--room", "general", "--action", "x" * 501], "(field: action)"),
                (["--room", "general", "--action", "x", "--required-approvals", "11"],
                 "(field: required_approvals)")):
            out = run(["checkin", "--wait", *args], env)
            self.assertEqual(out.returncode, 2, (args, out.stderr))
            self.assertEqual(out.stdout, "")
            self.assertIn(says, out.stderr)
        out = run(["checkin", "--room", "general", "--action", "x"],
                  client_env(s, key="wr_" + "z" * 32))
        self.assertEqual(out.returncode, 2)
        self.assertIn("HTTP 401 UNAUTHORIZED", out.stderr)
        out = run(["checkin", "--room", "general", "--action", "x"],
                  client_env(s, key=OWNER_TOKEN))
        self.assertEqual(out.returncode, 2)
        self.assertIn("HTTP 403 FORBIDDEN", out.stderr)

    def test_every_client_subcommand_has_help_with_an_example(self):
        for sub in ("checkin", "status", "approve", "reject", "modify", "tail"):
            out = run([sub, "--help"], {"PATH": os.environ["PATH"]})
            self.assertEqual(out.returncode, 0, sub)
            self.assertIn("Example:", out.stdout, sub)
            self.assertIn(f"waitroom {sub} ", out.stdout, sub)
            self.assertIn("--server", out.stdout, sub)
            self.assertIn("WAITROOM_URL", out.stdout, sub)
        out = run(["checkin", "--help"], {"PATH": os.environ["PATH"]})
        for flag in ("--room", "--action", "--reason", "--risk", "--urgency", "--metadata",
                     "--context", "--timeout", "--timeout-action", "--required-approvals",
                     "--wait", "--max-wait", "--key", "WAITROOM_API_KEY", "Exit status"):
            self.assertIn(flag, out.stdout)


class FlakyFront:
    """An HTTP front of the real server that answers the first check-in POST with 503
    and forwards the second but drops its answer (the check-in is created, the client
    never hears of it); everything else passes through. Records each POST's
    Idempotency-Key."""

    def __init__(self, server):
        self.server = server
        self.keys = []
        front = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                self.forward(None)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path.endswith("/check-in"):
                    front.keys.append(self.headers.get("Idempotency-Key"))
                    if len(front.keys) == 1:
                        return self.answer(503, b'{"error":{"code":"UNAVAILABLE"}}', {})
                    if len(front.keys) == 2:
                        self.relay(body)
                        self.close_connection = True
                        return
                self.forward(body)

            def relay(self, body):
                conn = http.client.HTTPConnection("127.0.0.1", front.server.port, timeout=90)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() in ("authorization", "content-type", "idempotency-key")}
                conn.request(self.command, self.path, body=body, headers=headers)
                r = conn.getresponse()
                data = r.read()
                conn.close()
                return r.status, data

            def forward(self, body):
                status, data = self.relay(body)
                self.answer(status, data, {})

            def answer(self, status, data, headers):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)
                self.close_connection = True

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Restarts(unittest.TestCase):
    """The server goes away while a client creates or waits; nothing is lost."""

    def setUp(self):
        self.server = Server().start()
        self.addCleanup(self.server.cleanup)
        self.key, _ = register_agent(self.server)

    def come_back(self):
        self.server.start(port=self.server.port)

    def test_a_decision_around_kills_and_restarts_is_not_lost(self):
        s = self.server
        client, cid = start_waiting(self, s, self.key)
        s.kill()
        client.expect_stderr(f"lost the server .*; retrying, then resuming {cid}")
        time.sleep(1)
        self.come_back()
        # decided while the client may still be backing off, and the server killed
        # again at once: the decision is durable, the client finds it by id
        self.assertEqual(s.post(f"/v1/check-ins/{cid}/approve", {"reason": "ok"}).status, 200)
        s.kill()
        time.sleep(0.5)
        self.come_back()
        self.assertEqual(client.finish(), 0, client.stderr)
        st = json.loads(client.stdout)
        self.assertEqual((st["id"], st["status"], st["decision_reason"]), (cid, "approved", "ok"))
        self.assertIn(f"{cid} approved by user", client.stderr)

    def test_a_decision_after_a_restart_reaches_the_waiting_client(self):
        s = self.server
        client, cid = start_waiting(self, s, self.key)
        s.kill()
        client.expect_stderr("lost the server")
        self.come_back()
        client.expect_stderr(f"the server is back; still waiting on {cid}", timeout=10)
        s.post(f"/v1/check-ins/{cid}/modify", {"modifications": {"env": "staging"}})
        self.assertEqual(client.finish(), 3, client.stderr)
        self.assertEqual(json.loads(client.stdout), {"env": "staging"})

    def test_a_deadline_that_passed_while_the_server_was_down_exits_1(self):
        s = self.server
        client, cid = start_waiting(self, s, self.key, "--timeout", "2s")
        s.kill()
        time.sleep(3)
        self.come_back()
        self.assertEqual(client.finish(), 1, client.stderr)
        self.assertEqual(json.loads(client.stdout)["status"], "expired")

    def test_the_create_is_retried_until_the_server_is_up(self):
        s = self.server
        s.kill()
        action = unique("deploy while down ")
        client = Client(["checkin", "--room", "general", "--action", action, "--wait"],
                        client_env(s, key=self.key))
        self.addCleanup(client.kill)
        client.expect_stderr("creating the check-in: connect to .*; retrying in")
        time.sleep(1)
        self.come_back()
        cid = client.expect_stderr(f"({CHECKIN_ID}) is pending").group(1)
        s.post(f"/v1/check-ins/{cid}/approve", {})
        self.assertEqual(client.finish(), 0, client.stderr)
        mine = [c for c in list_all(s, "/v1/check-ins?room=general") if c["action"] == action]
        self.assertEqual(len(mine), 1)

    def test_the_create_is_sent_again_with_one_idempotency_key(self):
        s = self.server
        front = FlakyFront(s)
        self.addCleanup(front.close)
        action = unique("deploy through a flaky front ")
        client = Client(["checkin", "--room", "general", "--action", action, "--wait"],
                        client_env(url=f"http://127.0.0.1:{front.port}", key=self.key))
        self.addCleanup(client.kill)
        cid = client.expect_stderr(f"({CHECKIN_ID}) is pending").group(1)
        self.assertIn("HTTP 503; retrying", client.stderr)
        self.assertEqual(len(front.keys), 3, client.stderr)
        self.assertEqual(len(set(front.keys)), 1)
        self.assertRegex(front.keys[0], r"^[0-9a-f]{32}$")
        mine = [c for c in list_all(s, "/v1/check-ins?room=general") if c["action"] == action]
        self.assertEqual([c["id"] for c in mine], [cid])
        s.post(f"/v1/check-ins/{cid}/approve", {})
        self.assertEqual(client.finish(), 0, client.stderr)


class Unreachable(unittest.TestCase):
    """One truth for a server that cannot be reached: every client subcommand gives up
    with exit status 2 (API.md: giving up is 2), bounded by --max-wait."""

    def test_every_client_gives_up_with_2(self):
        dead = f"http://127.0.0.1:{free_port()}"
        key, token = "wr_" + "k" * 32, OWNER_TOKEN
        for args, env in (
                (["checkin", "--room", "general", "--action", "x", "--wait",
                  "--max-wait", "1s"], client_env(url=dead, key=key)),
                (["status", "ci_abcdefghij", "--wait", "--max-wait", "1s"],
                 client_env(url=dead, token=token)),
                (["status", "ci_abcdefghij"], client_env(url=dead, token=token)),
                (["approve", "ci_abcdefghij", "--max-wait", "1s"], client_env(url=dead, token=token)),
                (["reject", "ci_abcdefghij", "--max-wait", "1s"], client_env(url=dead, token=token)),
                (["modify", "ci_abcdefghij", "--modifications", "{}", "--max-wait", "1s"],
                 client_env(url=dead, token=token))):
            with self.subTest(args=args[0]):
                started = time.monotonic()
                out = run(args, env, timeout=60)
                self.assertEqual(out.returncode, 2, (args, out.stderr))
                self.assertIn("giving up", out.stderr)
                self.assertEqual(out.stdout, "")
                self.assertLess(time.monotonic() - started, 20, args)

    def test_a_decision_gives_up_after_15_seconds_by_default(self):
        started = time.monotonic()
        out = run(["approve", "ci_abcdefghij"],
                  client_env(url=f"http://127.0.0.1:{free_port()}", token=OWNER_TOKEN),
                  timeout=60)
        self.assertEqual(out.returncode, 2, out.stderr)
        self.assertLess(time.monotonic() - started, 20)


class Commands(unittest.TestCase):
    """The binary's own command line: --version, unknown commands, the bootstrap token,
    and a port in use."""

    def test_version_is_the_api_documents(self):
        out = run(["--version"], {})
        self.assertEqual(out.returncode, 0, out.stderr)
        with open(os.path.join(os.path.dirname(__file__), "../../http/api/openapi.json")) as f:
            version = json.load(f)["info"]["version"]
        self.assertEqual(out.stdout.strip(), f"waitroom {version}")

    def test_an_unknown_command_is_named(self):
        out = run(["nope"], {})
        self.assertEqual(out.returncode, 2)
        self.assertIn("unknown command 'nope'", out.stderr)
        self.assertIn("serve", out.stderr)

    def test_the_bootstrap_token_must_have_a_tokens_shape(self):
        for bad in ("not-a-token", "wrh_short", "wrh_" + "x" * 31 + "!", "wr_" + "x" * 32):
            with self.subTest(token=bad):
                data = os.path.join(os.environ.get("TMPDIR", "/tmp"), unique("wr-boot-"))
                out = run(["serve", "--data", data, "--listen", "127.0.0.1:0"],
                          {"WAITROOM_BOOTSTRAP_TOKEN": bad})
                self.assertEqual(out.returncode, 2, out.stderr)
                self.assertIn("wrh_ and 32 letters, digits, _ or -", out.stderr)
                self.assertFalse(os.path.exists(data), "nothing was initialized")
        # later starts ignore the variable (API.md): a leftover one never stops a server
        s = Server().start()
        try:
            s.stop()
            s.env["WAITROOM_BOOTSTRAP_TOKEN"] = "not-a-token"
            s.start()
            self.assertEqual(s.get("/v1/me").status, 200)
        finally:
            s.cleanup()
        # the 32 characters may be URL-safe ones
        s = Server(env={"WAITROOM_BOOTSTRAP_TOKEN": "wrh_" + "a-b_" * 8})
        try:
            s.start()
            self.assertEqual(s.get("/v1/me", token="wrh_" + "a-b_" * 8).status, 200)
        finally:
            s.cleanup()

    def test_a_port_in_use_is_said_in_words_before_anything_is_written(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            data = os.path.join(os.environ.get("TMPDIR", "/tmp"), unique("wr-port-"))
            out = run(["serve", "--data", data, "--listen", f"127.0.0.1:{port}"],
                      {"WAITROOM_BOOTSTRAP_TOKEN": OWNER_TOKEN})
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn("the port is already in use", out.stderr)
        self.assertFalse(os.path.exists(data), "no data directory was initialized")
        out = run(["serve", "--data", data, "--listen", "127.0.0.1:http"], {})
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("--listen must be HOST:PORT", out.stderr)


if __name__ == "__main__":
    unittest.main()
