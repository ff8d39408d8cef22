"""Server-sent events over real sockets (API.md "Real-time events"): envelopes in seq
order, resume by Last-Event-ID or ?since= with no gap and no duplicate (also while
events commit during the reconnect), access control as for the REST endpoints, a slow
consumer disconnected while others and the writers go on, pings, and SIGTERM."""
import http.client
import json
import socket
import subprocess
import threading
import time
import unittest

from fixtures import create_org, create_user, new_checkin, register_agent
from harness import BIN, OWNER_TOKEN, Server, ServerTest, wait_until

STREAM_TYPES = {
    "checkin.created", "checkin.approved", "checkin.rejected", "checkin.modified",
    "checkin.expired", "checkin.withdrawn", "checkin.claimed", "checkin.released",
    "checkin.message", "checkin.help_requested", "checkin.helper_joined",
    "checkin.submitted", "checkin.approval_recorded", "checkin.extended",
    "checkin.expiring", "signal.broadcast", "room.updated", "room.policy_updated"}


class EventStream:
    """A minimal SSE client: one event per `next()`, comments and `retry:` skipped."""

    def __init__(self, server, path, token=OWNER_TOKEN, headers=None, timeout=10):
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        self.conn.request("GET", path, headers=h)
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.headers = {k.lower(): v for k, v in self.resp.getheaders()}
        self.comments = []
        if self.status != 200:
            self.error = json.loads(self.resp.read())["error"]

    def next(self):
        """The next event as {id, event, data}, or None when the server closed."""
        fields = {}
        while True:
            line = self.resp.fp.readline()
            if not line:
                return None
            line = line.decode("utf-8").rstrip("\n")
            if line == "":
                if "data" in fields:
                    return {"id": int(fields["id"]), "event": fields["event"],
                            "data": json.loads(fields["data"])}
                fields = {}
            elif line.startswith(":"):
                self.comments.append(line)
            else:
                key, _, value = line.partition(":")
                fields[key] = value[1:] if value.startswith(" ") else value

    def until(self, predicate, limit=10000):
        """Events up to and including the first one `predicate` accepts."""
        out = []
        for _ in range(limit):
            e = self.next()
            if e is None:
                raise AssertionError(f"the stream closed after {len(out)} events")
            out.append(e)
            if predicate(e):
                return out
        raise AssertionError("predicate never held")

    def close(self):
        self.conn.close()


def room_seqs_from_audit(server, room, after=0):
    """The seqs a room stream must deliver after `after`, from the audit trail."""
    seqs, cursor = [], None
    while True:
        path = f"/v1/rooms/{room}/audit?limit=500&since_seq={after}"
        if cursor:
            path += "&cursor=" + cursor
        r = server.get(path)
        assert r.status == 200, r
        seqs += [e["seq"] for e in r.data if e["type"] in STREAM_TYPES]
        if not r.json["has_more"]:
            return seqs
        cursor = r.json["cursor"]


