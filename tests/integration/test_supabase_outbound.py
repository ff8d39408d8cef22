"""--supabase-url/--supabase-key (API.md "Supabase Realtime", outbound) against a
broadcast receiver started here on a loopback port: the headers, topic, event names
and payloads (the SSE envelopes), batches of at most 100 in log order while the
receiver is slow, a receiver that answers
503 for a while (nothing lost), a 400 (dropped and counted), and no flag (nothing sent)."""
import http.server
import json
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from fixtures import new_checkin, register_agent
from harness import BIN, Server, wait_until
from test_streams import EventStream


class Receiver:
    """Records each POST (path, headers, body) and answers `status_for(n)` (n from 0)."""

    def __init__(self, status_for=lambda n: 200, delay_for=lambda n: 0):
        self.posts = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with outer.lock:
                    n = len(outer.posts)
                    outer.posts.append({"path": self.path, "headers": dict(self.headers),
                                        "body": json.loads(body)})
                time.sleep(delay_for(n))
                status = status_for(n)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def messages(self, accepted_only=True, status_for=None):
        with self.lock:
            posts = list(self.posts)
        out = []
        for i, p in enumerate(posts):
            if accepted_only and status_for and status_for(i) != 200:
                continue
            out.extend(p["body"]["messages"])
        return out

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def metric(server, name):
    for line in server.get("/metrics", token=None).raw.splitlines():
        if line.startswith(name + " "):
            return int(line.split()[1])
    return None


