"""Real nats-server processes with JetStream for the cluster tests, on free loopback
ports with their stores in temporary directories (Debian's nats-server 2.9)."""
import shutil
import socket
import subprocess
import tempfile

from harness import free_port, wait_until

NATS = shutil.which("nats-server")



class NatsServer:
    def __init__(self):
        assert NATS, "nats-server is not installed (scripts/deps.sh --test)"
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="waitroom-nats-")
        self.proc = None

    @property
    def url(self):
        return f"nats://127.0.0.1:{self.port}"

    def start(self):
        with open(self.dir + "/log", "ab") as log:
            self.proc = subprocess.Popen(
                [NATS, "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd",
                 self.dir + "/js"],
                stdout=subprocess.DEVNULL, stderr=log)
        assert wait_until(self.accepts, timeout=10), "nats-server did not start"
        return self

    def accepts(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                return s.recv(4096).startswith(b"INFO ")
        except OSError:
            return False

    def kill(self):
        self.proc.kill()
        self.proc.wait()

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)
