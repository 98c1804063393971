/* admin.c - see admin.h. */
#include "admin.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "http.h"
#include "log.h"
#include "metrics.h"
#include "ops.h"
#include "render.h"
#include "request.h"

enum { ADMIN_BODY_MAX = 64 * 1024 };

struct admin {
	struct MHD_Daemon *mhd;
	struct http *http;
	struct metrics *metrics;       /* written by the admin thread only */
	unsigned port;
};

/* One request: its raw target (with the query, which ops_check_query
 * needs), when it started and what it was answered, for the metrics. */
struct admin_request {
	struct timespec start;
	enum metrics_route route;
	int status;
	bool headers_seen;             /* the first handler call is past */
	size_t body_seen;              /* bytes of a body, dropped */
	char target[];
};

static long elapsed_us(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000000L +
	       (now.tv_nsec - start->tv_nsec) / 1000L;
}

/* MHD_OPTION_URI_LOG_CALLBACK: the raw request-target. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	size_t n = uri != NULL ? strlen(uri) : 0;
	struct admin_request *ar = uri != NULL ? calloc(1, sizeof(*ar) + n + 1)
					       : NULL;

	(void)cls;
	(void)conn;
	if (ar == NULL)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &ar->start);
	ar->route = METRICS_ROUTE_NOT_FOUND;
	memcpy(ar->target, uri, n + 1);
	return ar;
}

static enum MHD_Result queue(struct MHD_Connection *conn,
			     struct admin_request *ar, unsigned status,
			     const struct ops_body *out, const char *allow);

/* A problem+json reply; `parameter` names the query parameter at fault. */
static enum MHD_Result problem_naming(struct MHD_Connection *conn,
				      struct admin_request *ar,
				      unsigned status, const char *type,
				      const char *title, const char *detail,
				      const char *parameter, const char *allow)
{
	struct ops_body out = { "application/problem+json", NULL, 0, true,
				NULL, 0 };

	out.body = render_problem((int)status, type, title, detail, parameter,
				  &out.len);
	if (out.body == NULL)
		return MHD_NO;
	return queue(conn, ar, status, &out, allow);
}

static enum MHD_Result queue(struct MHD_Connection *conn,
			     struct admin_request *ar, unsigned status,
			     const struct ops_body *out, const char *allow)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		out->len, out->body,
		out->owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc = MHD_NO;

	if (r == NULL) {
		if (out->owned)
			free(out->body);
		return MHD_NO;
	}
	if (MHD_add_response_header(r, "Content-Type", out->type) == MHD_YES &&
	    MHD_add_response_header(r, "Cache-Control", "no-store") ==
		    MHD_YES &&
	    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff") ==
		    MHD_YES &&
	    (allow == NULL ||
	     MHD_add_response_header(r, "Allow", allow) == MHD_YES))
		rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	if (rc == MHD_YES)
		ar->status = (int)status;
	return rc;
}

static enum MHD_Result problem(struct MHD_Connection *conn,
			       struct admin_request *ar, unsigned status,
			       const char *type, const char *title,
			       const char *detail, const char *allow)
{
	return problem_naming(conn, ar, status, type, title, detail, NULL,
			      allow);
}

static enum MHD_Result serve(struct admin *a, struct MHD_Connection *conn,
			     struct admin_request *ar, const char *method)
{
	struct request_error err;
	struct ops_body out = { METRICS_CONTENT_TYPE, NULL, 0, true, NULL,
				0 };
	enum ops_route route;
	const char *query;
	size_t query_len;

