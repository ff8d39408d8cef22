"""The cluster test bed (CLUSTER.md, docs/cluster.md): three clustered nats-servers,
`waitroom cluster init`, and N `waitroom serve --nats` nodes on loopback. The cluster
tests use it in-process; `scripts/cluster.sh up|down` runs the same code from a shell
(`python3 cluster_bed.py up|down`), leaving the processes running until `down`."""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import BIN, OWNER_TOKEN, Server, free_port, wait_until  # noqa: E402
from nats_servers import NatsCluster, nats_argv, route_args  # noqa: E402


class ClusterNode(Server):
    """One `waitroom serve --nats` node (its `--data` is scratch)."""

    def __init__(self, name, nats_urls, key_file, env=None, args=()):
        super().__init__(env=env, args=args)
        self.name = name
        self.nats_urls = nats_urls
        self.key_file = key_file
        self.exit_code = None

    def start(self, timeout=30, port=0):
        cmd = [BIN, "serve", "--nats", self.nats_urls, "--key-file", self.key_file,
               "--node", self.name, "--listen", f"127.0.0.1:{port}"] + self.args
        return self._start(cmd, timeout)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"


def cluster_init(nats_urls, key_file, replicas=3, token=OWNER_TOKEN, tries=50):
    """`waitroom cluster init`, tried again while JetStream is still electing its meta
    leader (a moment after its servers start)."""
    env = dict(os.environ, WAITROOM_BOOTSTRAP_TOKEN=token)
    for _ in range(tries):
        done = subprocess.run([BIN, "cluster", "init", "--nats", nats_urls, "--key-file",
                               key_file, "--replicas", str(replicas)],
                              env=env, capture_output=True, text=True, timeout=60)
        if done.returncode == 0:
            break
        time.sleep(0.2)
    return done


class ClusterBed:
    """NATS (three servers), an initialized cluster, and `nodes` waitroom nodes."""

    def __init__(self, nodes=3, node_args=(), env=None):
        self.dir = tempfile.mkdtemp(prefix="waitroom-cluster-")
        self.key_file = os.path.join(self.dir, "cluster.key")
        self.nats = NatsCluster()
        self.node_args = list(node_args)
        self.env = env
        self.nodes = [ClusterNode(f"node{i + 1}", None, self.key_file, env=env,
                                  args=self.node_args) for i in range(nodes)]

    def start(self):
        """Starts it all; on a failure stops what started (no stray process) and
        raises."""
        try:
            return self._start()
        except BaseException:
            self.cleanup()
            raise

    def _start(self):
        self.nats.start()
        for n in self.nodes:
            n.nats_urls = self.nats.urls
        done = cluster_init(self.nats.urls, self.key_file)
        assert done.returncode == 0, done.stderr
        for n in self.nodes:
            n.start()
        assert wait_until(lambda: self.writer() is not None, timeout=15), \
            "no node became the writer"
        return self

    def writer(self):
        """The node that says it is the writer (in /readyz), if any."""
        for n in self.nodes:
            if n.proc is None or n.proc.poll() is not None:
                continue
            try:
                r = n.get("/readyz", token=None, timeout=2)
            except OSError:
                continue
            if r.json and r.json.get("role") == "writer":
                return n
        return None

    def replicas(self):
        w = self.writer()
        return [n for n in self.nodes if n is not w and n.proc is not None]

    def cleanup(self):
        for n in self.nodes:
            n.cleanup()
        self.nats.cleanup()


# --- scripts/cluster.sh ---------------------------------------------------------------


def up(state, count, base_port):
    os.makedirs(state, exist_ok=True)
    nats_ports = [base_port + 100 + i for i in range(3)]
    route_ports = [base_port + 200 + i for i in range(3)]
    pids = []
    for i in range(3):
        d = os.path.join(state, f"nats{i}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "log"), "ab") as log:
            p = subprocess.Popen(nats_argv(nats_ports[i], os.path.join(d, "js"),
                                           route_args(i, route_ports)),
                                 stdout=subprocess.DEVNULL, stderr=log,
                                 start_new_session=True)
        pids.append(p.pid)
    urls = ",".join(f"nats://127.0.0.1:{p}" for p in nats_ports)
    key = os.path.join(state, "cluster.key")
    token = os.environ.get("WAITROOM_BOOTSTRAP_TOKEN", OWNER_TOKEN)
    done = cluster_init(urls, key, token=token, tries=100)
    if done.returncode != 0:
        sys.exit("cluster init failed: " + done.stderr)
    node_urls = []
    for i in range(count):
        port = base_port + i
        log = open(os.path.join(state, f"node{i + 1}.log"), "ab")
        # a deposed writer exits 75: the loop starts it again as a replica
        loop = (f'while :; do "{BIN}" serve --nats {urls} --key-file {key} '
                f'--node node{i + 1} --listen 127.0.0.1:{port}; '
                f'[ $? -eq 75 ] || break; done')
        p = subprocess.Popen(["sh", "-c", loop], stdout=log, stderr=log,
                             start_new_session=True)
        pids.append(p.pid)
        node_urls.append(f"http://127.0.0.1:{port}")
    with open(os.path.join(state, "pids"), "w") as f:
        f.write("\n".join(str(p) for p in pids) + "\n")
    import urllib.request
    for u in node_urls:
        def ready(u=u):
            try:
                with urllib.request.urlopen(u + "/healthz", timeout=1):
                    return True
            except OSError:
                return False
        wait_until(ready, timeout=30)
    print("NATS: " + urls)
    print("WAITROOM_URL=" + ",".join(node_urls))
    print("owner token: " + token)


def down(state):
    try:
        with open(os.path.join(state, "pids")) as f:
            pids = [int(x) for x in f.read().split()]
    except FileNotFoundError:
        print("nothing is up")
        return
    for p in pids:
        try:
            os.killpg(p, signal.SIGTERM)
        except ProcessLookupError:
            pass
    time.sleep(1)
    for p in pids:
        try:
            os.killpg(p, signal.SIGKILL)
        except ProcessLookupError:
            pass
    os.remove(os.path.join(state, "pids"))
    print("stopped")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("command", choices=["up", "down"])
    ap.add_argument("nodes", nargs="?", type=int, default=3)
    ap.add_argument("--state", default=os.path.join(tempfile.gettempdir(),
                                                   "waitroom-cluster"))
    ap.add_argument("--base-port", type=int, default=8081)
    a = ap.parse_args()
    if a.command == "up":
        up(a.state, a.nodes, a.base_port)
    else:
        down(a.state)

