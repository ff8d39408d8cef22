"""Real nats-server processes with JetStream for the cluster tests, on free loopback
ports with their stores in temporary directories (Debian's nats-server 2.9)."""
import shutil
import socket
import subprocess

from harness import LocalServerProcess

NATS = shutil.which("nats-server")


class NatsServer(LocalServerProcess):
    def __init__(self):
        assert NATS, "nats-server is not installed (scripts/deps.sh --test)"
        super().__init__("waitroom-nats-")

    @property
    def url(self):
        return f"nats://127.0.0.1:{self.port}"

    def start(self):
        with open(self.dir + "/log", "ab") as log:
            self.proc = subprocess.Popen(
                [NATS, "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd",
                 self.dir + "/js"],
                stdout=subprocess.DEVNULL, stderr=log)
        return self.wait_accepting("nats-server")

    def accepts(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                return s.recv(4096).startswith(b"INFO ")
        except OSError:
            return False