	if (!ops_match(ar->target, strlen(ar->target), &route, &query,
		       &query_len) ||
	    !ops_is_admin(route))
		return problem(conn, ar, 404, PROBLEM_NOT_FOUND, "Not Found",
			       "the admin listener serves /metrics, /version, "
			       "/livez and /readyz only", NULL);
	ar->route = ops_metrics_route(route);
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return problem(conn, ar, 405, PROBLEM_METHOD_NOT_ALLOWED,
			       "Method Not Allowed",
			       "this route accepts GET and HEAD only",
			       "GET, HEAD");
	if (ops_check_query(query, query_len, &err) < 0)
		return problem_naming(conn, ar, (unsigned)err.status,
				      err.type, err.title, err.detail,
				      err.parameter[0] != '\0' ? err.parameter
								: NULL,
				      NULL);
	if (route == OPS_READYZ && !http_ready(a->http))
		return problem(conn, ar, 503,
			       http_draining(a->http) ? PROBLEM_DRAINING
						      : PROBLEM_NOT_READY,
			       "Service Unavailable",
			       http_draining(a->http)
				       ? "the server is shutting down"
				       : "the random number generator failed "
					 "its start-up self-test",
			       NULL);
	if (route == OPS_METRICS)
		out.body = http_metrics_text(a->http, a->metrics, &out.len);
	else if (ops_render(route, MHD_get_version(), &out) < 0)
		return MHD_NO;
	if (out.body == NULL)
		return MHD_NO;
	return queue(conn, ar, 200, &out, NULL);
}

/* Answers once the whole request is in (on libmicrohttpd 0.9.75 a reply
 * queued on the first call closes the connection, so probes and scrapes
 * could never reuse one); a body, which no admin route takes, is read and
 * dropped, and one past ADMIN_BODY_MAX closes the connection: no prober
 * sends one, and a client must not keep this thread busy with it. */
static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn,
				 const char *url, const char *method,
				 const char *version, const char *upload_data,
				 size_t *upload_data_size, void **req_cls)
{
	struct admin_request *ar = *req_cls;

	(void)url;
	(void)version;
	(void)upload_data;
	if (ar == NULL)
		return MHD_NO;  /* on_uri could not allocate */
	if (!ar->headers_seen) {
		ar->headers_seen = true;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		ar->body_seen += *upload_data_size;
		*upload_data_size = 0;
		return ar->body_seen <= ADMIN_BODY_MAX ? MHD_YES : MHD_NO;
	}
	if (ar->status != 0)
		return MHD_NO;
	return serve(cls, conn, ar, method);
}

static void on_completed(void *cls, struct MHD_Connection *conn,
			 void **req_cls, enum MHD_RequestTerminationCode toe)
{
	struct admin *a = cls;
	struct admin_request *ar = *req_cls;

	(void)conn;
	(void)toe;
	if (ar == NULL)
		return;
	metrics_observe(a->metrics, ar->route, ar->status,
			elapsed_us(&ar->start));
	free(ar);
	*req_cls = NULL;
}

struct admin *admin_start(const struct config *cfg, struct http *http,
			  char *err, size_t errlen)
{
	struct admin *a = calloc(1, sizeof(*a));
	struct http_address addr;
	const union MHD_DaemonInfo *info;

	if (a == NULL || (a->metrics = metrics_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		free(a);
		return NULL;
	}
	a->http = http;
	if (http_address_parse(cfg->admin_bind, cfg->admin_port, &addr) < 0) {
		snprintf(err, errlen, "--admin-bind: not an IP address: %s",
			 cfg->admin_bind);
		admin_stop(a);
		return NULL;
	}
	/* A few connections are plenty for probes and a scraper; the
	 * timeout closes what a stray client leaves open, and no one address
	 * may hold more than 8, so a client that trickles headers on many
	 * connections cannot starve the kubelet's probes from another. */
	a->mhd = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			MHD_USE_ERROR_LOG |
			(addr.family == AF_INET6 ? MHD_USE_IPv6 : 0),
		(uint16_t)cfg->admin_port, NULL, NULL, on_access, a,
		MHD_OPTION_EXTERNAL_LOGGER, log_library, NULL,  /* first */
		MHD_OPTION_SOCK_ADDR, &addr.sa,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, a,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, a,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)8,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
		MHD_OPTION_END);
	if (a->mhd == NULL) {
		snprintf(err, errlen, "cannot listen on %s port %zu (admin)",
			 cfg->admin_bind, cfg->admin_port);
		admin_stop(a);
		return NULL;
	}
	info = MHD_get_daemon_info(a->mhd, MHD_DAEMON_INFO_BIND_PORT);
	a->port = info != NULL ? info->port : (unsigned)cfg->admin_port;
	return a;
}

unsigned admin_port(const struct admin *a)
{
	return a->port;
}

void admin_stop(struct admin *a)
{
	if (a == NULL)
		return;
	if (a->mhd != NULL)
		MHD_stop_daemon(a->mhd);
	metrics_free(a->metrics);
	free(a);
}
