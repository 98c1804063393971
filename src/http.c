/*
 * http.c - see http.h. Sections: the exchange record, replies, the
 * three-phase access handler, jobs through the loop's scheduler, and the
 * lifecycle of the listening socket and the loops' daemons.
 */
#define _GNU_SOURCE  /* accept4 */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "addrlimit.h"
#include "admission.h"
#include "complex.h"
#include "cors.h"
#include "counter.h"
#include "framing.h"
#include "job.h"
#include "kinds.h"
#include "log.h"
#include "metrics.h"
#include "negotiate.h"
#include "ops.h"
#include "original.h"
#include "policies.h"
#include "policyfile.h"
#include "procstat.h"
#include "qsbr.h"
#include "render.h"
#include "reqid.h"
#include "request.h"
#include "sched.h"
#include "task.h"
#include "secmem.h"
#include "tls.h"
#include "version.h"

#define PROBLEM_URI_TOO_LONG "urn:pwgend:problem:uri-too-long"
#define PROBLEM_OVERLOADED "urn:pwgend:problem:overloaded"
#define PROBLEM_INTERNAL "urn:pwgend:problem:internal"
#define PROBLEM_NOT_ACCEPTABLE "urn:pwgend:problem:not-acceptable"
#define PROBLEM_MALFORMED_REQUEST "urn:pwgend:problem:malformed-request"
#define PROBLEM_UNSUPPORTED_MEDIA_TYPE "urn:pwgend:problem:unsupported-media-type"

/* A streamed reply goes out in chunks of this many bytes (the connection
 * is suspended while the scheduler makes the next one). STREAM_BLOCK_BYTES
 * is libmicrohttpd's buffer for HTTP/1.0 clients, which get no chunked
 * encoding (it closes the connection at the end instead). */
enum {
	PWGEND_LOCATION_MAX = 16384 + 1,  /* the longest --max-url-length */
	STREAM_CHUNK_BYTES = 128 * 1024,
	STREAM_BLOCK_BYTES = 16 * 1024,
	BODY_DRAIN_BYTES = 1024 * 1024,  /* see take_body() */
	/* a loop's turn is bounded by --quantum: one that has not passed a
	 * quiescent point in this long is stuck, and its set is kept */
	HTTP_RETIRE_WAIT_MS = 2000,
	ORIGIN_MAX = 256,              /* longer Origin headers are no origin */
	USER_AGENT_MAX = 255,          /* kept for the JSON access log */
};

/* The server: what every loop shares, all of it read-only on the request
 * path but `draining`. */
struct http {
	struct config cfg;
	int listen_fd;                 /* bound here, handed to every daemon */
	int family;
	unsigned port;
	atomic_bool draining;
	bool ready;                    /* the start-up self-test passed */
	struct admission *adm;
	struct addr_limit *per_addr;   /* NULL: no per-address limit */
	/* The named policies (policies.h): published by main, read by the
	 * loops' handlers without a lock; a replaced set is freed once every
	 * loop has passed a quiescent point (qsbr.h), or kept on `retired`
	 * until http_free if one did not in time. */
	_Atomic(struct policies *) policies;
	struct qsbr *readers;          /* one reader per loop */
	struct policies *retired;
	size_t ndaemons;
	struct http_daemon **daemons;  /* [ndaemons], filled as loops start */
};

/* One loop's libmicrohttpd daemon and what its requests touch. Only the
 * loop's thread writes any of it; other threads read the counters (a
 * scrape, the drain). Aligned so that two loops never share a cache line. */
struct http_daemon {
	alignas(64) struct http *http;
	struct MHD_Daemon *mhd;
	struct sched *sched;           /* the loop's scheduler */
	struct metrics *metrics;       /* the loop's shard */
	counter active;                /* requests seen by the handler and
					* not yet completed */
	size_t share;                  /* of --connection-limit */
	counter connections;           /* open on this daemon (a gauge) */
	bool quiesced;                 /* accepts no more */
	struct timespec fds_out_until; /* accept4 ran out of descriptors */
	/* counted by add_connection, not yet claimed by on_connection */
	struct addr_key pending;
	bool has_pending;
	struct reqid_source ids;       /* request ids made on this loop */
	size_t index;                  /* the loop's, its qsbr reader */
};

/* =========================================================== the exchange */

enum phase {
	PHASE_HEADERS,                 /* first handler call not seen yet */
	PHASE_BODY,                    /* reading the body: kept for a route
					* that takes one, else discarded */
	PHASE_SUSPENDED,               /* the job belongs to a scheduler */
	PHASE_REPLIED,
};

/* Everything one request holds; allocated when libmicrohttpd reports the
 * request line, freed in on_completed. */
struct exchange {
	struct http *http;
	struct http_daemon *daemon;    /* the loop it arrived on */
	struct MHD_Connection *conn;
	struct job job;
	enum phase phase;
	int status;                    /* of the queued reply, 0 if none */
	size_t bytes;
	size_t sent;                   /* of a streamed chunk in job.body */
	enum metrics_route route;      /* the route label, once known */
	bool generation;               /* job.req holds a validated request */
	bool takes_body;               /* collect the body into `upload` */
	bool body_too_large;           /* past --max-body-bytes: 413 */
	size_t body_seen;              /* body bytes received so far */
	struct sbuf upload;            /* the request body (secret material) */
	struct complex_spec *complex;  /* the parsed body, job.req points here */
	struct timespec start;
	char method[16];
	char request_id[REQID_MAX + 1]; /* echoed in X-Request-Id, logged */
	const char *allow_origin;      /* CORS: "*", `origin`, or NULL */
	char *origin;                  /* CORS only: malloc'd, or NULL */
	bool vary_accept;              /* the reply depends on Accept (GET /) */
	char client[INET6_ADDRSTRLEN]; /* for the JSON access log */
	char *user_agent;              /* the same, malloc'd, cut to fit */
	size_t target_len;
	char target[];                 /* the raw request-target */
};

static bool method_is(const char *method, const char *want)
{
	return strcmp(method, want) == 0;
}

static long elapsed_us(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000000L +
	       (now.tv_nsec - start->tv_nsec) / 1000L;
}

/*
 * Each connection remembers the exchange it has open. libmicrohttpd does not
 * always report a request it refuses itself (e.g. when its argument table
 * overflows the connection's memory) as completed, so an exchange allocated
 * in on_uri could leak; the connection-closed notification frees it then.
 */
struct conn_ctx {
	struct exchange *open;         /* between on_uri and on_completed */
	struct addr_key addr;          /* counted in the per-address limit */
	bool counted;
};

static struct conn_ctx *conn_ctx_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn,
					MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info != NULL ? info->socket_context : NULL;
}

static void free_exchange(struct exchange *ex)
{
	if (ex->job.partial)  /* a stream cut short: its task is still open */
		task_cancel(&ex->job);
	sbuf_release(&ex->job.body);  /* wipes the generated items */
	sbuf_release(&ex->upload);    /* and what the client sent */
	complex_free(ex->complex);
	free(ex->origin);
	free(ex->user_agent);
	free(ex);
}

