"""Webhook delivery against real local receivers (API.md "Watchers and signals", "Stream
details"): signed POSTs of the envelope, retries of 5xx with backoff and one success,
no retry of 410/400, a hanging receiver timed out while the API and other watchers go
on, auto-disable after 20 failed deliveries, the deliveries log, redeliver, delivery
resumed after kill -9, HTTPS verified with the system trust store, and
--webhook-deny-private on resolved addresses."""
import hashlib
import hmac
import http.server
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

from fixtures import create_user, new_checkin, register_agent
from harness import OWNER_TOKEN, Server, ServerTest, wait_until


class Receiver:
    """A webhook receiver on a free loopback port. `script` says what to answer, one
    entry per request (the last repeats): an HTTP status, or ("hang", seconds). Every
    request is kept with its signature verified against `secret`."""

    def __init__(self, script=(200,), tls=None, port=0):
        self.script = list(script)
        self.requests = []
        self.secret = None
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with outer.lock:
                    i = len(outer.requests)
                    action = outer.script[min(i, len(outer.script) - 1)]
                    outer.requests.append({"headers": {k.lower(): v for k, v in self.headers.items()},
                                           "body": body, "at": time.time(),
                                           "signature_ok": outer.verify(self.headers, body)})
                if isinstance(action, tuple):
                    time.sleep(action[1])
                    action = 200
                self.send_response(action)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, scheme="http", host="127.0.0.1"):
        return f"{scheme}://{host}:{self.port}/hook?x=1"

    def verify(self, headers, body):
        if self.secret is None:
            return None
        parts = dict(p.split("=", 1) for p in headers.get("Waitroom-Signature", "").split(","))
        mac = hmac.new(self.secret.encode(), parts.get("t", "").encode() + b"." + body,
                       hashlib.sha256).hexdigest()
        return hmac.compare_digest(mac, parts.get("v1", "")) and \
            abs(int(parts["t"]) - time.time()) < 60

    def count(self):
        with self.lock:
            return len(self.requests)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def watch(server, url, token=OWNER_TOKEN, room="general", **fields):
    r = server.post(f"/v1/rooms/{room}/watch", {"webhook_url": url, **fields}, token=token)
    assert r.status == 201, r
    return r.data


def deliveries(server, watcher_id, token=OWNER_TOKEN, **query):
    q = "&".join(f"{k}={v}" for k, v in query.items())
    r = server.get(f"/v1/watchers/{watcher_id}/deliveries" + (f"?{q}" if q else ""), token=token)
    assert r.status == 200, r
    return r


