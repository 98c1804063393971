"""What the Python test drivers share: start the real pwgend on an
ephemeral loopback port, stop it with SIGTERM, and collect failures.

Used by tests/compat and tests/metrics (each puts tests/pylib on
sys.path). Loopback only; every wait is bounded.
"""
import os
import re
import signal
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("PWGEND_BIN", str(ROOT / "build" / "pwgend"))
TIMEOUT = 10.0


class Checks:
    """Failures so far, printed as they happen."""

    def __init__(self, name):
        self.name = name
        self.failures = []

    def check(self, ok, what):
        if not ok:
            self.failures.append(what)
            print("FAIL: " + what)

    def verdict(self, ok_line):
        """The exit status, after a summary line."""
        if self.failures:
            print("%s: %d failures" % (self.name, len(self.failures)))
            return 1
        print("%s: OK (%s)" % (self.name, ok_line))
        return 0


def start(*flags):
    """pwgend --bind 127.0.0.1 --port 0 --access-log off FLAGS: (process,
    port), read from its start-up line."""
    proc = subprocess.Popen([BIN, "--bind", "127.0.0.1", "--port", "0",
                             "--access-log", "off", *flags],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = proc.stdout.readline().decode()
    m = re.match(r"pwgend listening on http://127\.0\.0\.1:(\d+)$",
                 line.strip())
    if not m:
        proc.kill()
        proc.wait()
        raise RuntimeError("no listening line: %r" % line)
    return proc, int(m.group(1))


def stop(proc):
    """SIGTERM, then its exit status (killed if it outlives TIMEOUT)."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return proc.returncode