/* MHD_OPTION_URI_LOG_CALLBACK: the raw target, before MHD decodes it.
 * Later libmicrohttpd versions call it with uri NULL for a request line
 * they refuse; without a target there is no exchange (the handler then
 * closes the connection). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_daemon *d = cls;
	struct conn_ctx *cc = conn_ctx_of(conn);
	size_t n;
	struct exchange *ex;

	if (cc == NULL || uri == NULL)
		return NULL;
	n = strlen(uri);
	ex = calloc(1, sizeof(*ex) + n + 1);
	if (ex == NULL)
		return NULL;
	ex->http = d->http;
	ex->daemon = d;
	ex->conn = conn;
	ex->route = METRICS_ROUTE_OTHER;
	clock_gettime(CLOCK_MONOTONIC, &ex->start);
	memcpy(ex->target, uri, n + 1);
	ex->target_len = n;
	cc->open = ex;
	return ex;
}

/* The access line and the counters of a finished exchange. */
static void account(struct http_daemon *d, const struct exchange *ex,
		    enum MHD_RequestTerminationCode toe)
{
	const struct http *h = d->http;
	long us = elapsed_us(&ex->start);

	metrics_observe(d->metrics, ex->route, ex->status, us);
	if (ex->generation && ex->status == 200 && !ex->job.req.explain &&
	    ex->job.status == 0 && !ex->job.partial &&
	    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		metrics_count_items(d->metrics,
				    kinds_items_index(ex->job.req.kind),
				    ex->job.req.quantity);
	if (h->cfg.access_log) {
		struct access_record rec = {
			.method = ex->method,
			.target = ex->target,
			.target_len = ex->target_len,
			.status = ex->status,
			.bytes = ex->bytes,
			.duration_us = us,
			.aborted = toe != MHD_REQUEST_TERMINATED_COMPLETED_OK,
			.request_id = ex->request_id,
			.client = ex->client,
			.user_agent = ex->user_agent,
		};
		struct access_gen gen = { kinds_label(ex->job.req.kind),
					  ex->job.req.quantity };

		log_access(&rec,
			   ex->generation ? &gen : NULL);
	}
}

/* Log and count an exchange, give back what it holds, free it. Its job is
 * never with the scheduler here: the connection would be suspended, and
 * libmicrohttpd ends no suspended connection. */
static void end_exchange(struct http_daemon *d, struct exchange *ex,
			 enum MHD_RequestTerminationCode toe)
{
	account(d, ex, toe);
	if (ex->job.charged)
		sched_release(d->sched, ex->job.cost);
	if (ex->phase != PHASE_HEADERS)
		counter_sub(&d->active, 1);
	free_exchange(ex);
}

/* MHD_OPTION_NOTIFY_COMPLETED: where an exchange normally ends. */
/*
 * A reply cut by the idle timeout is one the client stopped reading: its
 * socket still holds up to a send buffer of it, which a plain close would
 * leave queued in the kernel (FIN_WAIT1) for as long as the client keeps
 * its window shut. Closing with SO_LINGER 0 resets the connection and frees
 * that memory at once; the reply was lost either way.
 */
static int connection_fd(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(
		conn, MHD_CONNECTION_INFO_CONNECTION_FD);

	return info != NULL ? info->connect_fd : -1;
}

static void abort_on_close(struct MHD_Connection *conn)
{
	struct linger reset = { .l_onoff = 1, .l_linger = 0 };
	int fd = connection_fd(conn);

	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
}

/*
 * A client that sends its request and its FIN together (half-closes) was
 * kept until the idle timeout: libmicrohttpd 0.9.75 reads the request on
 * one edge of its edge-triggered epoll and never looks again, so it does
 * not see the end of the stream that arrived with it. After each reply,
 * one peek tells: when the stream has ended and nothing waits behind the
 * request, shutting our reading side makes epoll report the socket once
 * more, libmicrohttpd reads the end and closes the connection (after any
 * request it already holds, pipelined). About 0.3 us per request; a flood
 * of such clients then frees its connections at once instead of holding
 * them for --connection-timeout.
 */
static void close_if_client_left(struct MHD_Connection *conn)
{
	int fd = connection_fd(conn);
	char byte;

	if (fd >= 0 && recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0)
		shutdown(fd, SHUT_RD);
}

static void on_completed(void *cls, struct MHD_Connection *conn,
			 void **req_cls, enum MHD_RequestTerminationCode toe)
{
	struct exchange *ex = *req_cls;
	struct conn_ctx *cc = conn_ctx_of(conn);

	if (toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED)
		abort_on_close(conn);
	else if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		close_if_client_left(conn);
	if (ex == NULL)
		return;
	*req_cls = NULL;
	if (cc != NULL && cc->open == ex)
		cc->open = NULL;
	end_exchange(cls, ex, toe);
}

/* An address counted by add_connection whose connection libmicrohttpd
 * then refused itself never reaches on_connection: give its place back. */
static void drop_pending(struct http_daemon *d)
{
	if (d->has_pending)
		addr_limit_give(d->http->per_addr, &d->pending);
	d->has_pending = false;
}

static void connection_started(struct http_daemon *d, void **socket_context)
{
	struct conn_ctx *cc = calloc(1, sizeof(*cc));

	*socket_context = cc;
	counter_add(&d->connections, 1);
	if (!d->has_pending)
		return;
	if (cc == NULL) {
		drop_pending(d);
		return;
	}
	cc->addr = d->pending;
	cc->counted = true;
	d->has_pending = false;
}

/* MHD_OPTION_NOTIFY_CONNECTION */
static void on_connection(void *cls, struct MHD_Connection *conn,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct http_daemon *d = cls;
	struct conn_ctx *cc = *socket_context;

	(void)conn;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		connection_started(d, socket_context);
		return;
	}
	/* refused by MHD, or closed on an error path that skips
	 * on_completed (e.g. epoll_ctl failing when a resumed connection
	 * is re-added): never completed, so end it here */
	if (cc != NULL && cc->open != NULL)
		end_exchange(d, cc->open, MHD_REQUEST_TERMINATED_WITH_ERROR);
	if (cc != NULL && cc->counted)
		addr_limit_give(d->http->per_addr, &cc->addr);
	counter_sub(&d->connections, 1);
	d->fds_out_until = (struct timespec){ 0, 0 };  /* one is free now */
	free(cc);
	*socket_context = NULL;
}

/* ================================================================ replies */

struct header {
	const char *name;
	const char *value;
};

/* What every reply carries: the type, no-store, nosniff, the request id,
 * and for an allowed cross-origin request its CORS headers. */
static bool add_headers(const struct exchange *ex, struct MHD_Response *r,
			const char *type, const struct header *extra,
			size_t n_extra)
{
	bool ok = MHD_add_response_header(r, "Content-Type", type) == MHD_YES &&
		  MHD_add_response_header(r, "Cache-Control", "no-store") ==
			  MHD_YES &&
		  MHD_add_response_header(r, "X-Content-Type-Options",
					  "nosniff") == MHD_YES &&
		  (ex->request_id[0] == '\0' ||
		   MHD_add_response_header(r, "X-Request-Id",
					   ex->request_id) == MHD_YES);

	if (ok && ex->allow_origin != NULL)
		ok = MHD_add_response_header(r, "Access-Control-Allow-Origin",
					     ex->allow_origin) == MHD_YES &&
		     MHD_add_response_header(r, "Access-Control-Expose-Headers",
					     CORS_EXPOSE_HEADERS) == MHD_YES;
	/* a listed origin is echoed: the reply depends on it */
	bool vary_origin = ex->origin != NULL && ex->allow_origin == ex->origin;

	if (ok && (ex->vary_accept || vary_origin))
		ok = MHD_add_response_header(
			     r, "Vary",
			     ex->vary_accept && vary_origin ? "Accept, Origin"
			     : ex->vary_accept		    ? "Accept"
							    : "Origin") ==
		     MHD_YES;
	for (size_t i = 0; ok && i < n_extra; i++)
		ok = MHD_add_response_header(r, extra[i].name,
					     extra[i].value) == MHD_YES;
	return ok;
}

