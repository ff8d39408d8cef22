"""Real nats-server processes with JetStream for the cluster tests, on free loopback
ports with their stores in temporary directories (Debian's nats-server 2.9)."""
import shutil
import socket
import subprocess

from harness import LocalServerProcess

NATS = shutil.which("nats-server")


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
            self.proc = subprocess.Popen(
                [NATS, "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd",
                 self.dir + "/js"] + self.extra,
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
        routes = ",".join(f"nats://127.0.0.1:{p}" for p in route_ports)
        self.servers = [
            NatsServer(["--server_name", f"n{i}", "--cluster_name", "waitroom",
                        "--cluster", f"nats://127.0.0.1:{route_ports[i]}",
                        "--routes", routes], port=ports[i])
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