class SupabaseOutbound(unittest.TestCase):
    def start(self, status_for=lambda n: 200, extra=None, delay_for=lambda n: 0):
        self.receiver = Receiver(status_for, delay_for)
        self.addCleanup(self.receiver.close)
        self.server = Server(args=["--supabase-url", self.receiver.url + "/",
                                   "--supabase-key", "sb-secret-key"] + (extra or []))
        self.server.start()
        self.addCleanup(self.server.cleanup)
        self.key, _ = register_agent(self.server)
        self.room = self.server.get("/v1/rooms/general").data["id"]

    def test_room_events_are_broadcast_as_the_sse_envelopes_in_log_order(self):
        self.start()
        sse = EventStream(self.server, f"/v1/rooms/{self.room}/events?since=0")
        self.addCleanup(sse.close)
        ids = [new_checkin(self.server, self.key, action=f"deploy {i}")["id"] for i in range(3)]
        for i in ids:
            self.assertEqual(self.server.post(f"/v1/check-ins/{i}/approve", {}).status, 200)
        self.server.post("/v1/rooms/general/signal", {"type": "deploy.done"})
        streamed = sse.until(lambda e: e["event"] == "signal.broadcast")
        self.assertTrue(wait_until(lambda: len(self.receiver.messages()) >= len(streamed),
                                   timeout=10), self.receiver.posts)
        post = self.receiver.posts[0]
        self.assertEqual(post["path"], "/realtime/v1/api/broadcast")
        self.assertEqual(post["headers"]["apikey"], "sb-secret-key")
        self.assertEqual(post["headers"]["Authorization"], "Bearer sb-secret-key")
        self.assertEqual(post["headers"]["Content-Type"], "application/json")
        got = self.receiver.messages()
        # only room events, each once, in the log's order: exactly what SSE streamed
        self.assertEqual([m["payload"] for m in got], [e["data"] for e in streamed])
        for m in got:
            self.assertEqual(set(m), {"topic", "event", "payload", "private"})
            self.assertEqual(m["topic"], f"room:{self.room}:events")
            self.assertEqual(m["event"], m["payload"]["type"])
            self.assertIs(m["private"], False)
        # counted once the receiver's answer is in, which may be just after it recorded
        self.assertTrue(wait_until(
            lambda: metric(self.server, "waitroom_supabase_published_total") == len(got),
            timeout=10), metric(self.server, "waitroom_supabase_published_total"))
        self.assertEqual(metric(self.server, "waitroom_supabase_dropped_total"), 0)

    def test_events_that_pile_up_go_in_batches_of_at_most_100_in_order(self):
        # the first POST is answered after 1.5 s: what commits meanwhile waits, batched
        self.start(delay_for=lambda n: 1.5 if n == 0 else 0)
        for i in range(80):
            new_checkin(self.server, self.key, action=f"batch {i}")
        want = 160  # eighty check-ins: created + its status message each
        self.assertTrue(wait_until(lambda: len(self.receiver.messages()) >= want, timeout=20),
                        len(self.receiver.messages()))
        sizes = [len(p["body"]["messages"]) for p in self.receiver.posts]
        self.assertLessEqual(max(sizes), 100, sizes)
        self.assertGreater(max(sizes), 1, sizes)
        self.assertLess(len(sizes), want, "batched, not one POST per event")
        seqs = [m["payload"]["seq"] for m in self.receiver.messages()]
        self.assertEqual(seqs, sorted(set(seqs)), "in log order across batches, no duplicate")
        actions = [m["payload"]["data"]["action"] for m in self.receiver.messages()
                   if m["event"] == "checkin.created"]
        self.assertEqual(actions, [f"batch {i}" for i in range(80)])

    def test_a_receiver_answering_503_for_a_while_loses_nothing(self):
        unavailable = lambda n: 503 if n < 3 else 200
        self.start(unavailable)
        for i in range(5):
            new_checkin(self.server, self.key, action=f"during the outage {i}")
        want = 10  # five check-ins: created + its status message each
        self.assertTrue(wait_until(lambda: len(self.receiver.messages(True, unavailable)) >= want,
                                   timeout=20), self.receiver.posts)
        got = self.receiver.messages(True, unavailable)
        seqs = [m["payload"]["seq"] for m in got]
        self.assertEqual(seqs, sorted(set(seqs)), "in order, no duplicate")
        actions = [m["payload"]["data"]["action"] for m in got
                   if m["event"] == "checkin.created"]
        self.assertEqual(actions, [f"during the outage {i}" for i in range(5)])
        self.assertGreaterEqual(metric(self.server, "waitroom_supabase_retries_total"), 3)
        self.assertEqual(metric(self.server, "waitroom_supabase_dropped_total"), 0)

    def test_a_4xx_is_dropped_and_counted_and_the_api_goes_on(self):
        self.start(lambda n: 400)
        for i in range(3):
            new_checkin(self.server, self.key, action=f"refused {i}")
        self.assertTrue(wait_until(
            lambda: (metric(self.server, "waitroom_supabase_dropped_total") or 0) >= 6,
            timeout=10))
        self.assertEqual(metric(self.server, "waitroom_supabase_published_total"), 0)
        self.assertEqual(metric(self.server, "waitroom_supabase_retries_total"), 0)
        self.assertEqual(self.server.get("/readyz", token=None).status, 200)

    def test_without_the_flags_nothing_is_sent(self):
        receiver = Receiver()
        self.addCleanup(receiver.close)
        server = Server()
        server.start()
        self.addCleanup(server.cleanup)
        key, _ = register_agent(server)
        c = new_checkin(server, key)
        server.post(f"/v1/check-ins/{c['id']}/approve", {})
        self.assertFalse(wait_until(lambda: receiver.posts, timeout=1))
        self.assertIsNone(metric(server, "waitroom_supabase_published_total"))

    def test_flags_that_do_not_go_together_stop_the_start(self):
        data = tempfile.mkdtemp(prefix="waitroom-supabase-")
        self.addCleanup(shutil.rmtree, data, True)
        for args in (["--supabase-url", "http://127.0.0.1:9"],
                     ["--supabase-key", "k"],
                     ["--supabase-url", "ftp://example.com", "--supabase-key", "k"]):
            out = subprocess.run([BIN, "serve", "--data", data, "--listen", "127.0.0.1:0"]
                                 + args, capture_output=True, text=True, timeout=20)
            self.assertNotEqual(out.returncode, 0, args)
            self.assertIn("--supabase-url", out.stderr, args)


if __name__ == "__main__":
    unittest.main()
