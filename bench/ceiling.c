/*
 * ceiling.c - the HTTP ceiling for pwgend's benchmark: a minimal
 * libmicrohttpd server that answers each known request-target with fixed,
 * precomputed bytes.
 *
 *   ceiling --port P [--workers N] TARGET FILE [TARGET FILE]...
 *   e.g. ceiling --port 8123 --workers 2 '/password?quantity=100' q100.json
 *
 * It does no generation at all, so whatever pwgend loses against it is the
 * cost of pwgend's own work (parsing, scheduling, generation, rendering),
 * not of libmicrohttpd. To be a fair ceiling it copies what pwgend does with
 * libmicrohttpd:
 *   - the same number of threads, each with its own epoll set, all
 *     accepting on one listening socket: pwgend runs N event loops (one
 *     libmicrohttpd daemon in external epoll mode per thread); the ceiling
 *     asks libmicrohttpd for a pool of N such threads (N = --workers,
 *     default 1; the harness passes pwgend's pwgend_loops). With N = 1 it
 *     is a single internal polling thread. The connection limit is split
 *     between the threads by libmicrohttpd, as pwgend splits its own;
 *   - the same daemon options (connection limit, timeout, strict parsing);
 *   - the reply is queued on the SECOND access-handler call. On MHD 0.9.75 a
 *     reply queued on the first call (before MHD has read the whole request)
 *     is sent with "Connection: close", which would kill keep-alive;
 *   - the same three headers and a body of the same size (the harness saves
 *     one real pwgend reply per target and passes it here).
 * It differs on purpose in one way: replies are built once at start-up and
 * reused (MHD reference-counts them), so the per-request cost is as low as
 * libmicrohttpd allows.
 *
 * Matching: a TARGET is PATH or PATH?quantity=N; a request matches when its
 * path is equal and its `quantity` argument is equal (absent means "1", as in
 * pwgend). Anything else is a 404. The server binds 127.0.0.1 only and runs
 * until SIGINT or SIGTERM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

enum { MAX_ROUTES = 32 };

struct route {
	char path[128];
	char quantity[32];
	struct MHD_Response *response;
};

static struct route routes[MAX_ROUTES];
static size_t nroutes;
static struct MHD_Response *not_found;

/* ------------------------------------------------------------- replies */

/* Read a whole file into a malloc'd buffer. NULL (with a message) on error. */
static char *read_file(const char *name, size_t *len)
{
	FILE *f = fopen(name, "rb");
	char *buf = NULL;
	long size;

	if (f == NULL) {
		perror(name);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)size + 1);
		if (buf != NULL &&
		    fread(buf, 1, (size_t)size, f) != (size_t)size) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)size;
	}
	if (buf == NULL)
		fprintf(stderr, "ceiling: cannot read %s\n", name);
	fclose(f);
	return buf;
}

/* A reusable reply with pwgend's headers. MHD copies the body (MUST_COPY),
 * so the caller keeps ownership of `body`. */
static struct MHD_Response *make_response(const char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, (void *)body, MHD_RESPMEM_MUST_COPY);

	if (r == NULL)
		return NULL;
	if (MHD_add_response_header(r, "Content-Type", "application/json") !=
		    MHD_YES ||
	    MHD_add_response_header(r, "Cache-Control", "no-store") !=
		    MHD_YES ||
	    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff") !=
		    MHD_YES) {
		MHD_destroy_response(r);
		return NULL;
	}
	return r;
}

/* Split TARGET into path and quantity and load FILE as its reply. */
static int add_route(const char *target, const char *file)
{
	struct route *rt = &routes[nroutes];
	const char *query = strchr(target, '?');
	size_t path_len = query != NULL ? (size_t)(query - target)
					: strlen(target);
	const char *q = "1";
	size_t len = 0;
	char *body;

	if (nroutes == MAX_ROUTES || path_len >= sizeof(rt->path)) {
		fprintf(stderr, "ceiling: too many routes or path too long\n");
		return -1;
	}
	if (query != NULL) {
		if (strncmp(query, "?quantity=", 10) != 0 ||
		    strlen(query + 10) >= sizeof(rt->quantity)) {
			fprintf(stderr, "ceiling: only ?quantity=N is "
				"supported: %s\n", target);
			return -1;
		}
		q = query + 10;
	}
	memcpy(rt->path, target, path_len);
	rt->path[path_len] = '\0';
	snprintf(rt->quantity, sizeof(rt->quantity), "%s", q);
	body = read_file(file, &len);
	if (body == NULL)
		return -1;
	rt->response = make_response(body, len);
	free(body);
	if (rt->response == NULL)
		return -1;
	nroutes++;
	return 0;
}

