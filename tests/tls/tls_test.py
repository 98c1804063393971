#!/usr/bin/env python3
"""HTTPS end to end: the real pwgend with throwaway certificates.

Certificates are made at test time by tests/tls/make-certs.sh (a CA and
leaves CN=alpha and CN=beta for 127.0.0.1); nothing secret is committed.
Checks: the handshake with curl and with Python's ssl module (TLS 1.2 and
1.3 offered, 1.1 refused), replies and headers over TLS, plain HTTP on the
TLS port closed at once, the health probe over TLS, start-up refusals
(missing file, key not matching, one of the two flags), and certificate
rotation under load: SIGHUP with new files, zero failed requests, new
connections get the new certificate, open keep-alive connections go on,
and a bad file on reload keeps the good certificate.

Run by `make tls-test` (part of `make test`); PWGEND_BIN is the binary.
Loopback only, every wait bounded.
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("PWGEND_BIN", str(ROOT / "build" / "pwgend"))
TIMEOUT = 10.0
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL: " + what)


class Server:
    def __init__(self, *flags):
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [BIN, "--bind", "127.0.0.1", "--port", "0", *flags],
            stdout=subprocess.PIPE, stderr=self.log)
        line = self.proc.stdout.readline().decode()
        m = re.match(r"pwgend listening on https://127\.0\.0\.1:(\d+)$",
                     line.strip())
        if not m:
            self.stop()
            raise RuntimeError("no https listening line: %r" % line)
        self.port = int(m.group(1))

    def stderr(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def context(ca, version=None):
    ctx = ssl.create_default_context(cafile=ca)
    if version is not None:
        with warnings.catch_warnings():  # TLS 1.1 is deprecated: the point
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = version
            ctx.maximum_version = version
        # let this client offer old versions, so that a refusal is the
        # server's
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    return ctx


def get(port, ctx, target):
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx,
                                    timeout=TIMEOUT)
    try:
        c.request("GET", target)
        r = c.getresponse()
        body = r.read()
        cn = dict(x[0] for x in c.sock.getpeercert()["subject"])
        return r, body, cn["commonName"], c.sock.version()
    finally:
        c.close()


def basics(certs):
    ca = str(certs / "ca.pem")
    srv = Server("--tls-cert", str(certs / "alpha.pem"),
                 "--tls-key", str(certs / "alpha.key"))
    try:
        r, body, cn, version = get(srv.port, context(ca),
                                   "/password?quantity=3")
        doc = json.loads(body)
        check(r.status == 200 and len(doc["items"]) == 3 and cn == "alpha",
              "HTTPS GET: %d, %r, CN %s" % (r.status, body[:80], cn))
        check(r.getheader("Cache-Control") == "no-store",
              "HTTPS reply without Cache-Control: no-store")
        check(version == "TLSv1.3", "default handshake is %s" % version)
        r, _, _, version = get(srv.port, context(ca, ssl.TLSVersion.TLSv1_2),
                               "/pin")
        check(r.status == 200 and version == "TLSv1.2",
              "TLS 1.2: %d %s" % (r.status, version))
        try:
            get(srv.port, context(ca, ssl.TLSVersion.TLSv1_1), "/pin")
            check(False, "a TLS 1.1 handshake succeeded")
        except (ssl.SSLError, OSError):
            pass
        out = subprocess.run(
            ["curl", "-sS", "--max-time", "10", "--cacert", ca,
             "https://127.0.0.1:%d/pin?quantity=4&format=text" % srv.port],
            capture_output=True, timeout=20)
        pins = out.stdout.decode().split()
        check(out.returncode == 0 and len(pins) == 4 and
              all(p.isdigit() and len(p) == 6 for p in pins),
              "curl over TLS: rc %d, %r %r" % (out.returncode, out.stdout,
                                               out.stderr))
        plain_on_tls_port(srv.port)
        probe = subprocess.run(
            [BIN, "--healthcheck", "--port", str(srv.port), "--tls-cert",
             str(certs / "alpha.pem"), "--tls-key", str(certs / "alpha.key")],
            capture_output=True, timeout=20)
        check(probe.returncode == 0,
              "--healthcheck over TLS: exit %d" % probe.returncode)
    finally:
        check(srv.stop() == 0, "TLS server did not exit 0 on SIGTERM")


def plain_on_tls_port(port):
    """Plain HTTP to the TLS port: closed at once, never a hang."""
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    s.sendall(b"GET /livez HTTP/1.1\r\nHost: a\r\n\r\n")
    start = time.monotonic()
    try:
        data = s.recv(4096)
    except OSError:
        data = b""
    took = time.monotonic() - start
    s.close()
    check(not data.startswith(b"HTTP/1.1 200") and took < 2.0,
          "plain HTTP on the TLS port: %r after %.2f s" % (data[:40], took))


def refusals(certs):
    cases = [
        (["--tls-cert", str(certs / "missing.pem"),
          "--tls-key", str(certs / "alpha.key")], 1, "missing.pem"),
        (["--tls-cert", str(certs / "alpha.pem"),
          "--tls-key", str(certs / "beta.key")], 1, "do not go together"),
        (["--tls-cert", str(certs / "alpha.pem")], 2, "--tls-key"),
    ]
    for flags, want, says in cases:
        out = subprocess.run([BIN, "--bind", "127.0.0.1", "--port", "0",
                              *flags], capture_output=True, timeout=20)
        err = out.stderr.decode()
        check(out.returncode == want and says in err and
              b"listening" not in out.stdout,
              "%s: exit %d, %r" % (" ".join(flags), out.returncode, err))


def rotation(certs):
    """SIGHUP with new files while a client loops: no request fails."""
    live = certs / "live"
    live.mkdir()
    shutil.copy(certs / "alpha.pem", live / "cert.pem")
    shutil.copy(certs / "alpha.key", live / "key.pem")
    ca = context(str(certs / "ca.pem"))
    srv = Server("--tls-cert", str(live / "cert.pem"),
                 "--tls-key", str(live / "key.pem"))
    seen, errors, stop = [], [], threading.Event()

    def load():
        while not stop.is_set():
            try:
                r, body, cn, _ = get(srv.port, ca, "/password?quantity=2")
                if r.status != 200:
                    errors.append(r.status)
                seen.append(cn)
            except Exception as e:  # any failure counts
                errors.append(repr(e))

    try:
        kept = http.client.HTTPSConnection("127.0.0.1", srv.port,
                                           context=ca, timeout=TIMEOUT)
        kept.request("GET", "/pin")
        kept.getresponse().read()
        workers = [threading.Thread(target=load) for _ in range(4)]
        for w in workers:
            w.start()
        time.sleep(1.0)
        # replace the files the way a secret volume does (rename), reload
        for name, src in (("cert.pem", "beta.pem"), ("key.pem", "beta.key")):
            shutil.copy(certs / src, live / (name + ".new"))
            os.replace(live / (name + ".new"), live / name)
        srv.proc.send_signal(signal.SIGHUP)
        time.sleep(1.0)
        # a broken file on the next reload keeps beta
        (live / "cert.pem").write_text("not a certificate\n")
        srv.proc.send_signal(signal.SIGHUP)
        time.sleep(1.0)
        stop.set()
        for w in workers:
            w.join(timeout=TIMEOUT)
        kept.request("GET", "/pin")
        r = kept.getresponse()
        r.read()
        check(r.status == 200, "keep-alive connection across the rotation: "
              "%d" % r.status)
        kept.close()
        after = get(srv.port, ca, "/livez")[2]
        check(not errors, "%d failed requests during rotation: %r"
              % (len(errors), errors[:5]))
        check(seen and seen[0] == "alpha" and seen[-1] == "beta" and
              after == "beta",
              "certificates seen: first %s, last %s, after a bad reload %s"
              % (seen[:1], seen[-1:], after))
        log = srv.stderr()
        check("TLS certificate reloaded" in log and
              "TLS reload failed, keeping the old certificate" in log,
              "reloads not logged: %r" % log[-400:])
        print("tls: rotation under load: %d requests, %d failed, "
              "%d on alpha, %d on beta" % (len(seen) + len(errors),
                                             len(errors), seen.count("alpha"),
                                             seen.count("beta")))
    finally:
        stop.set()
        check(srv.stop() == 0, "rotated server did not exit 0")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        certs = Path(tmp)
        subprocess.run(["sh", str(ROOT / "tests" / "tls" / "make-certs.sh"),
                        tmp, "alpha", "beta"], check=True, timeout=60)
        basics(certs)
        refusals(certs)
        rotation(certs)
    if failures:
        print("tls: %d failures" % len(failures))
        return 1
    print("tls: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
