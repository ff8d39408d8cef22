"""--redis-url against a real redis-server started here on a free loopback port: every
room event PUBLISHed to room:{room_id}:events in seq order, and a Redis restart
mid-stream that neither blocks nor fails API writes."""
import json
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from fixtures import new_checkin, register_agent
from harness import BIN, LocalServerProcess, Server, free_port, wait_until

REDIS = shutil.which("redis-server")



class RedisServer(LocalServerProcess):
    def __init__(self, port):
        super().__init__("waitroom-redis-", port)

    def start(self):
        self.proc = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return self.wait_accepting("redis-server")

    def accepts(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"*1\r\n$4\r\nPING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False


class Subscriber:
    """SUBSCRIBE over RESP, enough of it to read published messages."""

    def __init__(self, port, channel):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.file = self.sock.makefile("rb")
        c = channel.encode()
        self.sock.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$%d\r\n%s\r\n" % (len(c), c))
        kind, _, _ = self.read_push()
        assert kind == "subscribe", kind

    def read_value(self):
        line = self.file.readline()
        if not line:
            raise EOFError
        t, rest = line[:1], line[1:-2]
        if t == b"*":
            return [self.read_value() for _ in range(int(rest))]
        if t == b"$":
            data = self.file.read(int(rest) + 2)[:-2]
            return data.decode()
        if t == b":":
            return int(rest)
        return rest.decode()

    def read_push(self):
        return tuple(self.read_value())

    def next_envelope(self):
        kind, _, payload = self.read_push()
        assert kind == "message", kind
        return json.loads(payload)

    def close(self):
        self.sock.close()


class Redis(unittest.TestCase):
    def setUp(self):
        self.assertIsNotNone(REDIS, "redis-server is not on PATH: run make deps-test")
        self.redis = RedisServer(free_port()).start()
        self.addCleanup(self.redis.cleanup)
        self.server = Server(args=["--redis-url", f"redis://127.0.0.1:{self.redis.port}"])
        self.server.start()
        self.addCleanup(self.server.cleanup)
        self.key, _ = register_agent(self.server)
        self.room = self.server.get("/v1/rooms/general").data["id"]

    def subscribe(self):
        sub = Subscriber(self.redis.port, f"room:{self.room}:events")
        self.addCleanup(sub.close)
        return sub

    def test_every_room_event_is_published_in_seq_order(self):
        sub = self.subscribe()
        c = new_checkin(self.server, self.key, action="deploy via redis")
        self.assertEqual(self.server.post(f"/v1/check-ins/{c['id']}/approve", {}).status, 200)
        got = [sub.next_envelope() for _ in range(5)]
        self.assertEqual([e["type"] for e in got],
                         ["checkin.created", "checkin.message", "checkin.approved",
                          "checkin.message", "checkin.message"])
        seqs = [e["seq"] for e in got]
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(got[0]["data"]["action"], "deploy via redis")
        self.assertEqual(got[0]["room_id"], self.room)
        self.assertEqual(got[2]["data"]["status"], "approved")

    def test_a_redis_restart_neither_blocks_nor_fails_writes(self):
        sub = self.subscribe()
        new_checkin(self.server, self.key, action="before")
        self.assertEqual(sub.next_envelope()["data"]["action"], "before")
        sub.close()
        self.redis.kill()
        t0 = time.monotonic()
        for i in range(20):
            new_checkin(self.server, self.key, action=f"while redis is down {i}")
        self.assertLess(time.monotonic() - t0, 10)
        self.redis.start()
        sub = self.subscribe()

        def arrives():
            new_checkin(self.server, self.key, action="after")
            try:
                sub.sock.settimeout(1)
                while True:
                    e = sub.next_envelope()
                    if e["type"] == "checkin.created" and e["data"]["action"] == "after":
                        return True
            except (socket.timeout, TimeoutError):
                return False

        self.assertTrue(wait_until(arrives, timeout=20), "publishing did not resume")
        metrics = self.server.get("/metrics", token=None).raw
        dropped = [l for l in metrics.splitlines()
                   if l.startswith("waitroom_redis_dropped_total ")]
        self.assertTrue(dropped and int(dropped[0].split()[1]) > 0, metrics[-400:])

    def test_a_malformed_redis_url_stops_the_start(self):
        data = tempfile.mkdtemp(prefix="waitroom-redis-url-")
        self.addCleanup(shutil.rmtree, data, True)
        out = subprocess.run([BIN, "serve", "--data", data, "--listen",
                              "127.0.0.1:0", "--redis-url", "http://localhost:6379"],
                             capture_output=True, text=True, timeout=20)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("--redis-url", out.stderr)


if __name__ == "__main__":
    unittest.main()
