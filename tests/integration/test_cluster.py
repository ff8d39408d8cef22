"""A cluster of waitroom nodes on NATS JetStream, through HTTP only (CLUSTER.md's
guarantees; docs/cluster.md). Real nats-servers (three, clustered by routes) and real
`waitroom serve --nats` processes on loopback, from cluster_bed.py (the code behind
scripts/cluster.sh)."""
import http.client
import json
import os
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))

from cluster_bed import ClusterBed  # noqa: E402
from harness import BIN, OWNER_TOKEN, wait_until  # noqa: E402


def sse_ids(node, path, count, headers=None, timeout=10):
    """The first `count` event ids (seqs) of an SSE stream on `node`."""
    conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=timeout)
    h = {"Authorization": f"Bearer {OWNER_TOKEN}", "Accept": "text/event-stream"}
    h.update(headers or {})
    conn.request("GET", path, headers=h)
    r = conn.getresponse()
    assert r.status == 200, (r.status, r.read())
    ids = []
    while len(ids) < count:
        line = r.fp.readline().decode()
        if not line:
            break
        if line.startswith("id:"):
            ids.append(int(line[3:].strip()))
    conn.close()
    return ids, dict(r.getheaders())


class Cluster(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.bed = ClusterBed(nodes=3).start()
        cls.key, cls.agent = cls.bed.nodes[0].register_agent("cluster-agent")

    @classmethod
    def tearDownClass(cls):
        cls.bed.cleanup()

    def live(self):
        return [n for n in self.bed.nodes if n.proc is not None]

    def test_readyz_and_cluster_name_every_node_and_one_writer(self):
        roles = {}
        for n in self.live():
            r = n.get("/readyz", token=None)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["node"], n.name)
            roles[n.name] = r.json["role"]
        self.assertEqual(sorted(roles.values()), ["replica", "replica", "writer"])
        writer = [name for name, role in roles.items() if role == "writer"][0]
        for n in self.live():
            c = n.get("/v1/cluster").data
            self.assertEqual(c["writer"], writer)
            self.assertEqual(sorted(x["name"] for x in c["nodes"]),
                             ["node1", "node2", "node3"])
            for x in c["nodes"]:
                self.assertEqual(set(x), {"name", "url", "role", "applied_seq", "last_seen"})
                self.assertTrue(x["url"].startswith("http://127.0.0.1:"))
            self.assertGreaterEqual(c["head_seq"], 1)
        # admin+ only
        self.assertEqual(self.bed.nodes[0].get("/v1/cluster", token=self.key).status, 403)
        m = self.bed.replicas()[0].get("/metrics", token=None).raw
        self.assertIn('waitroom_cluster_role{node="', m)
        self.assertIn("waitroom_cluster_lag_events", m)

    def test_the_same_request_is_answered_identically_by_every_node(self):
        c = self.bed.nodes[1].check_in(self.key, action="same everywhere").data
        bodies, lists = set(), set()
        for n in self.live():
            r = n.get(f"/v1/check-ins/{c['id']}")
            self.assertEqual(r.status, 200, r)
            bodies.add(r.raw)
            lst = n.get("/v1/check-ins?room=general&status=pending")
            self.assertEqual(lst.status, 200, lst)
            lists.add(lst.raw)
        self.assertEqual(len(bodies), 1, bodies)
        self.assertEqual(len(lists), 1)
        # errors too, in the contract's format
        for n in self.live():
            r = n.post("/v1/rooms/general/check-in", {"action": ""}, token=self.key)
            self.assertEqual(r.status, 400, r)
            self.assertEqual(r.json["error"]["code"], "VALIDATION_ERROR")

    def test_read_your_writes_from_any_node_to_any_other(self):
        nodes = self.live()
        for i in range(30):
            a, b = nodes[i % 3], nodes[(i + 1) % 3]
            r = a.check_in(self.key, action=f"ryw {i}")
            self.assertEqual(r.status, 201, r)
            got = b.get(f"/v1/check-ins/{r.data['id']}")
            self.assertEqual(got.status, 200, (i, got))
            d = b.post(f"/v1/check-ins/{r.data['id']}/approve", {})
            self.assertEqual(d.status, 200, d)
            c = nodes[(i + 2) % 3]
            self.assertEqual(c.get(f"/v1/check-ins/{r.data['id']}").data["status"],
                             "approved")

    def test_a_long_poll_on_one_node_is_woken_by_a_decision_on_another(self):
        waiter, decider = self.bed.replicas()[0], self.bed.writer()
        c = decider.check_in(self.key, action="wake me").data
        out = {}

        def poll():
            t0 = time.time()
            out["r"] = waiter.get(f"/v1/check-ins/{c['id']}/status?wait_ms=20000",
                                  token=self.key)
            out["took"] = time.time() - t0

        t = threading.Thread(target=poll)
        t.start()
        time.sleep(0.5)
        other = self.bed.replicas()[1]
        self.assertEqual(other.post(f"/v1/check-ins/{c['id']}/approve", {}).status, 200)
        t.join(15)
        self.assertEqual(out["r"].data["status"], "approved", out)
        self.assertLess(out["took"], 5)

    def test_an_sse_stream_resumes_on_another_node_with_no_gap_and_no_duplicate(self):
        a, b, c = self.live()
        for i in range(6):
            a.check_in(self.key, action=f"stream {i}")
        first, head_a = sse_ids(a, "/v1/rooms/general/events?since=0", 4)
        self.assertEqual(len(first), 4)
        # more events while disconnected
        for i in range(3):
            b.check_in(self.key, action=f"while away {i}")
        total = c.get("/v1/audit?room=general&limit=500").data
        room_seqs = [e["seq"] for e in total]
        want = [s for s in room_seqs if s > first[-1]]
        rest, head_b = sse_ids(b, "/v1/rooms/general/events", len(want),
                               headers={"Last-Event-ID": str(first[-1])})
        self.assertEqual(rest, want)
        self.assertEqual(head_a.get("Waitroom-Log-Id"), head_b.get("Waitroom-Log-Id"))

    def test_audit_verify_on_the_cluster_log(self):
        r = subprocess.run([BIN, "audit", "verify", "--nats", self.bed.nats.urls],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


class Failover(unittest.TestCase):
    """`kill -9` of the writer: another node takes over within 5 s, nothing
    acknowledged is lost, a deadline that fell due meanwhile fires once."""

    def test_killing_the_writer_loses_nothing_and_writes_resume_within_5_s(self):
        bed = ClusterBed(nodes=3).start()
        try:
            key, _ = bed.nodes[0].register_agent("failover")
            writer = bed.writer()
            survivors = [n for n in bed.nodes if n is not writer]
            due = survivors[0].check_in(key, action="falls due in the gap",
                                        timeout_ms=1500).data
            acked, stop = [], threading.Event()
            errors = []

            def load(node):
                i = 0
                while not stop.is_set():
                    i += 1
                    try:
                        r = node.check_in(key, action=f"{node.name} {i}",
                                          headers={"Idempotency-Key": f"{node.name}-{i}"})
                    except OSError as e:
                        errors.append(str(e))
                        continue
                    if r.status == 201:
                        acked.append(r.data["id"])
                    elif r.status != 503:
                        errors.append(repr(r))

            threads = [threading.Thread(target=load, args=(n,)) for n in survivors]
            for t in threads:
                t.start()
            time.sleep(1.0)
            before = len(acked)
            writer.kill()
            killed_at = time.time()
            self.assertTrue(wait_until(lambda: bed.writer() is not None, timeout=10))
            took_over = time.time() - killed_at
            self.assertTrue(wait_until(lambda: len(acked) > before + 5, timeout=10))
            time.sleep(1.0)
            stop.set()
            for t in threads:
                t.join(30)
            self.assertEqual(errors, [])
            self.assertLess(took_over, 5.0)
            new_writer = bed.writer()
            for n in survivors:
                for cid in acked[::7] + acked[-5:]:
                    self.assertEqual(n.get(f"/v1/check-ins/{cid}").status, 200, cid)
            self.assertTrue(wait_until(
                lambda: new_writer.get(f"/v1/check-ins/{due['id']}").data["status"] ==
                "expired", timeout=5))
            audit = new_writer.get(f"/v1/audit?type=checkin.expired&limit=500").data
            self.assertEqual(sum(1 for e in audit if e["data"].get("checkin_id", e.get(
                "stream", "")).endswith(due["id"]) or due["id"] in json.dumps(e)), 1)
            # the killed node comes back as a replica and catches up
            writer.start()
            self.assertTrue(wait_until(
                lambda: writer.get("/readyz", token=None).status == 200, timeout=10))
            self.assertEqual(writer.get("/readyz", token=None).json["role"], "replica")
            self.assertEqual(writer.get(f"/v1/check-ins/{acked[-1]}").status, 200)
            r = subprocess.run([BIN, "audit", "verify", "--nats", bed.nats.urls],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        finally:
            bed.cleanup()


class ClientsCarryOn(unittest.TestCase):
    """The CLI gate with every node in WAITROOM_URL keeps its wait when the node it
    talks to dies; scripts/cluster.sh brings a cluster up and down."""

    def test_the_cli_wait_survives_the_death_of_its_node(self):
        bed = ClusterBed(nodes=3).start()
        try:
            key, _ = bed.nodes[0].register_agent("cli-agent")
            first = bed.replicas()[0]  # the node the client talks to first
            others = [n for n in bed.nodes if n is not first]
            url = ",".join(n.url for n in [first] + others)
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "WAITROOM_URL": url,
                   "WAITROOM_API_KEY": key}
            p = subprocess.Popen([BIN, "checkin", "--room", "general", "--action",
                                  "gate across a node death", "--wait"],
                                 env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
            pending = wait_until(lambda: [c for c in others[0].get(
                "/v1/check-ins?room=general&status=pending").data
                if c["action"] == "gate across a node death"], timeout=10)
            self.assertTrue(pending)
            time.sleep(0.5)
            first.kill()
            time.sleep(1.0)
            r = others[1].post(f"/v1/check-ins/{pending[0]['id']}/approve", {})
            self.assertEqual(r.status, 200, r)
            out, err = p.communicate(timeout=60)
            self.assertEqual(p.returncode, 0, out + err)
            self.assertIn("approved", out + err)
        finally:
            bed.cleanup()

    def test_cluster_sh_up_and_down(self):
        import tempfile
        from harness import free_port
        state = tempfile.mkdtemp(prefix="waitroom-cluster-sh-")
        base = free_port()
        while any(not _port_free(base + d) for d in (0, 1, 100, 101, 102, 200, 201, 202)):
            base = free_port()
        script = os.path.join(os.path.dirname(__file__), "../../scripts/cluster.sh")
        env = dict(os.environ, WAITROOM_CLUSTER_STATE=state,
                   WAITROOM_CLUSTER_PORT=str(base), WAITROOM_BIN=BIN)
        try:
            up = subprocess.run(["bash", script, "up", "2"], env=env, capture_output=True,
                                text=True, timeout=120)
            self.assertEqual(up.returncode, 0, up.stdout + up.stderr)
            self.assertIn(f"WAITROOM_URL=http://127.0.0.1:{base},http://127.0.0.1:{base + 1}",
                          up.stdout)

            def ready(port):
                try:
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    c.request("GET", "/readyz")
                    return c.getresponse().status == 200
                except OSError:
                    return False
            self.assertTrue(wait_until(lambda: ready(base) and ready(base + 1), timeout=15))
        finally:
            down = subprocess.run(["bash", script, "down"], env=env, capture_output=True,
                                  text=True, timeout=60)
        self.assertEqual(down.returncode, 0, down.stdout + down.stderr)
        self.assertTrue(wait_until(lambda: _port_free(base), timeout=5))


def _port_free(port):
    import socket
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is free
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


if __name__ == "__main__":
    unittest.main()