/* Queue a reply. With MHD_RESPMEM_MUST_FREE the body is ours to free on
 * failure; with MHD_RESPMEM_PERSISTENT it must outlive the exchange's reply
 * (it lives in the exchange and is wiped in on_completed). */
static enum MHD_Result reply(struct exchange *ex, unsigned status,
			     const char *type, void *body, size_t len,
			     enum MHD_ResponseMemoryMode mode,
			     const struct header *extra, size_t n_extra)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body,
								 mode);
	enum MHD_Result rc = MHD_NO;

	if (r == NULL) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	if (add_headers(ex, r, type, extra, n_extra))
		rc = MHD_queue_response(ex->conn, status, r);
	MHD_destroy_response(r);
	if (rc == MHD_YES) {
		ex->status = (int)status;
		ex->bytes = len;
		ex->phase = PHASE_REPLIED;
	}
	return rc;
}

static enum MHD_Result reply_problem(struct exchange *ex, unsigned status,
				     const char *type, const char *title,
				     const char *detail, const char *parameter,
				     const struct header *extra, size_t n_extra)
{
	size_t len = 0;
	char *body = render_problem((int)status, type, title, detail,
				    parameter, &len);

	if (body == NULL)
		return MHD_NO;
	return reply(ex, status, "application/problem+json", body, len,
		     MHD_RESPMEM_MUST_FREE, extra, n_extra);
}

static enum MHD_Result reply_request_error(struct exchange *ex,
					   const struct request_error *err)
{
	return reply_problem(ex, (unsigned)err->status, err->type, err->title,
			     err->detail,
			     err->parameter[0] != '\0' ? err->parameter : NULL,
			     NULL, 0);
}

static enum MHD_Result reply_unavailable(struct exchange *ex, bool draining)
{
	static const struct header overloaded[] = { { "Retry-After", "1" } };
	static const struct header closing[] = { { "Retry-After", "1" },
						 { "Connection", "close" } };

	if (draining)
		return reply_problem(ex, 503, PROBLEM_DRAINING,
				     "Service Unavailable",
				     "the server is shutting down", NULL,
				     closing, 2);
	return reply_problem(ex, 503, PROBLEM_OVERLOADED,
			     "Service Unavailable",
			     "too many requests in progress; retry shortly",
			     NULL, overloaded, 1);
}

/* The start-up self-test failed: not ready, and no generation either (an
 * RNG that failed a smoke test must not hand out secrets). Restarting is
 * the cure, so the Retry-After is long. */
static enum MHD_Result reply_not_ready(struct exchange *ex)
{
	static const struct header retry[] = { { "Retry-After", "60" } };

	return reply_problem(ex, 503, PROBLEM_NOT_READY, "Service Unavailable",
			     "the random number generator failed its start-up "
			     "self-test; this process will not serve", NULL,
			     retry, 1);
}

static enum MHD_Result reply_v1_health(struct exchange *ex)
{
	size_t len = 0;
	char *body = render_v1_health(&len);

	if (body == NULL)
		return MHD_NO;
	return reply(ex, 200, "application/json", body, len,
		     MHD_RESPMEM_MUST_FREE, NULL, 0);
}

static enum MHD_Result reply_status(struct exchange *ex, const char *status)
{
	size_t len = 0;
	char *body = render_status(status, &len);

	if (body == NULL)
		return MHD_NO;
	return reply(ex, 200, "application/json", body, len,
		     MHD_RESPMEM_MUST_FREE, NULL, 0);
}

/* ========================================= jobs through the loop's scheduler */

/* Give the connection back to libmicrohttpd; the loop runs it again before
 * it sleeps (http_daemon_run), which queues the reply. */
static void resume(struct exchange *ex)
{
	MHD_resume_connection(ex->conn);
}

/* job->on_done, from sched_run() on this loop's thread. */
static void on_job_done(struct job *job)
{
	resume((struct exchange *)((char *)job -
				   offsetof(struct exchange, job)));
}

static enum MHD_Result reply_job(struct exchange *ex);

/* Replies over --stream-min-bytes go out in chunks, if that holds less. */
static void maybe_stream(struct exchange *ex, const struct gen_request *gen)
{
	const struct http *h = ex->http;
	size_t stream_cost = job_stream_cost(gen, STREAM_CHUNK_BYTES,
					     h->cfg.quantum);

	if (ex->job.cost > h->cfg.stream_min_bytes &&
	    ex->job.cost > stream_cost && method_is(ex->method, "GET") &&
	    !gen->explain) {
		ex->job.stream_chunk = STREAM_CHUNK_BYTES;
		ex->job.cost = stream_cost;
	}
}

/* The job goes to this loop's scheduler, which runs its first slice now:
 * done, and the reply goes out in this same call; not done, and the
 * connection is suspended until on_job_done. */
static enum MHD_Result submit(struct exchange *ex,
			      const struct gen_request *gen)
{
	struct http_daemon *d = ex->daemon;
	int rc;

	ex->job.req = *gen;
	ex->job.cost = job_cost(gen);
	ex->job.on_done = on_job_done;
	ex->generation = true;
	maybe_stream(ex, gen);
	rc = sched_submit(d->sched, &ex->job);
	if (rc == SCHED_DONE)
		return reply_job(ex);
	if (rc == -EBUSY) {
		metrics_count_rejection(d->metrics);
		return reply_unavailable(ex, false);
	}
	if (rc < 0)
		return reply_unavailable(ex, true);  /* stopping */
	ex->phase = PHASE_SUSPENDED;
	MHD_suspend_connection(ex->conn);
	return MHD_YES;
}

/*
 * The content reader of a streamed reply, on the loop's thread. Whenever
 * it runs the job is ours: the scheduler resumes the connection only after
 * handing the job back. Once a chunk is out, the job goes back for the next
 * one and the connection is suspended until it comes, which libmicrohttpd
 * allows from a reader that then returns 0 (microhttpd.h,
 * MHD_suspend_connection).
 */
