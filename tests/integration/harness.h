/*
 * harness.h - what the integration tests need to drive a real pwgend:
 *
 *   - start the binary ($PWGEND_BIN) on 127.0.0.1 with an ephemeral port,
 *     read the port from its first stdout line, send it signals, wait for it
 *     and read its stderr (the access log) back;
 *   - a tiny HTTP/1.1 client over raw sockets: arbitrary request bytes,
 *     keep-alive and pipelining on one connection, Content-Length bodies,
 *     case-insensitive header lookup.
 *
 * No Check assertions in here: functions return 0 or -1 (errno set) so that
 * callers on helper threads can use them too. Only 127.0.0.1 is ever used.
 */
#ifndef PWGEND_TEST_HARNESS_H
#define PWGEND_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

/* ---------------------------------------------------------------- server */

struct server {
	pid_t pid;                     /* 0 once reaped */
	unsigned port;
	int out_fd;                    /* read end of the server's stdout */
	int log_fd;                    /* the server's stderr: an unlinked
					* temp file, so nothing is left
					* behind even if a test dies */
	int status;                    /* wait status, valid once pid == 0 */
};

/* The binary under test: $PWGEND_BIN, else ./build/pwgend. */
const char *server_binary(void);

/* Start `$PWGEND_BIN --port 0 --bind 127.0.0.1 flags...` (flags is a
 * NULL-terminated list, NULL for none) and wait up to 10 s for its
 * "pwgend listening on http://127.0.0.1:PORT" line. */
int server_start(struct server *s, const char *const *flags);

/* What a fault test may change in the server's process before exec. */
struct spawn_opts {
	long nofile;                   /* RLIMIT_NOFILE (soft and hard); 0:
					* inherit */
	bool set_uid;                  /* run as `uid` (needs root) */
	unsigned uid;
};

/* server_start with those options (NULL: none). */
int server_start_with(struct server *s, const char *const *flags,
		      const struct spawn_opts *opts);

int server_signal(struct server *s, int sig);

/* Wait up to timeout_ms for the server to exit: 0 and s->status set, or -1
 * if it is still running. */
int server_wait(struct server *s, int timeout_ms);

/* True while the process has not exited (reaps it if it has). */
bool server_alive(struct server *s);

/* Whatever happens: SIGKILL if still running, reap, close the files. */
void server_stop(struct server *s);

/* The server's stderr so far, NUL-terminated; free() it. */
char *server_log(const struct server *s);

/* Run the binary with `args` (NULL-terminated, after argv[0]) to completion
 * within timeout_ms; its stdout and stderr are returned (free() them). */
int run_binary(const char *const *args, int timeout_ms, int *status,
	       char **out, char **err);

/* run_binary for its exit status only (10 s at most): the status, or -1
 * if it did not exit by itself. */
int run_binary_status(const char *const *args);

/* ------------------------------------------------------------------ HTTP */

/* A connection with a read buffer, so that pipelined responses that arrive
 * in one read are split correctly. */
struct conn {
	int fd;
	char *buf;
	size_t len, cap;
};

struct header {
	const char *name;
	const char *value;
};

enum { MAX_HEADERS = 32 };

struct response {
	int status;
	char *head;                    /* the header block, split in place */
	struct header headers[MAX_HEADERS];
	size_t nheaders;
	char *body;                    /* NUL-terminated for convenience */
	size_t body_len;
	bool closed;                   /* the server closed after this one */
	bool chunked;                  /* the body came chunked (streamed) */
};

/* Connect to 127.0.0.1:port with 30 s send/receive timeouts. On failure -1
 * with errno (ECONNREFUSED when nothing listens). */
int conn_open(struct conn *c, unsigned port);

/* The same from a given local source address, e.g. "127.0.0.2" (a second
 * client address for the per-IP limit), NULL for the default. */
int conn_open_from(struct conn *c, unsigned port, const char *source);

/* Replace the 30 s send/receive timeouts of an open connection. */
void conn_set_timeout(struct conn *c, int timeout_ms);
void conn_close(struct conn *c);

/* Close with an RST instead of a FIN (SO_LINGER 0). */
void conn_abort(struct conn *c);

int conn_send(struct conn *c, const void *data, size_t n);

/* Send "METHOD target HTTP/1.1" with Host and `extra` header lines (each
 * ending in \r\n, may be NULL). */
int conn_request(struct conn *c, const char *method, const char *target,
		 const char *extra);

/* Read exactly one response. `head_request` tells that it answers a HEAD
 * (no body follows whatever Content-Length says). On failure (-1) there is
 * nothing to free. */
int conn_read(struct conn *c, struct response *r, bool head_request);

/* Wait up to timeout_ms until reply bytes are ready to read (without
 * reading them): 0 when they are, -1 on timeout or error. */
int conn_wait_readable(struct conn *c, int timeout_ms);

/* Spend a server's whole admission budget (start it with
 * HOLD_BUDGET_FLAGS): ask for a 100 MB streamed reply and never read it, so
 * that its job keeps a chunk's worth of bytes (more than 64 KiB) charged
 * until the connection closes. 0 once the reply has started. */
#define HOLD_BUDGET_FLAGS "--max-inflight-bytes", "65536"
int conn_hold_budget(struct conn *c, unsigned port);

/* The same for the first of n connections to have reply bytes: its index,
 * or -1 on timeout or error. */
int conn_wait_any(struct conn *c, size_t n, int timeout_ms);

/* Read and discard up to n bytes of whatever arrives (for disconnect tests). */
ssize_t conn_read_some(struct conn *c, size_t n);

/* One request on a fresh connection, then close it. */
int http_do(unsigned port, const char *method, const char *target,
	    struct response *r);
int http_get(unsigned port, const char *target, struct response *r);

/* The same with `extra` header lines (each ending in \r\n; NULL: none). */
int http_do_with(unsigned port, const char *method, const char *target,
		 const char *extra, struct response *r);

/* What browsers send: pages are served to clients that ask for HTML. */
#define BROWSER_ACCEPT \
	"Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\n"

void response_free(struct response *r);

/* Header value by case-insensitive name, NULL if absent. */
const char *response_header(const struct response *r, const char *name);

/* The body as JSON, NULL if it is not valid JSON; json_decref() it. */
json_t *response_json(const struct response *r);

/* ------------------------------------------------------------------ misc */

/* A loopback port that was free a moment ago (for --admin-port, which
 * has no "0 picks one"), 0 on failure. */
unsigned free_port(void);

/* The whole file at `path` (relative to the repository root, where the
 * tests run), NUL-terminated, length in *len; malloc'd, or NULL. */
char *read_file(const char *path, size_t *len);

void sleep_ms(long ms);
long now_ms(void);                 /* monotonic */

#endif
