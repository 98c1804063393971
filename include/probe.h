/*
 * probe.h - `pwgend --healthcheck`: ask a running pwgend for /healthz.
 *
 * Container images run this as their HEALTHCHECK, so the image needs no curl
 * or shell. It speaks just enough HTTP/1.1 over a loopback socket to read the
 * status line, with a timeout on every step.
 */
#ifndef PWGEND_PROBE_H
#define PWGEND_PROBE_H

/* GET /healthz on 127.0.0.1:port (or [::1] when `ipv6`). Returns the HTTP
 * status, or -1 if no HTTP answer came within timeout_ms. */
int probe_healthz(unsigned port, int ipv6, int timeout_ms);

#endif