static ssize_t read_stream(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct exchange *ex = cls;
	struct job *job = &ex->job;
	size_t n = job->body.len - ex->sent;

	(void)pos;
	if (job->status != 0) {
		secmem_wipe(buf, max);
		return MHD_CONTENT_READER_END_WITH_ERROR;  /* cut, no last chunk */
	}
	if (n > 0) {
		n = n < max ? n : max;
		memcpy(buf, job->body.buf + ex->sent, n);
		ex->sent += n;
		ex->bytes += n;
		return (ssize_t)n;
	}
	/* The chunk went out through this buffer, which libmicrohttpd frees
	 * without wiping: wipe it now that it has been sent. */
	secmem_wipe(buf, max);
	if (!job->partial)
		return MHD_CONTENT_READER_END_OF_STREAM;
	sbuf_clear(&job->body);
	ex->sent = 0;
	MHD_suspend_connection(ex->conn);
	if (sched_resubmit(ex->daemon->sched, job) < 0) {
		job->partial = false;
		task_cancel(job);
		job->status = -ECANCELED;
		MHD_resume_connection(ex->conn);
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	return 0;  /* the job is the scheduler's: touch nothing more */
}

/* What a generated reply says of its items, in headers, whatever its
 * format (text and NDJSON bodies carry no figure): X-Entropy-Bits, each
 * item's, as entropy_bits; and X-Entropy-Note when the items of one reply
 * are not independent. `bits` is the caller's buffer. */
static size_t entropy_headers(const struct gen_request *req,
			      struct header out[2], char bits[32])
{
	size_t n = 0;
	const char *note;

	if (req->entropy_bits <= 0)
		return 0;
	if (render_bits(bits, 32, req->entropy_bits) == 0)
		return 0;
	out[n++] = (struct header){ "X-Entropy-Bits", bits };
	note = task_header(req).note;
	if (note != NULL)
		out[n++] = (struct header){ "X-Entropy-Note", note };
	return n;
}

/* The first chunk of a streamed reply is in: send the headers with it. */
static enum MHD_Result reply_stream(struct exchange *ex, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_callback(
		MHD_SIZE_UNKNOWN, STREAM_BLOCK_BYTES, read_stream, ex, NULL);
	struct header extra[2];
	char bits[32];
	size_t n = entropy_headers(&ex->job.req, extra, bits);
	enum MHD_Result rc = MHD_NO;

	if (r == NULL)
		return MHD_NO;
	if (add_headers(ex, r, type, extra, n))
		rc = MHD_queue_response(ex->conn, 200, r);
	MHD_destroy_response(r);
	if (rc == MHD_YES) {
		ex->status = 200;
		ex->phase = PHASE_REPLIED;
	}
	return rc;
}

/* The scheduler is done with the job, or has its first chunk: in phase 2
 * when the first slice finished it, else in phase 3 after the resume. */
static enum MHD_Result reply_job(struct exchange *ex)
{
	struct job *job = &ex->job;
	struct header extra[2];
	char bits[32];

	static const char *const types[] = {
		[FORMAT_JSON] = "application/json",
		[FORMAT_TEXT] = "text/plain; charset=utf-8",
		[FORMAT_NDJSON] = "application/x-ndjson",
	};

	if (job->status == 0 && job->partial)
		return reply_stream(ex, types[job->req.format]);
	if (job->status == 0 && job->req.explain)
		return reply(ex, 200, types[FORMAT_JSON], job->body.buf,
			     job->body.len, MHD_RESPMEM_PERSISTENT, NULL, 0);
	if (job->status == 0)
		return reply(ex, 200, types[job->req.format], job->body.buf,
			     job->body.len, MHD_RESPMEM_PERSISTENT, extra,
			     entropy_headers(&job->req, extra, bits));
	if (job->status == -ECANCELED)
		return reply_unavailable(ex, true);
	if (job->status == -ENOMEM)
		return reply_unavailable(ex, false);
	return reply_problem(ex, 500, PROBLEM_INTERNAL,
			     "Internal Server Error",
			     "generation failed unexpectedly", NULL, NULL, 0);
}

/* ===================================================== header fields */

static enum MHD_Result add_field(void *cls, enum MHD_ValueKind kind,
				 const char *name, const char *value)
{
	(void)kind;
	framing_add(cls, name, value);
	return MHD_YES;
}

/*
 * Phase 1: refuse, with a 400 and a closed connection, a request whose end
 * two parsers could see in different places (framing.h): libmicrohttpd
 * 0.9.75 accepts all of those shapes. A reply queued on this first call
 * closes the connection, which is what we want here: nothing after these
 * bytes is read as another request.
 */
static enum MHD_Result check_header_fields(struct exchange *ex)
{
	static const struct header close[] = { { "Connection", "close" } };
	struct framing f = FRAMING_INIT;
	const char *why;

	MHD_get_connection_values(ex->conn, MHD_HEADER_KIND, add_field, &f);
	why = framing_verdict(&f);
	if (why == NULL)
		return MHD_YES;
	return reply_problem(ex, 400, PROBLEM_MALFORMED_REQUEST,
			     "Malformed request", why, NULL, close, 1);
}

/* ==================================================== the access handler */

static const char *header_value(const struct exchange *ex, const char *name)
{
	return MHD_lookup_connection_value(ex->conn, MHD_HEADER_KIND, name);
}

/* The peer's address as text, for the JSON access log. */
static void note_client(struct exchange *ex)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(
		ex->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = info != NULL ? info->client_addr : NULL;

	if (sa != NULL && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
			  ex->client, sizeof(ex->client));
	else if (sa != NULL && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)sa)->sin6_addr,
			  ex->client, sizeof(ex->client));
}

/* Phase 1: what the reply and the log line need from the request's
 * header fields, copied now (libmicrohttpd's copies go with the request):
 * its id, whether its Origin may read the reply, and for the JSON log
 * the client's address and User-Agent. */
static void note_request(struct exchange *ex)
{
	const struct config *cfg = &ex->http->cfg;
	const char *origin;

	if (!reqid_take(header_value(ex, "X-Request-Id"), ex->request_id))
		reqid_make(&ex->daemon->ids, ex->request_id);
	if (cfg->cors_origins[0] != '\0' &&
	    (origin = header_value(ex, "Origin")) != NULL &&
	    strlen(origin) < ORIGIN_MAX &&
	    (ex->origin = strdup(origin)) != NULL) {
		ex->allow_origin = cors_allow_origin(cfg->cors_origins,
						     ex->origin);
	}
	if (cfg->access_log && cfg->log_format == LOG_FORMAT_JSON) {
		const char *ua = header_value(ex, "User-Agent");

		note_client(ex);
		if (ua != NULL)
			ex->user_agent = strndup(ua, USER_AGENT_MAX);
	}
}

static enum MHD_Result reply_method_not_allowed(struct exchange *ex)
{
	static const struct header allow[] = { { "Allow", "GET, HEAD" } };

	return reply_problem(ex, 405, PROBLEM_METHOD_NOT_ALLOWED,
			     "Method Not Allowed",
			     "this route accepts GET and HEAD only", NULL,
			     allow, 1);
}

/* A CORS preflight from an allowed origin (cors.h): 204, what may be sent,
 * and for how long the browser may remember it. */
static enum MHD_Result reply_preflight(struct exchange *ex)
{
	static const struct header allow[] = {
		{ "Access-Control-Allow-Methods", CORS_ALLOW_METHODS },
		{ "Access-Control-Allow-Headers", CORS_ALLOW_HEADERS },
		{ "Access-Control-Max-Age", CORS_MAX_AGE },
	};
	static char empty[1];

	return reply(ex, 204, "text/plain; charset=utf-8", empty, 0,
		     MHD_RESPMEM_PERSISTENT, allow, 3);
}

static enum MHD_Result reply_post_only(struct exchange *ex)
{
	static const struct header allow[] = { { "Allow", "POST" } };

