/*
 * probe.h - `pwgend --healthcheck`: ask a running pwgend for /healthz.
 *
 * Container images run this as their HEALTHCHECK, so the image needs no curl
 * or shell. It speaks just enough HTTP/1.1 over a loopback socket to read the
 * status line, with a timeout on every step; over TLS when the server serves
 * HTTPS (the server's own certificate, so it is not verified: the probe
 * asks whether this process on this port answers, nothing more).
 */
#ifndef PWGEND_PROBE_H
#define PWGEND_PROBE_H

#include <stdbool.h>

/* GET `path` (/readyz, /livez) on 127.0.0.1:port (or [::1] when `ipv6`),
 * over TLS when `tls`. Returns the HTTP status, or -1 if no HTTP answer
 * came within timeout_ms. */
int probe_healthz(unsigned port, int ipv6, bool tls, const char *path,
		  int timeout_ms);

#endif