static struct MHD_Response *lookup(struct MHD_Connection *conn,
				   const char *url)
{
	const char *q = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND,
						    "quantity");

	if (q == NULL)
		q = "1";
	for (size_t i = 0; i < nroutes; i++)
		if (strcmp(routes[i].path, url) == 0 &&
		    strcmp(routes[i].quantity, q) == 0)
			return routes[i].response;
	return not_found;
}

/* --------------------------------------------------------- the handler */

/* Marks "first call seen" without allocating anything per request. */
static int first_call_seen;

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn,
				 const char *url, const char *method,
				 const char *version, const char *upload_data,
				 size_t *upload_data_size, void **req_cls)
{
	struct MHD_Response *r;

	(void)cls;
	(void)method;
	(void)version;
	(void)upload_data;
	if (*req_cls == NULL) {
		/* Call 1: headers only. Replying now would close the
		 * connection on MHD 0.9.75 (see the top of this file). */
		*req_cls = &first_call_seen;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		*upload_data_size = 0;  /* discard any body, as pwgend does */
		return MHD_YES;
	}
	r = lookup(conn, url);
	return MHD_queue_response(conn, r == not_found ? MHD_HTTP_NOT_FOUND
						       : MHD_HTTP_OK, r);
}

/* ---------------------------------------------------------- lifecycle */

static struct MHD_Daemon *start(unsigned port, unsigned threads)
{
	static struct sockaddr_in addr;
	/* pwgend's flags minus suspend/resume (nothing here suspends) and
	 * its options with their defaults; the threads are libmicrohttpd's
	 * instead of pwgend's own loops. */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			 MHD_USE_ERROR_LOG;

	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_access,
				NULL, MHD_OPTION_SOCK_ADDR, &addr,
				/* 0: no pool, one internal thread */
				MHD_OPTION_THREAD_POOL_SIZE,
				threads > 1 ? threads : 0u,
				MHD_OPTION_CONNECTION_LIMIT, 1000u,
				MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
				MHD_OPTION_STRICT_FOR_CLIENT, 1,
				MHD_OPTION_END);
}

static int usage(void)
{
	fprintf(stderr, "usage: ceiling --port P [--workers N] TARGET FILE "
		"[TARGET FILE]...\n");
	return 2;
}

/* A decimal in [1, max], or 0 if `s` is not one. */
static unsigned long parse_count(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *s == '-' || v > max)
		return 0;
	return v;
}

int main(int argc, char **argv)
{
	static const char missing[] = "{\"error\":\"not found\"}";
	struct MHD_Daemon *d;
	sigset_t stop;
	unsigned long port, threads = 1;
	int sig, first = 3;

	if (argc < 5 || strcmp(argv[1], "--port") != 0)
		return usage();
	port = parse_count(argv[2], 65535);
	if (port == 0)
		return usage();
	if (strcmp(argv[3], "--workers") == 0) {
		if (argc < 7)
			return usage();
		threads = parse_count(argv[4], 1024);
		if (threads == 0)
			return usage();
		first = 5;
	}
	if ((argc - first) % 2 != 0)
		return usage();
	for (int i = first; i < argc; i += 2)
		if (add_route(argv[i], argv[i + 1]) < 0)
			return 1;
	not_found = make_response(missing, sizeof(missing) - 1);
	if (not_found == NULL)
		return 1;

	/* Block the stop signals before MHD starts its threads, so only
	 * sigwait() below ever sees them. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	d = start((unsigned)port, (unsigned)threads);
	if (d == NULL) {
		fprintf(stderr, "ceiling: cannot listen on 127.0.0.1:%lu\n",
			port);
		return 1;
	}
	printf("ceiling listening on http://127.0.0.1:%lu (%zu routes, "
	       "%lu thread%s)\n", port, nroutes, threads,
	       threads == 1 ? "" : "s");
	fflush(stdout);
	sigwait(&stop, &sig);
	MHD_stop_daemon(d);
	for (size_t i = 0; i < nroutes; i++)
		MHD_destroy_response(routes[i].response);
	MHD_destroy_response(not_found);
	return 0;
}
