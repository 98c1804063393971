/*
 * config.h - every tunable in one place: defaults, limits, and parsing from
 * the environment and the command line (flags win over the environment).
 */
#ifndef PWGEND_CONFIG_H
#define PWGEND_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* More loops than this buys nothing on any machine pwgend targets. */
enum { CONFIG_MAX_LOOPS = 256 };

/* The default connection limit is what the descriptor limit allows, up to
 * this many (an idle connection costs a descriptor and a few KiB of kernel
 * memory; a busy one up to --connection-memory-limit). */
enum { CONFIG_AUTO_CONNECTIONS = 16384 };

struct config {
	char bind[64];                 /* listen address, IPv4 or IPv6 */
	size_t port;                   /* 0 = pick a free port */
	size_t loops;                  /* event loop threads (config_load
					* turns 0 into the usable CPUs) */
	size_t max_quantity;           /* largest `quantity` accepted */
	size_t max_work;               /* expected characters drawn per request */
	size_t max_inflight_bytes;     /* admission budget (all loops) */
	size_t max_queue;              /* jobs waiting for budget; then 503 */
	size_t connection_limit;       /* all loops (config_load turns 0 into
					* config_connections_for_fds) */
	size_t per_ip_connection_limit; /* 0 = no per-address limit */
	size_t send_buffer_bytes;      /* SO_SNDBUF per connection; 0 = auto */
	size_t strict_client;          /* HTTP parsing: 0 lenient, 1 normal,
					* 2 strict (MHD_OPTION_STRICT_FOR_CLIENT
					* -1, 0, 1) */
	size_t connection_timeout;     /* idle seconds; 0 = never */
	size_t connection_memory_limit; /* bytes of libmicrohttpd pool each */
	size_t max_url_length;         /* longer request-targets get 414 */
	size_t max_body_bytes;         /* larger request bodies get 413 */
	size_t stream_min_bytes;       /* larger GET replies are streamed */
	size_t grace;                  /* seconds to finish in-flight requests */
	size_t quantum;                /* bytes of work per scheduler slice */
	size_t window;                 /* children in flight per gather */
	char admin_bind[64];           /* "" = the same as bind */
	size_t admin_port;             /* 0 = no admin listener */
	bool web;                      /* serve / and /docs as pages */
	char cors_origins[1024];       /* "" none, "*", or "a,b" exact origins */
	char tls_cert[512];            /* PEM chain; "" = plain HTTP */
	char tls_key[512];
	char policies[512];            /* named policies file; "" = none */
	char wordlists[4096];          /* "NAME=FILE" a line (--wordlist,
					* repeatable; wordlist.h loads them) */
	bool access_log;
	int log_format;                /* enum log_format (log.h) */
	int healthcheck;               /* enum config_probe: probe a running
					* server and exit */
};

/* What --healthcheck asks (CONFIG_PROBE_ON is the old switch: ready). */
enum config_probe {
	CONFIG_PROBE_OFF,
	CONFIG_PROBE_READY,
	CONFIG_PROBE_LIVE,
	CONFIG_PROBE_ON,
};

enum config_result {
	CONFIG_OK,
	CONFIG_HELP,                   /* --help: usage printed, exit 0 */
	CONFIG_ERROR,                  /* message in err, exit 2 */
};

/* The values config_load derives after parsing: usable CPUs for loops 0,
 * the descriptor limit for connection-limit 0, TLS files in pairs. */
enum config_result config_settle(struct config *cfg, char *err,
				 size_t errlen);

/* Defaults, then the environment, then argv (for --healthcheck beside a
 * container's pwgend, that server's own arguments before argv's). */
enum config_result config_load(struct config *cfg, int argc, char **argv,
			       char *err, size_t errlen);

/* The default connection limit for a process with `fds` descriptors and
 * `loops` loops: all but a reserve, at most CONFIG_AUTO_CONNECTIONS. */
size_t config_connections_for_fds(size_t fds, size_t loops);

/* The --help text: every flag, its environment variable and default. */
void config_usage(FILE *out);

#endif