	return reply_problem(ex, 405, PROBLEM_METHOD_NOT_ALLOWED,
			     "Method Not Allowed", "this route accepts POST only",
			     NULL, allow, 1);
}

/* The 413 closes the connection: the rest of the body is never read. */
static enum MHD_Result reply_body_too_large(struct exchange *ex)
{
	static const struct header close[] = { { "Connection", "close" } };
	char detail[96];

	snprintf(detail, sizeof(detail),
		 "the request body is larger than %zu bytes",
		 ex->http->cfg.max_body_bytes);
	return reply_problem(ex, 413, PROBLEM_CONTENT_TOO_LARGE,
			     "Content Too Large", detail, NULL, close, 1);
}

/* ========================================================= request bodies */

/* Phase 1: a declared body over the limit is refused before a byte of it
 * is read (so no 100 Continue is sent), whatever the route. */
static enum MHD_Result expect_body(struct exchange *ex, const char *method)
{
	const char *length;
	char *end;
	unsigned long long n;

	ex->takes_body = method_is(method, "POST") &&
			 request_takes_body(ex->target, ex->target_len);
	length = MHD_lookup_connection_value(ex->conn, MHD_HEADER_KIND,
					     MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (length == NULL)
		return MHD_YES;  /* chunked, or no body */
	errno = 0;
	n = strtoull(length, &end, 10);
	if (errno == ERANGE || n > ex->http->cfg.max_body_bytes)
		return reply_body_too_large(ex);
	return MHD_YES;
}

/*
 * Phase 2, each piece of the body as it arrives: kept for a route that
 * reads it, dropped for the others, and never more than the limit either
 * way. A chunked body has no length to check first, and libmicrohttpd
 * 0.9.75 refuses a reply queued in mid-body, so one that passes the limit
 * is dropped to its end and then answered 413; one that goes on for
 * BODY_DRAIN_BYTES more is not a body but a stream, and the connection is
 * closed without a reply.
 */
static enum MHD_Result take_body(struct exchange *ex, const char *data,
				 size_t *size)
{
	size_t n = *size, max = ex->http->cfg.max_body_bytes;
	bool keep;

	*size = 0;
	ex->body_seen += n;
	if (ex->body_seen > max && !ex->body_too_large) {
		ex->body_too_large = true;
		sbuf_release(&ex->upload);
	}
	if (ex->body_seen > max + BODY_DRAIN_BYTES)
		return MHD_NO;  /* not a body but a stream: close, no reply */
	if (!ex->takes_body)
		return MHD_YES;
	keep = !ex->body_too_large;
	if (keep && sbuf_add(&ex->upload, data, n) < 0)
		return MHD_NO;
	/* The body is a secret, and libmicrohttpd frees its read buffer
	 * unwiped when the connection closes; the buffer is writable and
	 * ours during this call. */
	secmem_wipe((char *)data, n);
	return MHD_YES;
}

/* application/json (any parameters), application/<x>+json, or nothing. */
static bool is_json_type(const char *type)
{
	static const char app[] = "application/";
	size_t n;

	if (type == NULL)
		return true;
	while (*type == ' ' || *type == '\t')
		type++;
	n = strcspn(type, "; \t");
	if (n <= sizeof(app) - 1 || strncasecmp(type, app, sizeof(app) - 1) != 0)
		return false;
	type += sizeof(app) - 1;
	n -= sizeof(app) - 1;
	return (n == 4 && strncasecmp(type, "json", 4) == 0) ||
	       (n > 5 && strncasecmp(type + n - 5, "+json", 5) == 0);
}

static enum MHD_Result dispatch_ready(struct exchange *ex,
				      const struct gen_request *gen);

/* POST /v1/complex_password and POST /complex_password/{length}, once the
 * whole body is in. */
static enum MHD_Result dispatch_complex(struct exchange *ex,
					struct request *req)
{
	static const struct header accept[] = {
		{ "Accept-Post", "application/json" } };
	static char empty[1];
	struct request_error err;
	const struct complex_spec *spec;
	int rc;

	if (!is_json_type(MHD_lookup_connection_value(
		    ex->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE)))
		return reply_problem(ex, 415, PROBLEM_UNSUPPORTED_MEDIA_TYPE,
				     "Unsupported Media Type",
				     "the body must be application/json", NULL,
				     accept, 1);
	if (req->route == ROUTE_BLOG_COMPLEX) {
		const struct complex_blog args = { req->blog_length,
						   req->gen.quantity,
						   req->blog_punctuation };

		rc = complex_parse_blog(ex->upload.buf != NULL ? ex->upload.buf
							       : empty,
					ex->upload.len, &args, &ex->complex,
					&err);
	} else {
		rc = complex_parse(ex->upload.buf != NULL ? ex->upload.buf
							  : empty,
				   ex->upload.len, &ex->complex, &err);
	}
	sbuf_release(&ex->upload);  /* parsed: the raw copy goes at once */
	if (rc == -ENOMEM)
		return reply_unavailable(ex, false);
	if (rc < 0)
		return reply_request_error(ex, &err);
	spec = ex->complex;
	if (original_settle_complex(req, spec->additional_length,
				    spec->punctuation, spec->quantity,
				    &err) < 0)
		return reply_request_error(ex, &err);
	req->gen.complex = spec;
	return dispatch_ready(ex, &req->gen);
}

/* Every loop's shard and scheduler, summed: a scrape on any loop sees the
 * whole process. */
char *http_metrics_text(const struct http *h, const struct metrics *extra,
			size_t *len)
{
	const struct metrics *shards[CONFIG_MAX_LOOPS + 1];
	struct metrics_gauges g = {
		.loops = h->ndaemons,
		.inflight_bytes = admission_inflight(h->adm),
		.inflight_bytes_limit = h->cfg.max_inflight_bytes,
		.connection_limit = h->cfg.connection_limit,
	};
	struct versions v;
	size_t n = 0;

	for (size_t i = 0; i < h->ndaemons; i++) {
		const struct http_daemon *d = h->daemons[i];
		struct sched_stats st;

		sched_get_stats(d->sched, &st);
		shards[n++] = d->metrics;
		g.inflight_requests += counter_get(&d->active);
		g.open_connections += counter_get(&d->connections);
		g.scheduler_queue_depth += st.queued;
		g.jobs_first_slice += st.jobs_first_slice;
		g.jobs_suspended += st.jobs_suspended;
		g.scheduler_rounds += st.rounds;
	}
	if (extra != NULL)
		shards[n++] = extra;
	procstat_sample(&g.process);
	version_get(&v, MHD_get_version());
	return metrics_render(shards, n, &g, &v, len);
}

static enum MHD_Result reply_metrics(struct exchange *ex)
{
	size_t len = 0;
	char *body = http_metrics_text(ex->http, NULL, &len);

	if (body == NULL)
		return MHD_NO;
	return reply(ex, 200, METRICS_CONTENT_TYPE, body, len,
		     MHD_RESPMEM_MUST_FREE, NULL, 0);
}

/* GET /policies: the listing rendered when the set was loaded, copied
 * because the set may be replaced before the reply is sent. */
static enum MHD_Result reply_policies(struct exchange *ex)
{
	const struct policies *set = atomic_load(&ex->http->policies);

