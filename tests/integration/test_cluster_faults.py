"""A cluster's nodes when something under them fails (CLUSTER.md guarantees 5 and 7;
docs/cluster.md "Failure cases"): a webhook receiver that counts deliveries per event
while the writer is killed, and a nats-server (the stream's leader) killed with SIGKILL
under writes through every node. Real nats-servers and `waitroom serve --nats` nodes on
loopback (cluster_bed.py)."""
import json
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))

from cluster_bed import ClusterBed  # noqa: E402
from harness import wait_until  # noqa: E402
from nats_servers import stream_leader  # noqa: E402
from test_webhooks import Receiver, watch  # noqa: E402


class Load:
    """Check-ins created through `nodes` by one thread per node until `stop()`. Each
    has its own Idempotency-Key, sent again (to the next node) while the answer is 503
    or the connection fails, as a careful client does. `acked` holds (id, time) of each
    201."""

    def __init__(self, key, nodes, prefix="load"):
        self.key, self.nodes, self.prefix = key, nodes, prefix
        self.acked, self.errors = [], []
        self.lock = threading.Lock()
        self.halt = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True)
                        for i in range(len(nodes))]

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def run(self, index):
        i = 0
        while not self.halt.is_set():
            i += 1
            idem = f"{self.prefix}-{index}-{i}"
            for attempt in range(200):
                node = self.nodes[(index + attempt) % len(self.nodes)]
                if node.proc is None:
                    continue
                try:
                    r = node.check_in(self.key, action=idem, timeout=90,
                                      headers={"Idempotency-Key": idem})
                except OSError:
                    time.sleep(0.1)
                    continue
                if r.status == 201:
                    with self.lock:
                        self.acked.append((r.data["id"], time.time()))
                    break
                if r.status != 503:
                    with self.lock:
                        self.errors.append(repr(r))
                    break
                time.sleep(0.1)

    def count(self):
        with self.lock:
            return len(self.acked)

    def acked_after(self, t):
        with self.lock:
            return [at for _, at in self.acked if at > t]

    def stop(self):
        self.halt.set()
        for t in self.threads:
            t.join(120)


class WebhooksAcrossAWriterKill(unittest.TestCase):
    def test_one_node_delivers_each_event_and_a_failover_repeats_at_most_in_flight(self):
        bed = ClusterBed(nodes=3).start()
        self.addCleanup(bed.cleanup)
        rec = Receiver((200,))
        self.addCleanup(rec.close)
        key, _ = bed.nodes[0].register_agent("webhook-failover")
        w = watch(bed.replicas()[0], rec.url(), event_types=["checkin.created"])
        rec.secret = w["secret"]

        def delivered():
            """check-in id -> the Waitroom-Delivery ids of its deliveries"""
            out = {}
            with rec.lock:
                for r in rec.requests:
                    cid = json.loads(r["body"])["data"]["id"]
                    out.setdefault(cid, []).append(r["headers"]["waitroom-delivery"])
            return out

        # Calm: created through every node, each delivered once, by one node only.
        calm = [bed.nodes[i % 3].check_in(key, action=f"calm {i}").data["id"]
                for i in range(12)]
        self.assertTrue(wait_until(lambda: set(calm) <= set(delivered()), timeout=15))
        time.sleep(1.5)  # a second node delivering would show up by now
        got = delivered()
        self.assertEqual({c: len(got[c]) for c in calm}, {c: 1 for c in calm})
        self.assertTrue(all(r["signature_ok"] for r in rec.requests))

        # The writer dies under load.
        writer = bed.writer()
        survivors = [n for n in bed.nodes if n is not writer]
        load = Load(key, survivors, prefix="hook").start()
        self.assertTrue(wait_until(lambda: load.count() >= 10, timeout=20))
        writer.kill()
        self.assertTrue(wait_until(lambda: bed.writer() is not None, timeout=10))
        killed_at = time.time()
        self.assertTrue(wait_until(lambda: len(load.acked_after(killed_at)) >= 10,
                                   timeout=20))
        load.stop()
        self.assertEqual(load.errors, [])
        acked = [cid for cid, _ in load.acked]
        self.assertTrue(wait_until(lambda: set(acked) <= set(delivered()), timeout=30),
                        set(acked) - set(delivered()))
        time.sleep(1.0)
        got = delivered()
        # At least once; a repeat is the same delivery (same id), made again by the new
        # writer from the cursor: only the few in flight when the writer died.
        repeats = {c: ids for c, ids in got.items() if len(ids) > 1}
        for c, ids in repeats.items():
            self.assertEqual(len(set(ids)), 1, (c, ids))
        self.assertLessEqual(sum(len(ids) - 1 for ids in repeats.values()), 10, repeats)
        self.assertEqual(len({i for ids in got.values() for i in ids}), len(got))
        self.assertTrue(all(r["signature_ok"] for r in rec.requests))


class ANatsServerDies(unittest.TestCase):
    def test_killing_the_streams_leader_loses_nothing_and_writes_resume(self):
        bed = ClusterBed(nodes=3).start()
        self.addCleanup(bed.cleanup)
        key, _ = bed.nodes[0].register_agent("nats-kill")
        load = Load(key, bed.nodes, prefix="nats").start()
        self.addCleanup(load.stop)
        self.assertTrue(wait_until(lambda: load.count() >= 15, timeout=20))
        leader = stream_leader(bed.nats.urls)
        self.assertIsNotNone(leader)
        victim = bed.nats.servers[int(leader.removeprefix("n"))]
        victim.kill()
        killed_at = time.time()
        rest = ",".join(s.url for s in bed.nats.servers if s is not victim)

        def recovered():
            return all(stream_leader(rest, s) not in (None, leader)
                       for s in ("WAITROOM_LOG", "KV_WAITROOM_LEASE"))
        self.assertTrue(wait_until(recovered, timeout=60, interval=0.1))
        recovered_at = time.time()
        # writes go on within 5 s of JetStream's own recovery (a new leader)
        self.assertTrue(wait_until(lambda: load.acked_after(recovered_at), timeout=5,
                                   interval=0.05),
                        f"no write acknowledged within 5 s of JetStream's recovery "
                        f"({recovered_at - killed_at:.1f} s after the kill)")
        victim.start()
        again = load.count()
        self.assertTrue(wait_until(lambda: load.count() >= again + 10, timeout=30))
        load.stop()
        self.assertEqual(load.errors, [])
        # every acknowledged write, on every node
        for n in bed.nodes:
            if n.proc is None or n.proc.poll() is not None:
                n.start()  # a writer deposed by the election exits 75 (its supervisor's job)
        for n in bed.nodes:
            self.assertTrue(wait_until(
                lambda n=n: n.get("/readyz", token=None, timeout=2).status == 200,
                timeout=15), n.name)
            for cid, _ in load.acked:
                self.assertEqual(n.get(f"/v1/check-ins/{cid}").status, 200, (n.name, cid))


if __name__ == "__main__":
    unittest.main()
