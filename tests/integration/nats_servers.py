"""Real nats-server processes with JetStream for the cluster tests, on free loopback
ports with their stores in temporary directories (Debian's nats-server 2.9)."""
import shutil
import socket
import subprocess

from harness import LocalServerProcess

NATS = shutil.which("nats-server")


def nats_argv(port, store, extra=()):
    """The command line of one JetStream nats-server on loopback."""
    return [NATS or "nats-server", "-js", "-a", "127.0.0.1", "-p", str(port), "-sd",
            store] + list(extra)


def route_args(index, route_ports):
    """The arguments that make server `index` one of a cluster routed on
    `route_ports`."""
    routes = ",".join(f"nats://127.0.0.1:{p}" for p in route_ports)
    return ["--server_name", f"n{index}", "--cluster_name", "waitroom",
            "--cluster", f"nats://127.0.0.1:{route_ports[index]}", "--routes", routes]


class NatsServer(LocalServerProcess):
    def __init__(self, extra=(), port=None):
        assert NATS, "nats-server is not installed (scripts/deps.sh --test)"
        super().__init__("waitroom-nats-", port)
        self.extra = list(extra)

    @property
    def url(self):
        return f"nats://127.0.0.1:{self.port}"

    def start(self):
        with open(self.dir + "/log", "ab") as log:
            self.proc = subprocess.Popen(nats_argv(self.port, self.dir + "/js", self.extra),
                                         stdout=subprocess.DEVNULL, stderr=log)
        return self.wait_accepting("nats-server")

    def accepts(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                return s.recv(4096).startswith(b"INFO ")
        except OSError:
            return False


class NatsCluster:
    """Three nats-servers clustered by routes on loopback: JetStream replicates every
    stream on all three (RAFT). Each can be killed and started again on its ports and
    store."""

    def __init__(self, size=3, ports=None, route_ports=None):
        from harness import free_port
        ports = ports or [None] * size
        route_ports = route_ports or [free_port() for _ in range(size)]
        self.servers = [NatsServer(route_args(i, route_ports), port=ports[i])
                        for i in range(size)]

    @property
    def urls(self):
        return ",".join(s.url for s in self.servers)

    def start(self):
        for s in self.servers:
            s.start()
        return self

    def cleanup(self):
        for s in self.servers:
            s.cleanup()


def nats_request(url, subject, payload=b"", timeout=5.0):
    """One NATS request/reply over the plain protocol (no client library): the reply's
    payload, or None when none came within `timeout` or the server is not there."""
    host, port = url.removeprefix("nats://").rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=timeout) as s:
            f = s.makefile("rb")
            if not f.readline().startswith(b"INFO "):
                return None
            s.sendall(b'CONNECT {"verbose":false,"pedantic":false,"headers":false}\r\n'
                      b"SUB _INBOX.waitroom-test 1\r\n" +
                      f"PUB {subject} _INBOX.waitroom-test {len(payload)}\r\n".encode() +
                      payload + b"\r\n")
            while True:
                line = f.readline()
                if not line:
                    return None
                if line.startswith(b"PING"):
                    s.sendall(b"PONG\r\n")
                elif line.startswith(b"MSG "):
                    size = int(line.split()[-1])
                    body = f.read(size)
                    f.readline()
                    return body
                elif line.startswith(b"-ERR"):
                    return None
    except OSError:
        return None


def stream_leader(urls, stream="WAITROOM_LOG"):
    """The name (`n0`, `n1`, ...) of the server leading `stream`, asking each server of
    `urls` (comma-separated) in turn; None while it has no leader."""
    import json
    for url in urls.split(","):
        body = nats_request(url, f"$JS.API.STREAM.INFO.{stream}", timeout=2)
        if body is None:
            continue
        info = json.loads(body)
        leader = info.get("cluster", {}).get("leader")
        if "error" not in info and leader:
            return leader
    return None