	if (set == NULL)
		return reply(ex, 200, "application/json",
			     (void *)policyfile_empty_listing,
			     strlen(policyfile_empty_listing),
			     MHD_RESPMEM_PERSISTENT, NULL, 0);
	return reply(ex, 200, "application/json", set->listing,
		     set->listing_len, MHD_RESPMEM_MUST_COPY, NULL, 0);
}

static enum MHD_Result reply_ops_body(struct exchange *ex,
				      const struct ops_body *out)
{
	struct header extra[OPS_MAX_HEADERS];
	size_t n = out->n_headers < OPS_MAX_HEADERS ? out->n_headers
						    : OPS_MAX_HEADERS;

	for (size_t i = 0; i < n; i++)
		extra[i] = (struct header){ out->headers[i].name,
					    out->headers[i].value };
	return reply(ex, 200, out->type, out->body, out->len,
		     out->owned ? MHD_RESPMEM_MUST_FREE
				: MHD_RESPMEM_PERSISTENT,
		     extra, n);
}

/* GET / for a client that asks for JSON, not HTML: the blog-era reply,
 * one password of 12 with punctuation, {"message":"Success","data":
 * [{"1º pin":"..."}]}, exactly as GET /pass/12?quantity=1&ponctuation=true
 * gives it (docs/COMPAT.md). */
static enum MHD_Result dispatch_blog_index(struct exchange *ex)
{
	static const char target[] = "/pass/12?quantity=1&ponctuation=true";
	struct request req;
	struct request_error err;

	ex->route = METRICS_ROUTE_ORIGINAL;
	if (request_parse(target, sizeof(target) - 1, ex->http->cfg.max_quantity,
			  &req, &err) < 0)
		return reply_request_error(ex, &err);
	return dispatch_ready(ex, &req.gen);
}

/* Whether this port serves an operational route: /metrics and /version
 * move to the admin listener when there is one, and --web off turns the
 * pages off (GET / still answers JSON clients). */
static bool serves_ops(const struct http *h, enum ops_route route)
{
	if (h->cfg.admin_port != 0 && ops_is_internal(route))
		return false;
	return h->cfg.web || !ops_is_page(route) || route == OPS_WEB_INDEX;
}

/* An operational route (ops.h), in the order of generation routes: method
 * (405), query (400), draining (503), then the route itself. */
static enum MHD_Result dispatch_ops(struct exchange *ex, const char *method,
				    enum ops_route route, const char *query,
				    size_t query_len)
{
	struct http *h = ex->http;
	struct request_error err;
	struct ops_body out;

	ex->route = ops_metrics_route(route);
	if (!method_is(method, "GET") && !method_is(method, "HEAD"))
		return reply_method_not_allowed(ex);
	if (ops_check_query(query, query_len, &err) < 0)
		return reply_request_error(ex, &err);
	if (atomic_load(&h->draining))
		return reply_unavailable(ex, true);
	if (route == OPS_READYZ && !h->ready)
		return reply_not_ready(ex);
	if (route == OPS_WEB_INDEX) {
		ex->vary_accept = true;
		if (!h->cfg.web || !negotiate_wants_html(header_value(
					   ex, MHD_HTTP_HEADER_ACCEPT)))
			return dispatch_blog_index(ex);
	}
	if (route == OPS_METRICS)
		return reply_metrics(ex);
	if (route == OPS_POLICIES)
		return reply_policies(ex);
	if (ops_render(route, MHD_get_version(), &out) < 0)
		return MHD_NO;
	return reply_ops_body(ex, &out);
}

/* A kind's own route is counted under the kind's label (metrics.h). */
static enum metrics_route metrics_route_of(enum route route)
{
	if (route_is_kind(route))
		return (enum metrics_route)route;
	return route == ROUTE_HEALTHZ ? METRICS_ROUTE_HEALTHZ
				      : METRICS_ROUTE_ORIGINAL;
}

/* Phase 2: the whole request is in. */
/* format= wins; otherwise the Accept header decides (negotiate.h). */
static bool choose_format(struct exchange *ex, struct gen_request *gen)
{
	if (gen->format_given)
		return true;
	return negotiate_format(MHD_lookup_connection_value(
					ex->conn, MHD_HEADER_KIND,
					MHD_HTTP_HEADER_ACCEPT),
				&gen->format) == 0;
}

/* 307 to the same path without its trailing slash, as the original's
 * framework answered (request_slash_redirect); the method and body are to
 * be sent again there. */
static enum MHD_Result reply_redirect(struct exchange *ex,
				      const char *location)
{
	const struct header where[] = { { "Location", location } };
	static char empty[1];

	ex->route = METRICS_ROUTE_ORIGINAL;
	return reply(ex, 307, "text/plain; charset=utf-8", empty, 0,
		     MHD_RESPMEM_PERSISTENT, where, 1);
}

static enum MHD_Result dispatch(struct exchange *ex, const char *method)
{
	struct http *h = ex->http;
	char location[PWGEND_LOCATION_MAX];
	struct request req;
	struct request_error err;
	enum ops_route ops;
	const char *query;
	size_t query_len;
	/* a CORS preflight from an allowed origin, to a route that exists */
	bool preflight = method_is(method, "OPTIONS") &&
			 ex->allow_origin != NULL &&
			 header_value(ex, "Access-Control-Request-Method") !=
				 NULL;
	int rc;

