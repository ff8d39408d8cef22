"""Starts the real `waitroom` binary on an ephemeral loopback port and talks HTTP to it.

Only the standard library: the tests are black-box clients of the contract.
"""
import http.client
import json
import os
import socket
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

BIN = os.environ.get("WAITROOM_BIN", os.path.join(os.path.dirname(__file__), "../../build/waitroom"))
OWNER_TOKEN = "wrh_" + "T" * 32


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.raw = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    @property
    def data(self):
        return self.json["data"]

    @property
    def error(self):
        return self.json["error"]

    def __repr__(self):
        return f"<{self.status} {self.raw[:300]!r}>"


class Server:
    """One server process over one data directory (kept across restarts)."""

    def __init__(self, data_dir=None, env=None, args=()):
        self.own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="waitroom-it-")
        self.env = dict(os.environ)
        self.env.setdefault("WAITROOM_BOOTSTRAP_TOKEN", OWNER_TOKEN)
        self.env.update(env or {})
        self.args = list(args)
        self.proc = None
        self.port = None
        self.stderr_lines = []

    def start(self, timeout=20, port=0):
        """Starts the server on `port` (0: any free one). After a stop or a kill,
        `start(port=server.port)` brings it back where its clients expect it."""
        cmd = [BIN, "serve", "--data", self.data_dir, "--listen", f"127.0.0.1:{port}"] + self.args
        return self._start(cmd, timeout)

    def _start(self, cmd, timeout):
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=self.env, text=True)
        threading.Thread(target=self._drain_stderr, args=(self.proc,), daemon=True).start()
        deadline = time.time() + timeout
        line = ""
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            if "listening on" in line:
                self.port = int(line.strip().rsplit(":", 1)[1])
                return self
        raise RuntimeError(f"server did not start: {line!r} {''.join(self.stderr_lines)[-2000:]}")

    def _drain_stderr(self, proc):
        for line in proc.stderr:
            self.stderr_lines.append(line)

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc is None:
            return None
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.proc = None
        return code

    def kill(self):
        return self.stop(signal.SIGKILL)

    def restart(self):
        self.stop()
        return self.start()

    def cleanup(self):
        self.stop()
        if self.own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    # --- HTTP ---------------------------------------------------------------

    def request(self, method, path, body=None, token=OWNER_TOKEN, headers=None, raw=None,
                timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        payload = raw
        if body is not None:
            payload = json.dumps(body).encode()
        if payload is not None:
            h.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=payload, headers=h)
        r = conn.getresponse()
        res = Response(r.status, r.getheaders(), r.read().decode("utf-8", "replace"))
        conn.close()
        return res

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    # --- conveniences ----------------------------------------------------------

    def register_agent(self, name="deployer"):
        r = self.post("/v1/agents/register", {"name": name, "platform": "ci"})
        assert r.status == 201, r
        return r.data["api_key"], r.data["agent"]["id"]

    def create_room(self, slug, **fields):
        body = {"name": slug.title(), "slug": slug}
        body.update(fields)
        r = self.post("/v1/rooms", body)
        assert r.status == 201, r
        return r.data

    def check_in(self, key, room="general", headers=None, timeout=30, **fields):
        body = {"action": "deploy v2.3.1 to production"}
        body.update(fields)
        return self.post(f"/v1/rooms/{room}/check-in", body, token=key, headers=headers,
                         timeout=timeout)


class ServerTest(unittest.TestCase):
    """A test case with a fresh server per test class."""

    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.server = Server(args=cls.server_args).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def assertError(self, res, status, code, field=None):
        self.assertEqual(res.status, status, res)
        self.assertIsNotNone(res.json, res)
        err = res.json["error"]
        self.assertEqual(err["code"], code, res)
        self.assertEqual(err["statusCode"], status, res)
        self.assertIn("message", err)
        self.assertIsInstance(err["details"], dict)
        if field is not None:
            self.assertEqual(err["details"].get("field"), field, res)


def wait_until(predicate, timeout=5.0, interval=0.02):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def free_port():
    """A free loopback TCP port (bound and released: good enough for tests)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalServerProcess:
    """A third-party server the tests start (redis-server, nats-server): a free port, a
    scratch directory, and a process killed and cleaned up at the end. Subclasses
    start `self.proc` and say when it `accepts`."""

    def __init__(self, prefix, port=None):
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.proc = None

    def wait_accepting(self, what):
        assert wait_until(self.accepts, timeout=10), f"{what} did not start"
        return self

    def accepts(self):
        raise NotImplementedError

    def kill(self):
        self.proc.kill()
        self.proc.wait()

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)