class Streams(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key, cls.agent = register_agent(cls.server)

    def test_live_events_are_envelopes_in_seq_order(self):
        s = self.server
        s.create_room("live")
        stream = EventStream(s, "/v1/rooms/live/events")
        self.addCleanup(stream.close)
        self.assertEqual(stream.status, 200)
        self.assertTrue(stream.headers["content-type"].startswith("text/event-stream"))
        self.assertRegex(stream.headers["waitroom-log-id"], r"^log_[a-z0-9]+$")
        c = new_checkin(s, self.key, room="live", action="deploy to production")
        self.assertEqual(s.post(f"/v1/check-ins/{c['id']}/approve", {}).status, 200)
        events = stream.until(lambda e: e["event"] == "checkin.approved")
        ids = [e["id"] for e in events]
        self.assertEqual(ids, sorted(ids))
        self.assertEqual(len(set(ids)), len(ids))
        created = events[0]
        self.assertEqual(created["event"], "checkin.created")
        env = created["data"]
        self.assertEqual(set(env), {"seq", "type", "room_id", "org_id", "stream", "version",
                                    "at", "actor", "data"})
        self.assertEqual(env["seq"], created["id"])
        self.assertEqual(env["type"], "checkin.created")
        self.assertEqual(env["stream"], c["id"])
        self.assertEqual(env["room_id"], c["room_id"])
        self.assertEqual(env["actor"], {"kind": "agent", "id": self.agent})
        self.assertEqual(env["data"]["id"], c["id"])
        self.assertEqual(env["data"]["action"], "deploy to production")
        message = next(e for e in events if e["event"] == "checkin.message")
        self.assertEqual(message["data"]["data"]["check_in_id"], c["id"])
        self.assertEqual(message["data"]["data"]["type"], "status_change")
        approved = events[-1]["data"]
        self.assertEqual(approved["data"]["status"], "approved")
        self.assertEqual(approved["actor"]["kind"], "user")

    def test_resume_has_no_gap_and_no_duplicate_while_events_commit(self):
        s = self.server
        room = s.create_room("resume")
        for i in range(3):
            new_checkin(s, self.key, room="resume", action=f"before {i}")
        first = EventStream(s, "/v1/rooms/resume/events?since=0")
        seen = first.until(lambda e: e["event"] == "checkin.message")
        # leave after the first check-in's two events; write while away and during the
        # reconnect
        first.close()
        stop = threading.Event()

        def writer():
            n = 0
            while not stop.is_set():
                new_checkin(s, self.key, room="resume", action=f"during {n}")
                n += 1

        t = threading.Thread(target=writer)
        t.start()
        time.sleep(0.3)
        again = EventStream(s, "/v1/rooms/resume/events",
                            headers={"Last-Event-ID": str(seen[-1]["id"])})
        self.addCleanup(again.close)
        time.sleep(0.3)
        stop.set()
        t.join()
        final = new_checkin(s, self.key, room="resume", action="the last one")
        rest = again.until(lambda e: e["event"] == "checkin.message"
                           and e["data"]["stream"] == final["id"])
        got = [e["id"] for e in seen + rest]
        want = room_seqs_from_audit(s, room["id"])
        self.assertEqual(got, want[:len(got)])
        self.assertEqual(len(got), len(set(got)), "a duplicate")
        self.assertEqual(got[-1], want[-1])

    def test_since_and_the_all_rooms_stream(self):
        s = self.server
        s.create_room("one")
        s.create_room("two")
        a = new_checkin(s, self.key, room="one")
        b = new_checkin(s, self.key, room="two")
        stream = EventStream(s, "/v1/events?since=0")
        self.addCleanup(stream.close)
        events = stream.until(lambda e: e["data"]["stream"] == b["id"])
        streams = {e["data"]["stream"] for e in events}
        self.assertIn(a["id"], streams)
        self.assertIn(b["id"], streams)
        self.assertNotIn("room.created", {e["event"] for e in events})
        ids = [e["id"] for e in events]
        self.assertEqual(ids, sorted(ids))

    def test_access_is_the_rest_access(self):
        s = self.server
        other = create_org(s)
        locked = s.create_room("locked-stream")
        listed_key, listed = register_agent(s)
        s.put(f"/v1/rooms/locked-stream/members/{listed}", {"role": "agent"})
        viewer, _ = create_user(s, "viewer")
        for path, token, status in (
                ("/v1/rooms/general/events", None, 401),
                ("/v1/rooms/general/events", "wrh_" + "x" * 32, 401),
                (f"/v1/rooms/{locked['id']}/events", other["token"], 404),
                ("/v1/rooms/locked-stream/events", viewer, 404),
                ("/v1/rooms/nowhere/events", OWNER_TOKEN, 404)):
            with self.subTest(path=path, status=status):
                st = EventStream(s, path, token=token)
                self.assertEqual(st.status, status)
                st.close()
        # the query token works on streams only, and the header wins over it
        st = EventStream(s, f"/v1/rooms/general/events?access_token={OWNER_TOKEN}", token=None)
        self.assertEqual(st.status, 200)
        st.close()
        st = EventStream(s, f"/v1/rooms/general/events?access_token={OWNER_TOKEN}",
                         token="wrh_" + "y" * 32)
        self.assertEqual(st.status, 401)
        st.close()
        self.assertEqual(s.get(f"/v1/me?access_token={OWNER_TOKEN}", token=None).status, 401)
        # another organization's all-rooms stream never carries this one's events
        theirs = EventStream(s, "/v1/events?since=0", token=other["token"])
        self.addCleanup(theirs.close)
        mine = new_checkin(s, self.key)
        their_key, _ = register_agent(s, token=other["token"])
        marker = new_checkin(s, their_key)
        events = theirs.until(lambda e: e["data"]["stream"] == marker["id"])
        self.assertNotIn(mine["id"], {e["data"]["stream"] for e in events})
        self.assertEqual({e["data"]["org_id"] for e in events}, {other["org"]["id"]})
        # a viewer's all-rooms stream leaves out the locked room
        vs = EventStream(s, "/v1/events?since=0", token=viewer)
        self.addCleanup(vs.close)
        hidden = new_checkin(s, listed_key, room="locked-stream")
        shown = new_checkin(s, self.key)
        events = vs.until(lambda e: e["data"]["stream"] == shown["id"])
        self.assertNotIn(hidden["id"], {e["data"]["stream"] for e in events})

    def test_a_stream_ends_when_its_credential_is_revoked(self):
        s = self.server
        member, member_id = create_user(s, "member")
        key, agent_id = register_agent(s)
        kept, _ = create_user(s, "member")
        streams = {name: EventStream(s, "/v1/events", token=token)
                   for name, token in (("rotated", member), ("deactivated", key),
                                       ("kept", kept))}
        for st in streams.values():
            self.addCleanup(st.close)
            self.assertEqual(st.status, 200)
        self.assertEqual(s.post(f"/v1/users/{member_id}/rotate-token", {}).status, 200)
        self.assertEqual(s.post(f"/v1/agents/{agent_id}/deactivate", {}).status, 200)
        # the revoked ones end (before any further event); the other one carries on
        self.assertIsNone(streams["rotated"].next())
        self.assertIsNone(streams["deactivated"].next())
        c = new_checkin(s, self.key)
        self.assertEqual(streams["kept"].until(lambda e: e["data"]["stream"] == c["id"])[-1]
                         ["event"], "checkin.created")
        # and the old credential cannot open another
        self.assertEqual(EventStream(s, "/v1/events", token=member).status, 401)

    def test_bad_resume_positions_are_400(self):
        for headers, path, field in (({"Last-Event-ID": "abc"}, "", "Last-Event-ID"),
                                     ({}, "?since=-1", "since"), ({}, "?since=x", "since")):
            st = EventStream(self.server, "/v1/rooms/general/events" + path, headers=headers)
            self.assertEqual(st.status, 400)
            self.assertEqual(st.error["code"], "VALIDATION_ERROR")
            self.assertEqual(st.error["details"]["field"], field)
            st.close()


class Tail(ServerTest):
    """`waitroom tail ROOM`: one readable line per event of the SSE stream."""

    def test_tail_prints_one_line_per_event_in_order(self):
        s = self.server
        key, agent = register_agent(s)
        before = new_checkin(s, key, action="deploy before")
        env = {"WAITROOM_URL": f"http://127.0.0.1:{s.port}", "WAITROOM_TOKEN": OWNER_TOKEN,
               "PATH": "/usr/bin:/bin"}
        proc = subprocess.Popen([BIN, "tail", "general", "--since", "0"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(proc.kill)
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        self.assertRegex(lines[0], r"^\d{4}-\d\d-\d\dT[0-9:.]+Z  #\d+  checkin.created  "
                                   + before["id"] + "  pending  deploy before  \\(agent "
                                   + agent + "\\)$")
        self.assertIn("status_change: Created with status pending", lines[1])
        self.assertEqual(s.post(f"/v1/check-ins/{before['id']}/approve", {}).status, 200)
        more = [proc.stdout.readline() for _ in range(3)]
        self.assertIn("checkin.approved", more[0])
        self.assertIn("approved  deploy before", more[0])
        seqs = [int(l.split("#")[1].split()[0]) for l in lines + more]
        self.assertEqual(seqs, sorted(seqs))

    def test_tail_refusals_and_usage(self):
        env = {"WAITROOM_URL": f"http://127.0.0.1:{self.server.port}", "PATH": "/usr/bin:/bin"}
        out = subprocess.run([BIN, "tail", "general"], env={**env, "WAITROOM_TOKEN": "wrh_" + "z" * 32},
                             capture_output=True, text=True, timeout=10)
        self.assertEqual(out.returncode, 1)
        self.assertIn("401", out.stderr)
        out = subprocess.run([BIN, "tail", "nowhere"], env={**env, "WAITROOM_TOKEN": OWNER_TOKEN},
                             capture_output=True, text=True, timeout=10)
        self.assertEqual(out.returncode, 1)
        self.assertIn("404", out.stderr)
        out = subprocess.run([BIN, "tail", "general", "--server", "ftp://x"],
                             env={**env, "WAITROOM_TOKEN": OWNER_TOKEN},
                             capture_output=True, text=True, timeout=10)
        self.assertEqual(out.returncode, 2)
        out = subprocess.run([BIN, "tail"], env=env, capture_output=True, text=True, timeout=10)
        self.assertEqual(out.returncode, 2)


class SlowConsumers(unittest.TestCase):
    def test_a_slow_consumer_is_dropped_while_others_and_writes_go_on(self):
        server = Server(args=["--stream-buffer-kib", "64", "--stream-ping-seconds", "0.2"])
        server.start()
        self.addCleanup(server.cleanup)
        key, _ = register_agent(server)
        # a client that reads nothing, with a tiny receive buffer
        slow = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.connect(("127.0.0.1", server.port))
        slow.sendall(f"GET /v1/rooms/general/events HTTP/1.1\r\nHost: x\r\n"
                     f"Authorization: Bearer {OWNER_TOKEN}\r\n\r\n".encode())
        self.addCleanup(slow.close)
        normal = EventStream(server, "/v1/rooms/general/events")
        self.addCleanup(normal.close)
        self.assertTrue(any(c == ": ping" for c in [normal.resp.fp.readline().decode().strip()
                                                     for _ in range(6)]),
                        "an idle stream gets pings")
        big = {"blob": "x" * 2000}
        got = []

        def read_normal():  # reads as fast as it can until the server closes
            while (e := normal.next()) is not None:
                got.append(e)

        threading.Thread(target=read_normal, daemon=True).start()
        ids_wanted = []
        for i in range(150):
            ids_wanted.append(new_checkin(server, key, action=f"burst {i}", metadata=big)["id"])
            if i % 10 == 9:  # the normal consumer reads as it goes (its buffer is 64 KiB too)
                last_id = ids_wanted[-1]
                self.assertTrue(wait_until(lambda: any(
                    e["data"]["stream"] == last_id for e in list(got)), timeout=10))
        last = {"id": ids_wanted[-1]}
        self.assertTrue(wait_until(lambda: any(
            e["event"] == "checkin.message" and e["data"]["stream"] == last["id"]
            for e in list(got)), timeout=30), f"the normal consumer got {len(got)} events")
        # the normal consumer got everything, in order
        ids = [e["id"] for e in got]
        self.assertEqual(ids, sorted(ids))
        self.assertEqual([e["data"]["stream"] for e in got if e["event"] == "checkin.created"],
                         ids_wanted)
        # the slow one was cut off: draining its socket ends in EOF, short of the end
        slow.settimeout(10)
        received = b""
        while True:
            chunk = slow.recv(65536)
            if not chunk:
                break
            received += chunk
        self.assertNotIn(last["id"].encode(), received)
        self.assertIn(b"200 OK", received)

    def test_a_backlog_far_bigger_than_the_buffer_replays_whole_while_writes_go_on(self):
        # 64 KiB per stream; ~2.7 MB missed and ~1 MB more committed during the replay
        # (more than the hub holds for a replaying stream, so it reads those from the log)
        server = Server(args=["--stream-buffer-kib", "64"])
        server.start()
        self.addCleanup(server.cleanup)
        blob = {"blob": "y" * 9000}

        def post(i):
            r = server.post("/v1/rooms/general/signal", {"type": "bulk", "payload": {"i": i, **blob}})
            self.assertEqual(r.status, 202, r)

        for i in range(300):
            post(i)
        stream = EventStream(server, "/v1/rooms/general/events?since=0", timeout=30)
        self.addCleanup(stream.close)
        self.assertEqual(stream.status, 200)
        writer = threading.Thread(target=lambda: [post(300 + i) for i in range(110)])
        writer.start()
        writer.join()  # while the stream, not read yet, waits in its replay
        got = stream.until(lambda e: e["event"] == "signal.broadcast"
                           and e["data"]["data"]["payload"]["i"] == 409)
        self.assertEqual([e["id"] for e in got], room_seqs_from_audit(server, "general"))
        self.assertEqual([e["data"]["data"]["payload"]["i"] for e in got
                          if e["event"] == "signal.broadcast"], list(range(410)))

    def test_sigterm_ends_open_streams(self):
        server = Server()
        server.start()
        self.addCleanup(server.cleanup)
        stream = EventStream(server, "/v1/events")
        self.addCleanup(stream.close)
        self.assertEqual(stream.status, 200)
        t0 = time.monotonic()
        server.stop()
        self.assertIsNone(stream.next())
        self.assertLess(time.monotonic() - t0, 10)


if __name__ == "__main__":
    unittest.main()