	if (ex->body_too_large)
		return reply_body_too_large(ex);
	if (ex->target_len > h->cfg.max_url_length)
		return reply_problem(ex, 414, PROBLEM_URI_TOO_LONG,
				     "URI Too Long",
				     "the request-target is longer than the "
				     "server accepts", NULL, NULL, 0);
	if (request_slash_redirect(ex->target, ex->target_len, location,
				   sizeof(location)))
		return reply_redirect(ex, location);
	if (ops_match(ex->target, ex->target_len, &ops, &query, &query_len) &&
	    serves_ops(h, ops)) {
		ex->route = ops_metrics_route(ops);
		return preflight ? reply_preflight(ex)
				 : dispatch_ops(ex, method, ops, query,
						query_len);
	}
	rc = request_parse_policies(ex->target, ex->target_len,
				    h->cfg.max_quantity,
				    atomic_load(&h->policies), &req, &err);
	if (rc < 0 && err.stage == REQUEST_STAGE_PATH) {
		if (err.status == 404)
			ex->route = METRICS_ROUTE_NOT_FOUND;
		return reply_request_error(ex, &err);
	}
	ex->route = metrics_route_of(req.route);
	if (preflight)
		return reply_preflight(ex);
	if (route_takes_body(req.route) && !method_is(method, "POST"))
		return reply_post_only(ex);
	if (!route_takes_body(req.route) && !method_is(method, "GET") &&
	    !method_is(method, "HEAD"))
		return reply_method_not_allowed(ex);
	if (rc < 0)
		return reply_request_error(ex, &err);
	if (route_takes_body(req.route))
		return dispatch_complex(ex, &req);
	if (req.route != ROUTE_HEALTHZ && req.route != ROUTE_V1_HEALTH &&
	    !choose_format(ex, &req.gen))
		return reply_problem(ex, 406, PROBLEM_NOT_ACCEPTABLE,
				     "Not Acceptable",
				     "this route answers application/json, "
				     "text/plain or application/x-ndjson",
				     NULL, NULL, 0);
	if (atomic_load(&h->draining))
		return reply_unavailable(ex, true);
	if (req.route == ROUTE_HEALTHZ)
		return reply_status(ex, "ok");
	if (req.route == ROUTE_V1_HEALTH)
		return reply_v1_health(ex);
	return dispatch_ready(ex, &req.gen);
}

/* A valid generation request: generate unless the server cannot, or the
 * request would hold its loop's share of the CPU for too long. */
static enum MHD_Result dispatch_ready(struct exchange *ex,
				      const struct gen_request *gen)
{
	struct request_error err;

	if (request_check_work(gen, ex->http->cfg.max_work, &err) < 0)
		return reply_request_error(ex, &err);
	if (atomic_load(&ex->http->draining))
		return reply_unavailable(ex, true);
	if (!ex->http->ready)
		return reply_not_ready(ex);
	return submit(ex, gen);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn,
				 const char *url, const char *method,
				 const char *version, const char *upload_data,
				 size_t *upload_data_size, void **req_cls)
{
	struct exchange *ex = *req_cls;

	(void)cls;
	(void)conn;
	(void)url;
	(void)version;
	if (ex == NULL)
		return MHD_NO;  /* on_uri could not allocate */
	switch (ex->phase) {
	case PHASE_HEADERS:
		/* From here the request counts as in progress for draining;
		 * one that libmicrohttpd refuses before this point never
		 * reaches us and must not hold a shutdown up. */
		counter_add(&ex->daemon->active, 1);
		snprintf(ex->method, sizeof(ex->method), "%s", method);
		note_request(ex);
		ex->phase = PHASE_BODY;
		if (check_header_fields(ex) != MHD_YES ||
		    ex->phase == PHASE_REPLIED)
			return ex->phase == PHASE_REPLIED ? MHD_YES : MHD_NO;
		return expect_body(ex, method);
	case PHASE_BODY:
		if (*upload_data_size != 0)
			return take_body(ex, upload_data, upload_data_size);
		return dispatch(ex, method);
	case PHASE_SUSPENDED:
		return reply_job(ex);
	case PHASE_REPLIED:
		break;
	}
	return MHD_NO;
}

/* ============================================================= lifecycle */

int http_address_parse(const char *ip, size_t port, struct http_address *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, ip, &out->in4.sin_addr) == 1) {
		out->in4.sin_family = AF_INET;
		out->in4.sin_port = htons((uint16_t)port);
		out->len = sizeof(out->in4);
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, ip, &out->in6.sin6_addr) == 1) {
		out->in6.sin6_family = AF_INET6;
		out->in6.sin6_port = htons((uint16_t)port);
		out->len = sizeof(out->in6);
		out->family = AF_INET6;
		return 0;
	}
	return -1;
}

/*
 * The one listening socket of every loop. Bound here, not by
 * libmicrohttpd, and without SO_REUSEPORT: a second pwgend on a busy port
 * must fail, not silently share it. SO_REUSEADDR only lets a restart bind
 * while old connections sit in TIME_WAIT (on Linux it does not let two
 * sockets listen on one port). IPv6 sockets are IPv6 only, as
 * libmicrohttpd made them.
 *
 * SO_SNDBUF set here is inherited by every accepted connection: with
 * autotuning, a client that asks for a large reply and never reads lets
 * the kernel queue megabytes for it (300 such clients held 656 MiB, charged
 * to the container's cgroup); a fixed buffer bounds that, and the idle
 * timeout then closes them.
 */
static int set_send_buffer(int fd, size_t bytes)
{
	int n = bytes > INT_MAX ? INT_MAX : (int)bytes;

	if (bytes == 0)
		return 0;  /* the kernel's autotuning */
	return setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &n, sizeof(n));
}

static int open_listener(struct http *h, char *err, size_t errlen)
{
	const struct config *cfg = &h->cfg;
	struct http_address addr;
	socklen_t len;
	int one = 1, fd;

	if (http_address_parse(cfg->bind, cfg->port, &addr) < 0) {
		snprintf(err, errlen, "--bind: not an IP address: %s",
			 cfg->bind);
		return -1;
	}
	h->family = addr.family;
	len = addr.len;
	fd = socket(h->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (h->family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) <
		     0) ||
	    set_send_buffer(fd, cfg->send_buffer_bytes) < 0 ||
	    bind(fd, &addr.sa, len) < 0 || listen(fd, SOMAXCONN) < 0 ||
	    getsockname(fd, &addr.sa, &len) < 0) {
		snprintf(err, errlen, "cannot listen on %s port %zu: %s",
			 cfg->bind, cfg->port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	h->listen_fd = fd;
	h->port = ntohs(h->family == AF_INET ? addr.in4.sin_port
					     : addr.in6.sin6_port);
	return 0;
}

struct http *http_new(const struct config *cfg, size_t nloops, bool ready,
		      struct admission *adm, char *err, size_t errlen)
{
	struct http *h = calloc(1, sizeof(*h));

	if (h == NULL || nloops == 0 || nloops > CONFIG_MAX_LOOPS ||
	    (h->daemons = calloc(nloops, sizeof(*h->daemons))) == NULL) {
		snprintf(err, errlen, "out of memory");
		free(h);
		return NULL;
	}
	h->cfg = *cfg;
	h->ready = ready;
	h->adm = adm;
	h->listen_fd = -1;
	atomic_init(&h->draining, false);
	atomic_init(&h->policies, NULL);
	h->readers = qsbr_new(nloops);
	if (h->readers == NULL) {
		snprintf(err, errlen, "out of memory");
		http_free(h);
		return NULL;
	}
	if (cfg->per_ip_connection_limit > 0) {
		h->per_addr = addr_limit_new(cfg->per_ip_connection_limit);
		if (h->per_addr == NULL) {
			snprintf(err, errlen, "out of memory");
			http_free(h);
			return NULL;
		}
	}
	if (open_listener(h, err, errlen) < 0) {
		http_free(h);
		return NULL;
	}
	return h;
}

unsigned http_port(const struct http *h)
{
	return h->port;
}

/* Loop `index`'s share of the connection limit: equal shares that add up
 * to the limit, at least one each. */
static size_t connection_share(const struct config *cfg, size_t index,
			       size_t nloops)
{
	size_t share = cfg->connection_limit / nloops;

	if (index < cfg->connection_limit % nloops)
		share++;
	return share > 0 ? share : 1;
}

static struct MHD_Daemon *start_mhd(struct http_daemon *d)
{
	const struct config *cfg = &d->http->cfg;
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
			 MHD_USE_ERROR_LOG | MHD_USE_NO_LISTEN_SOCKET;
	struct MHD_OptionItem opts[] = {
		/* first, or earlier options' messages bypass it */
		{ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)log_library, NULL },
		{ MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, d },
		{ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, d },
		{ MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, d },
		{ MHD_OPTION_CONNECTION_LIMIT, (intptr_t)d->share, NULL },
		{ MHD_OPTION_CONNECTION_TIMEOUT,
		  (intptr_t)cfg->connection_timeout, NULL },
		{ MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		  (intptr_t)cfg->connection_memory_limit, NULL },
		/* MHD's levels are -1 (lenient), 0 and 1 (strict); the flag
		 * counts 0..2 so that it needs no sign */
		{ MHD_OPTION_STRICT_FOR_CLIENT,
		  (intptr_t)cfg->strict_client - 1, NULL },
		{ MHD_OPTION_END, 0, NULL },
	};

	if (d->http->family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (!tls_enabled())
		return MHD_start_daemon(flags, 0, NULL, NULL, on_access, d,
					MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	/* HTTPS: the certificate comes from tls.c at every handshake, so a
	 * reload takes effect for new connections without a restart */
	return MHD_start_daemon(flags | MHD_USE_TLS, 0, NULL, NULL, on_access,
				d, MHD_OPTION_ARRAY, opts,
				MHD_OPTION_HTTPS_CERT_CALLBACK, tls_certificate,
				MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES,
				MHD_OPTION_END);
}

struct http_daemon *http_daemon_start(struct http *h, size_t index,
				      size_t nloops, struct sched *sched,
				      char *err, size_t errlen)
{
	struct http_daemon *d = aligned_alloc(64, sizeof(*d));

	if (d == NULL || index >= nloops) {
		snprintf(err, errlen, "out of memory");
		free(d);
		return NULL;
	}
	memset(d, 0, sizeof(*d));
	d->http = h;
	d->sched = sched;
	d->share = connection_share(&h->cfg, index, nloops);
	d->index = index;
	reqid_source_init(&d->ids);
	d->metrics = metrics_new();
	if (d->metrics != NULL)
		d->mhd = start_mhd(d);
	if (d->mhd == NULL) {
		snprintf(err, errlen, "cannot start libmicrohttpd on loop %zu",
			 index);
		metrics_free(d->metrics);
		free(d);
		return NULL;
	}
	h->daemons[index] = d;
	if (index >= h->ndaemons)
		h->ndaemons = index + 1;
	return d;
}

int http_daemon_fd(const struct http_daemon *d)
{
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(d->mhd, MHD_DAEMON_INFO_EPOLL_FD);

	return info != NULL ? info->epoll_fd : -1;
}

int http_daemon_timeout_ms(const struct http_daemon *d)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(d->mhd, &ms) != MHD_YES)
		return -1;
	return ms < INT_MAX ? (int)ms : INT_MAX;
}

