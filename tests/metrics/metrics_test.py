#!/usr/bin/env python3
"""/metrics as Prometheus itself reads it: promtool check metrics.

Starts the real pwgend with an admin listener, sends requests of every
kind (generation, 400, 404, a page, /docs, a probe), scrapes the admin
port and runs `promtool check metrics` (Prometheus' own parser and
linter) on the exposition. Then checks the series operators size limits
with are there: process_*, the byte budget and the connections, the
per-route histogram with `code` as the status label, `route` telling /,
/docs and 404s apart; and that /metrics and /version are gone from the
public port.

Run by `make metrics-test` (part of `make test`) with PROMTOOL set by
scripts/promtool.sh. Loopback only, every wait bounded.
"""
import http.client
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from pwgend import Checks, TIMEOUT, start, stop  # noqa: E402

PROMTOOL = os.environ["PROMTOOL"]
CHECKS = Checks("metrics")
check = CHECKS.check


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, target, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    c.request("GET", target, headers=headers or {})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


def sample(text, series):
    m = re.search(r"^" + re.escape(series) + r" (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def main():
    admin = free_port()
    proc, port = start("--admin-port", str(admin))
    try:
        for target, want in (("/password?quantity=3", 200),
                             ("/pin?quantity=2", 200),
                             ("/password?quantity=0", 400),
                             ("/nope", 404), ("/docs", 200),
                             ("/livez", 200), ("/metrics", 404),
                             ("/version", 404)):
            status, _ = get(port, target)
            check(status == want, "GET %s: %d, want %d"
                  % (target, status, want))
        status, text = get(admin, "/metrics")
        check(status == 200, "admin /metrics: %d" % status)
        text = text.decode()
        lint = subprocess.run([PROMTOOL, "check", "metrics"],
                              input=text.encode(), capture_output=True,
                              timeout=TIMEOUT)
        check(lint.returncode == 0, "promtool check metrics: %s %s"
              % (lint.stdout.decode(), lint.stderr.decode()))
        for series in ("process_cpu_seconds_total",
                       "process_resident_memory_bytes",
                       "process_virtual_memory_bytes", "process_open_fds",
                       "process_max_fds", "process_start_time_seconds",
                       "pwgend_inflight_bytes", "pwgend_inflight_bytes_limit",
                       "pwgend_open_connections", "pwgend_connection_limit",
                       'pwgend_requests_total{route="password",code="200"}',
                       'pwgend_requests_total{route="password",code="400"}',
                       'pwgend_requests_total{route="not_found",code="404"}',
                       'pwgend_requests_total{route="docs",code="200"}',
                       'pwgend_request_duration_seconds_count'
                       '{route="password"}'):
            check(sample(text, series) is not None, "no %s" % series)
        check(sample(text, 'pwgend_requests_total{route="password",'
                     'code="200"}') == 1, "password 200 counted once")
        check(sample(text, "pwgend_inflight_bytes_limit") == 50331648,
              "budget limit")
        check(0 < sample(text, "process_resident_memory_bytes") < 1 << 30,
              "resident memory")
        check("coroutine_steps" not in text, "a series that mirrors another")
        check('status="' not in text, "status label instead of code")
    finally:
        status = stop(proc)
    check(status == 0, "exit status %s" % status)
    return CHECKS.verdict("promtool check metrics, every series operators "
                          "need")


if __name__ == "__main__":
    sys.exit(main())
