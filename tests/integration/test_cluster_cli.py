"""The cluster's operator commands against a real nats-server (CLUSTER.md): `waitroom
cluster init` (the stream, the key file, the first organization; a second run changes
nothing), and `audit verify`, `audit export` and `replay` reading the cluster's log with
`--nats` exactly as they read a data directory with `--data`."""
import json
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

from harness import BIN
from nats_servers import NatsServer

TOKEN = "wrh_" + "C" * 32


def run(*args, env=None):
    e = dict(os.environ)
    e.pop("WAITROOM_BOOTSTRAP_TOKEN", None)
    e.update(env or {})
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=60, env=e)


class ClusterCommands(unittest.TestCase):
    def setUp(self):
        self.nats = NatsServer().start()
        self.addCleanup(self.nats.cleanup)
        self.tmp = tempfile.mkdtemp(prefix="waitroom-cluster-cli-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.key = os.path.join(self.tmp, "secrets.key")

    def read_key(self):
        with open(self.key) as f:
            return f.read()

    def init(self, *extra, env=None):
        return run("cluster", "init", "--nats", self.nats.url, "--key-file", self.key,
                   "--replicas", "1", *extra, env=env)

    def test_init_creates_the_log_the_key_and_the_first_organization_once(self):
        first = self.init()
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertIn("owner token (shown once): wrh_", first.stdout)
        self.assertIn("writer lease", first.stdout)
        self.assertEqual(stat.S_IMODE(os.stat(self.key).st_mode), 0o600)
        key = self.read_key()
        again = self.init()
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("initialized already", again.stdout)
        self.assertIn("nothing changed", again.stdout)
        self.assertNotIn("wrh_", again.stdout)
        self.assertEqual(self.read_key(), key, "the key is never replaced")
        exported = run("audit", "export", "--nats", self.nats.url)
        self.assertEqual(exported.returncode, 0, exported.stderr)
        types = [json.loads(line)["type"] for line in exported.stdout.splitlines()]
        self.assertEqual(types, ["org.created", "user.created", "room.created"])

    def test_init_takes_the_owner_token_from_the_environment(self):
        bad = self.init(env={"WAITROOM_BOOTSTRAP_TOKEN": "short"})
        self.assertEqual(bad.returncode, 2)
        self.assertFalse(os.path.exists(self.key), "a refused init writes nothing")
        ok = self.init(env={"WAITROOM_BOOTSTRAP_TOKEN": TOKEN})
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertNotIn("owner token", ok.stdout)

    def test_verify_export_and_replay_read_the_cluster_log(self):
        self.assertEqual(self.init().returncode, 0)
        verified = run("audit", "verify", "--nats", self.nats.url)
        self.assertEqual(verified.returncode, 0, verified.stderr)
        report = json.loads(verified.stdout)
        self.assertTrue(report["ok"])
        self.assertEqual(report["events"], 3)
        replayed = run("replay", "--nats", self.nats.url, "--room", "general")
        self.assertEqual(replayed.returncode, 0, replayed.stderr)
        self.assertEqual(json.loads(replayed.stdout)["room"]["slug"], "general")
        # the environment names the cluster too
        by_env = run("audit", "verify", env={"WAITROOM_NATS_URL": self.nats.url})
        self.assertEqual(by_env.returncode, 0, by_env.stderr)

    def test_bad_sources_are_refused_clearly(self):
        none = run("audit", "verify")
        self.assertEqual(none.returncode, 2)
        self.assertIn("--data or --nats", none.stderr)
        both = run("audit", "verify", "--data", self.tmp, "--nats", self.nats.url)
        self.assertEqual(both.returncode, 2)
        self.assertIn("excludes", both.stderr)
        empty = run("audit", "verify", "--nats", self.nats.url)
        self.assertEqual(empty.returncode, 1)
        self.assertIn("cluster init", empty.stderr)
        nowhere = run("audit", "verify", "--nats", "nats://127.0.0.1:1")
        self.assertEqual(nowhere.returncode, 1)
        self.assertIn("cannot connect to NATS", nowhere.stderr)
        not_nats = run("cluster", "init", "--nats", "http://127.0.0.1:4222", "--key-file",
                       self.key)
        self.assertEqual(not_nats.returncode, 1)
        self.assertIn("not a nats:// URL", not_nats.stderr)


if __name__ == "__main__":
    unittest.main()