void http_daemon_run(struct http_daemon *d)
{
	MHD_run(d->mhd);
}

void http_daemon_online(struct http_daemon *d)
{
	qsbr_online(d->http->readers, d->index);
}

void http_daemon_offline(struct http_daemon *d)
{
	qsbr_offline(d->http->readers, d->index);
}

/* Free the retired sets: only after a synchronize that began once they
 * were unpublished, so that every loop has let go of them too. */
static void free_retired(struct http *h)
{
	while (h->retired != NULL) {
		struct policies *next = h->retired->retired_next;

		policies_free(h->retired);
		h->retired = next;
	}
}

bool http_set_policies(struct http *h, struct policies *set)
{
	struct policies *old = atomic_exchange(&h->policies, set);

	if (old == NULL && h->retired == NULL)
		return true;
	if (qsbr_synchronize(h->readers, HTTP_RETIRE_WAIT_MS)) {
		/* the sets kept by earlier reloads as well: else a busy
		 * server reloaded often would keep every one until exit */
		policies_free(old);
		free_retired(h);
		return true;
	}
	if (old != NULL) {
		old->retired_next = h->retired;
		h->retired = old;
	}
	return false;
}

int http_listen_fd(const struct http *h)
{
	return h->listen_fd;
}

static bool later_than(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

bool http_daemon_wants_connections(const struct http_daemon *d)
{
	struct timespec now;

	if (d->quiesced || counter_get(&d->connections) >= d->share)
		return false;
	if (d->fds_out_until.tv_sec == 0)
		return true;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return later_than(&now, &d->fds_out_until);
}

/* The per-address limit, then libmicrohttpd, which takes the descriptor
 * (and closes it if it refuses the connection). */
static void add_connection(struct http_daemon *d, int fd,
			   const struct sockaddr *sa, socklen_t len)
{
	if (d->http->per_addr != NULL) {
		struct addr_key key = addr_key_of(sa, len);

		if (!addr_limit_take(d->http->per_addr, &key)) {
			close(fd);
			return;
		}
		d->pending = key;
		d->has_pending = true;
	}
	MHD_add_connection(d->mhd, fd, sa, len);  /* on_connection claims */
	drop_pending(d);                          /* unless it refused */
}

/* Out of descriptors: stop accepting for a moment (a close ends it
 * sooner) instead of spinning on a listening socket that stays ready. */
static void pause_accepting(struct http_daemon *d)
{
	clock_gettime(CLOCK_MONOTONIC, &d->fds_out_until);
	d->fds_out_until.tv_nsec += 100 * 1000 * 1000;
	if (d->fds_out_until.tv_nsec >= 1000 * 1000 * 1000) {
		d->fds_out_until.tv_sec++;
		d->fds_out_until.tv_nsec -= 1000 * 1000 * 1000;
	}
}

size_t http_daemon_accept(struct http_daemon *d, size_t max)
{
	size_t n = 0;

	while (n < max && http_daemon_wants_connections(d)) {
		struct http_address addr;
		socklen_t len = sizeof(addr.in6);
		int fd = accept4(d->http->listen_fd, &addr.sa, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				pause_accepting(d);
			break;  /* EAGAIN: none left, or another loop took it */
		}
		add_connection(d, fd, &addr.sa, len);
		n++;
	}
	return n;
}

void http_daemon_quiesce(struct http_daemon *d)
{
	d->quiesced = true;
}

void http_daemon_stop(struct http_daemon *d)
{
	if (d == NULL || d->mhd == NULL)
		return;
	MHD_stop_daemon(d->mhd);
	d->mhd = NULL;
}

bool http_draining(const struct http *h)
{
	return atomic_load(&((struct http *)h)->draining);
}

bool http_ready(const struct http *h)
{
	return h->ready && !http_draining(h);
}

void http_begin_drain(struct http *h)
{
	atomic_store(&h->draining, true);
}

void http_close_listener(struct http *h)
{
	/* Every daemon has stopped accepting; shutting the socket down makes
	 * Linux refuse new clients at once instead of leaving them in the
	 * backlog until they time out. The descriptor stays open until
	 * http_free. */
	if (h->listen_fd >= 0)
		shutdown(h->listen_fd, SHUT_RDWR);
}

size_t http_active(const struct http *h)
{
	size_t n = 0;

	for (size_t i = 0; i < h->ndaemons; i++)
		n += counter_get(&h->daemons[i]->active);
	return n;
}

size_t http_wait_idle(const struct http *h, long timeout_ms)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	for (long waited = 0; http_active(h) > 0 && waited < timeout_ms;
	     waited += 10)
		nanosleep(&tick, NULL);
	return http_active(h);
}

void http_free(struct http *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->ndaemons; i++) {
		if (h->daemons[i] == NULL)
			continue;
		http_daemon_stop(h->daemons[i]);
		metrics_free(h->daemons[i]->metrics);
		free(h->daemons[i]);
	}
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	/* every loop has stopped: no reader is left */
	policies_free(atomic_load(&h->policies));
	free_retired(h);
	qsbr_free(h->readers);
	addr_limit_free(h->per_addr);
	free(h->daemons);
	free(h);
}