class Webhooks(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key, _ = register_agent(cls.server)

    def receiver(self, *script, **kw):
        r = Receiver(script or (200,), **kw)
        self.addCleanup(r.close)
        return r

    def watched(self, receiver, **fields):
        w = watch(self.server, receiver.url(), event_types=["checkin.created"], **fields)
        receiver.secret = w["secret"]
        self.addCleanup(lambda: self.server.delete(f"/v1/watchers/{w['id']}"))
        return w

    def test_500_twice_then_200_is_one_signed_delivery_with_three_attempts(self):
        rec = self.receiver(500, 500, 200)
        w = self.watched(rec)
        ci = new_checkin(self.server, self.key, action="deploy webhook")
        self.assertTrue(wait_until(lambda: rec.count() >= 3, timeout=15), rec.count())
        time.sleep(1.5)
        self.assertEqual(rec.count(), 3, "exactly three attempts, the last one delivered")
        reqs = rec.requests
        self.assertTrue(all(r["signature_ok"] for r in reqs), [r["headers"] for r in reqs])
        ids = {r["headers"]["waitroom-delivery"] for r in reqs}
        self.assertEqual(len(ids), 1, "the same delivery id on every retry")
        self.assertRegex(ids.pop(), r"^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        for r in reqs:
            self.assertEqual(r["headers"]["waitroom-event"], "checkin.created")
            self.assertEqual(r["headers"]["content-type"], "application/json")
            self.assertEqual(int(r["headers"]["content-length"]), len(r["body"]))
        body = json.loads(reqs[0]["body"])
        self.assertEqual(body["type"], "checkin.created")
        self.assertEqual(body["stream"], ci["id"])
        self.assertEqual(body["data"]["id"], ci["id"])
        self.assertEqual(set(body), {"seq", "type", "room_id", "org_id", "stream", "version",
                                     "at", "actor", "data"})
        # backoff: about 1 s, then about 5 s (±20%), measured between attempts
        gap1, gap2 = reqs[1]["at"] - reqs[0]["at"], reqs[2]["at"] - reqs[1]["at"]
        self.assertTrue(0.75 <= gap1 <= 2.0, gap1)
        self.assertTrue(3.9 <= gap2 <= 6.5, gap2)
        rows = deliveries(self.server, w["id"]).data
        self.assertEqual([(r["attempt"], r["status"]) for r in rows], [(3, 200), (2, 500), (1, 500)])
        self.assertTrue(all(r["seq"] == body["seq"] and r["event_type"] == "checkin.created"
                            and r["error"] is None and isinstance(r["latency_ms"], int)
                            for r in rows), rows)

    def test_410_and_400_are_not_retried(self):
        for status in (410, 400):
            rec = self.receiver(status, 200)
            w = self.watched(rec)
            new_checkin(self.server, self.key)
            self.assertTrue(wait_until(lambda: rec.count() == 1, timeout=5))
            time.sleep(1.6)  # past the first backoff
            self.assertEqual(rec.count(), 1, status)
            rows = deliveries(self.server, w["id"]).data
            self.assertEqual([(r["attempt"], r["status"]) for r in rows], [(1, status)])

    def test_a_hanging_receiver_times_out_while_the_api_and_other_watchers_go_on(self):
        hung = self.receiver(("hang", 12))
        fine = self.receiver(200)
        wh = self.watched(hung)
        self.watched(fine)
        new_checkin(self.server, self.key)
        self.assertTrue(wait_until(lambda: hung.count() == 1 and fine.count() == 1, timeout=5))
        # while the first receiver hangs: the API answers and the other watcher delivers
        for i in range(10):
            new_checkin(self.server, self.key, action=f"during the hang {i}")
        self.assertTrue(wait_until(lambda: fine.count() == 11, timeout=5), fine.count())
        self.assertEqual(hung.count(), 1, "one delivery at a time per watcher, in order")
        self.assertTrue(wait_until(lambda: deliveries(self.server, wh["id"]).data, timeout=8))
        row = deliveries(self.server, wh["id"]).data[0]
        self.assertIsNone(row["status"])
        self.assertIn("timed out after 5000 ms", row["error"])
        self.assertTrue(4900 <= row["latency_ms"] < 7000, row)

    def test_twenty_failed_deliveries_disable_the_watcher(self):
        rec = self.receiver(400)
        w = self.watched(rec)
        for i in range(22):
            new_checkin(self.server, self.key, action=f"fails {i}")

        def status():
            listed = self.server.get("/v1/rooms/general/watchers").data
            return next(x["status"] for x in listed if x["id"] == w["id"])

        self.assertTrue(wait_until(lambda: status() == "disabled", timeout=15), status())
        time.sleep(0.5)
        self.assertEqual(rec.count(), 20)
        audit = self.server.get(f"/v1/audit?stream={w['id']}").data
        disabled = [e for e in audit if e["type"] == "watcher.disabled"]
        self.assertEqual(len(disabled), 1, audit)
        self.assertEqual(disabled[0]["data"]["consecutive_failures"], 20)
        self.assertEqual(disabled[0]["actor"]["kind"], "system")
        new_checkin(self.server, self.key)
        time.sleep(0.5)
        self.assertEqual(rec.count(), 20, "a disabled watcher delivers nothing")
        self.assertEqual(self.server.post(f"/v1/watchers/{w['id']}/deliveries/x/redeliver").status, 409)

    def test_redeliver_sends_the_same_delivery_again(self):
        rec = self.receiver(200)
        w = self.watched(rec)
        new_checkin(self.server, self.key)
        self.assertTrue(wait_until(lambda: rec.count() == 1, timeout=5))
        first = rec.requests[0]
        did = first["headers"]["waitroom-delivery"]
        r = self.server.post(f"/v1/watchers/{w['id']}/deliveries/{did}/redeliver")
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.data, {"delivery_id": did, "watcher_id": w["id"], "status": "queued"})
        self.assertTrue(wait_until(lambda: rec.count() == 2, timeout=5))
        again = rec.requests[1]
        self.assertEqual(again["headers"]["waitroom-delivery"], did)
        self.assertEqual(again["body"], first["body"])
        self.assertTrue(again["signature_ok"])
        # the row is written once the receiver's answer is in
        self.assertTrue(wait_until(lambda: len(deliveries(self.server, w["id"]).data) == 2))
        rows = deliveries(self.server, w["id"]).data
        self.assertEqual([(r["delivery_id"], r["attempt"], r["redelivery"]) for r in rows],
                         [(did, 1, True), (did, 1, False)])
        # paging: newest first, one per page
        page1 = deliveries(self.server, w["id"], limit=1)
        self.assertTrue(page1.json["has_more"])
        page2 = deliveries(self.server, w["id"], limit=1, cursor=page1.json["cursor"])
        self.assertEqual([page1.data[0]["redelivery"], page2.data[0]["redelivery"]], [True, False])
        self.assertFalse(page2.json["has_more"])
        # unknown delivery, another watcher's delivery, not the creator, no watcher
        self.assertError(self.server.post(f"/v1/watchers/{w['id']}/deliveries/nope/redeliver"),
                         404, "NOT_FOUND")
        other = self.watched(self.receiver(200))
        self.assertError(self.server.post(f"/v1/watchers/{other['id']}/deliveries/{did}/redeliver"),
                         404, "NOT_FOUND")
        member, _ = create_user(self.server, "member")
        self.assertError(self.server.get(f"/v1/watchers/{w['id']}/deliveries", token=member),
                         403, "FORBIDDEN")
        self.assertError(self.server.post(f"/v1/watchers/{w['id']}/deliveries/{did}/redeliver",
                                          token=member), 403, "FORBIDDEN")
        self.assertError(self.server.get("/v1/watchers/w_nothere00/deliveries"), 404, "NOT_FOUND")


class WebhookRestarts(unittest.TestCase):
    def test_an_event_committed_just_before_kill_9_is_delivered_after_restart(self):
        server = Server().start()
        self.addCleanup(server.cleanup)
        key, _ = register_agent(server)
        # the receiver is down: the delivery keeps failing with connection errors
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        w = watch(server, f"http://127.0.0.1:{port}/hook", event_types=["checkin.created"])
        new_checkin(server, key, action="before")
        just_before = new_checkin(server, key, action="just before the crash")
        server.kill()
        rec = Receiver((200,), port=port)  # the receiver comes back
        self.addCleanup(rec.close)
        rec.secret = w["secret"]
        server.start()
        self.assertTrue(wait_until(lambda: rec.count() >= 2, timeout=40), rec.count())
        actions = [json.loads(r["body"])["data"]["action"] for r in rec.requests]
        self.assertIn("just before the crash", actions)
        self.assertEqual(actions.index("before"), 0, "in seq order")
        self.assertTrue(all(r["signature_ok"] for r in rec.requests))
        self.assertEqual(just_before["action"], "just before the crash")


def make_ca_and_cert(directory):
    """A CA and a certificate for 127.0.0.1 and localhost signed by it (openssl CLI)."""
    def run(*args):
        subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True)
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=waitroom test CA")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost")
    with open(os.path.join(directory, "san.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "leaf.pem", "-days", "2", "-extfile", "san.ext")
    return (os.path.join(directory, "ca.pem"),
            (os.path.join(directory, "leaf.pem"), os.path.join(directory, "leaf.key")))


class WebhookTransport(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="waitroom-tls-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def test_https_is_verified_against_the_system_trust_store(self):
        ca, leaf = make_ca_and_cert(self.dir)
        rec = Receiver((200,), tls=leaf)
        self.addCleanup(rec.close)
        # OpenSSL's default verify paths honour SSL_CERT_FILE: the test CA is "the system's"
        trusted = Server(env={"SSL_CERT_FILE": ca}).start()
        self.addCleanup(trusted.cleanup)
        key, _ = register_agent(trusted)
        w = watch(trusted, rec.url("https"), event_types=["checkin.created"])
        rec.secret = w["secret"]
        new_checkin(trusted, key)
        self.assertTrue(wait_until(lambda: rec.count() == 1, timeout=5))
        self.assertTrue(rec.requests[0]["signature_ok"])
        # the same receiver is refused by a server that does not trust its CA
        untrusted = Server(env={"SSL_CERT_FILE": os.path.join(self.dir, "none.pem")}).start()
        self.addCleanup(untrusted.cleanup)
        key2, _ = register_agent(untrusted)
        w2 = watch(untrusted, rec.url("https"), event_types=["checkin.created"])
        new_checkin(untrusted, key2)
        self.assertTrue(wait_until(lambda: deliveries(untrusted, w2["id"]).data, timeout=5))
        row = deliveries(untrusted, w2["id"]).data[0]
        self.assertIsNone(row["status"])
        self.assertIn("TLS", row["error"])
        self.assertEqual(rec.count(), 1, "nothing reached the receiver")

    def test_deny_private_checks_the_addresses_a_name_resolves_to(self):
        name = socket.gethostname()
        try:
            addresses = {a[4][0] for a in socket.getaddrinfo(name, 80)}
        except OSError:
            self.skipTest(f"{name} does not resolve")
        if not all(ipaddress.ip_address(a.split("%")[0]).is_private for a in addresses):
            self.skipTest(f"{name} resolves to {addresses}, not only private addresses")
        rec = Receiver((200,))
        self.addCleanup(rec.close)
        server = Server(args=["--webhook-deny-private"]).start()
        self.addCleanup(server.cleanup)
        key, _ = register_agent(server)
        # a name that is not an IP literal nor localhost passes creation...
        w = watch(server, rec.url(host=name), event_types=["checkin.created"])
        new_checkin(server, key)
        self.assertTrue(wait_until(lambda: deliveries(server, w["id"]).data, timeout=5))
        # ...and is refused once resolved, for good (no retry)
        time.sleep(1.5)
        rows = deliveries(server, w["id"]).data
        self.assertEqual(len(rows), 1, rows)
        self.assertIn("private", rows[0]["error"])
        self.assertEqual(rec.count(), 0)


if __name__ == "__main__":
    unittest.main()
