"""A full disk: writes answer 503 UNAVAILABLE, nothing is half-written, reads go on,
/readyz says why, and a restart after freeing space recovers every acknowledged write.

Needs a small filesystem of its own: the test mounts a 32 MiB tmpfs (root only).
"""
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import BIN, Server


def _mount_tmpfs(path, size="32m"):
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", path],
                       capture_output=True, text=True)
    return r.returncode == 0, r.stderr.strip()


@unittest.skipUnless(os.geteuid() == 0, "mounting a small tmpfs needs root")
class DiskFull(unittest.TestCase):
    def setUp(self):
        self.mnt = tempfile.mkdtemp(prefix="waitroom-full-")
        ok, why = _mount_tmpfs(self.mnt)
        if not ok:
            os.rmdir(self.mnt)
            self.skipTest(f"cannot mount a tmpfs here: {why}")
        self.server = Server(data_dir=os.path.join(self.mnt, "data"))

    def tearDown(self):
        self.server.stop()
        subprocess.run(["umount", self.mnt], capture_output=True)
        shutil.rmtree(self.mnt, ignore_errors=True)

    def fill(self, leave_kib=300):
        st = os.statvfs(self.mnt)
        free_kib = st.f_bavail * st.f_frsize // 1024
        with open(os.path.join(self.mnt, "junk"), "wb") as f:
            chunk = b"\0" * (1024 * 1024)
            left = (free_kib - leave_kib) * 1024
            while left > 0:
                n = min(left, len(chunk))
                f.write(chunk[:n])
                left -= n

    def test_full_disk_refuses_writes_and_loses_nothing(self):
        s = self.server.start()
        key, _ = s.register_agent("filler")
        self.fill()
        acked, refused = [], None
        for i in range(2000):
            r = s.check_in(key, action=f"deploy {i}", reason="x" * 2000)
            if r.status == 201:
                acked.append(r.data["id"])
                continue
            refused = r
            break
        self.assertIsNotNone(refused, "the disk never filled up")
        self.assertEqual(refused.status, 503, refused)
        self.assertEqual(refused.error["code"], "UNAVAILABLE")
        # the server keeps serving: further writes are refused the same way, reads work
        again = s.check_in(key, action="again")
        self.assertEqual(again.status, 503, again)
        self.assertEqual(s.get("/healthz").status, 200)
        self.assertEqual(s.get(f"/v1/check-ins/{acked[-1]}").status, 200)
        self.assertEqual(s.get("/v1/rooms/general").data["pending_count"], len(acked))
        ready = s.get("/readyz", token=None)
        self.assertEqual(ready.status, 503)
        self.assertIn("refuses writes", ready.json["reason"])
        self.assertEqual(s.stop(), 0)
        os.remove(os.path.join(self.mnt, "junk"))
        s.start()
        self.assertEqual(s.get("/readyz", token=None).status, 200)
        self.assertEqual(s.get("/v1/rooms/general").data["pending_count"], len(acked))
        for cid in acked:
            self.assertEqual(s.get(f"/v1/check-ins/{cid}").status, 200, cid)
        self.assertEqual(s.check_in(key).status, 201)
        s.stop()
        r = subprocess.run([BIN, "audit", "verify", "--data", s.data_dir],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
