/* harness.c - see harness.h. */
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { MAX_ARGS = 48, START_TIMEOUT_MS = 10000, IO_TIMEOUT_S = 30,
       MAX_HEAD = 65536 };

static const char LISTEN_PREFIX[] = "pwgend listening on http://127.0.0.1:";

/* ================================================================== misc */

void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void set_cloexec(int fd)
{
	fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
}

/* A whole file, from its start, into a NUL-terminated malloc'd string
 * (empty if unreadable). */
static char *slurp(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);

	while (buf != NULL && fd >= 0) {
		ssize_t n = pread(fd, buf + len, cap - len - 1, (off_t)len);
		char *bigger;

		if (n <= 0)
			break;
		len += (size_t)n;
		if (cap - len > 1)
			continue;
		bigger = realloc(buf, cap * 2);
		if (bigger == NULL)
			break;
		buf = bigger;
		cap *= 2;
	}
	if (buf != NULL)
		buf[len] = '\0';
	return buf;
}

/* ================================================================ server */

const char *server_binary(void)
{
	const char *bin = getenv("PWGEND_BIN");

	return bin != NULL && bin[0] != '\0' ? bin : "./build/pwgend";
}

/* In the child, before exec: the limits and identity the test asked for
 * (setgid first, while we still may). */
static void apply_spawn_opts(const struct spawn_opts *o)
{
	if (o == NULL)
		return;
	if (o->nofile > 0) {
		struct rlimit rl = { (rlim_t)o->nofile, (rlim_t)o->nofile };

		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			_exit(126);
	}
	if (o->set_uid && (setgid(o->uid) < 0 || setuid(o->uid) < 0))
		_exit(126);
}

/* In the forked child: wire stdio, make sure the server dies with the test
 * process (a failed Check test exits without running our cleanup), exec. */
static void exec_child(pid_t parent, char **argv, int in_fd, int out_fd,
		       int err_fd, const struct spawn_opts *opts)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
	    dup2(err_fd, STDERR_FILENO) < 0)
		_exit(127);
	apply_spawn_opts(opts);  /* first: a change of uid clears PDEATHSIG */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);  /* the parent died before prctl */
	execv(argv[0], argv);
	_exit(127);
}

/* Fork and exec argv with the given stdout/stderr descriptors. */
static pid_t spawn(char **argv, int out_fd, int err_fd,
		   const struct spawn_opts *opts)
{
	pid_t parent = getpid(), pid;
	int null_fd = open("/dev/null", O_RDONLY);

	if (null_fd < 0)
		return -1;
	set_cloexec(null_fd);
	pid = fork();
	if (pid == 0)
		exec_child(parent, argv, null_fd, out_fd, err_fd, opts);
	close(null_fd);
	return pid;
}

/* An anonymous temp file: created, then unlinked at once. */
static int make_log(void)
{
	char path[] = "/tmp/pwgend-it-XXXXXX";
	int fd = mkstemp(path);

	if (fd >= 0) {
		unlink(path);
		set_cloexec(fd);
	}
	return fd;
}

/* Read the first stdout line (up to timeout) and take the port from it. */
static int read_port(int fd, unsigned *port)
{
	char line[256];
	size_t len = 0;
	long deadline = now_ms() + START_TIMEOUT_MS;

	while (len < sizeof(line) - 1 && memchr(line, '\n', len) == NULL) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -1;
		n = read(fd, line + len, 1);  /* byte by byte: stop at '\n' */
		if (n <= 0)
			return -1;
		len += (size_t)n;
	}
	line[len] = '\0';
	if (strncmp(line, LISTEN_PREFIX, sizeof(LISTEN_PREFIX) - 1) != 0 ||
	    sscanf(line + sizeof(LISTEN_PREFIX) - 1, "%u", port) != 1 ||
	    *port == 0 || *port > 65535)
		return -1;
	return 0;
}

/* With --log-format json the start-up line is a JSON object on stderr:
 * wait for its "server.port". */
static int read_port_from_log(const struct server *s, unsigned *port)
{
	static const char key[] = "\"server.port\":";
	long deadline = now_ms() + START_TIMEOUT_MS;

	while (now_ms() < deadline) {
		char *log = slurp(s->log_fd);
		const char *at = log != NULL ? strstr(log, key) : NULL;
		int found = at != NULL &&
			    sscanf(at + sizeof(key) - 1, "%u", port) == 1;

		free(log);
		if (found)
			return *port > 0 && *port <= 65535 ? 0 : -1;
		siginfo_t info = { 0 };

		if (waitid(P_PID, (id_t)s->pid, &info,
			   WEXITED | WNOHANG | WNOWAIT) < 0 ||
		    info.si_pid != 0)
			return -1;  /* it exited: server_stop reaps it */
		sleep_ms(10);
	}
	return -1;
}

static bool logs_json(const char *const *flags)
{
	for (; flags != NULL && flags[0] != NULL && flags[1] != NULL; flags++)
		if (strcmp(flags[0], "--log-format") == 0 &&
		    strcmp(flags[1], "json") == 0)
			return true;
	return false;
}

int server_start(struct server *s, const char *const *flags)
{
	return server_start_with(s, flags, NULL);
}

int server_start_with(struct server *s, const char *const *flags,
		      const struct spawn_opts *opts)
{
	char *argv[MAX_ARGS] = { (char *)server_binary(), "--port", "0",
				 "--bind", "127.0.0.1" };
	size_t argc = 5;
	bool json = logs_json(flags);
	int out[2];

	memset(s, 0, sizeof(*s));
	s->out_fd = -1;
	for (; flags != NULL && *flags != NULL && argc < MAX_ARGS - 1; flags++)
		argv[argc++] = (char *)*flags;
	argv[argc] = NULL;
	s->log_fd = make_log();
	if (s->log_fd < 0)
		return -1;
	if (pipe(out) < 0) {
		server_stop(s);
		return -1;
	}
	set_cloexec(out[0]);
	set_cloexec(out[1]);
	s->pid = spawn(argv, out[1], s->log_fd, opts);
	close(out[1]);
	s->out_fd = out[0];
	if (s->pid < 0) {
		s->pid = 0;
		server_stop(s);
		return -1;
	}
	if ((json ? read_port_from_log(s, &s->port)
		  : read_port(s->out_fd, &s->port)) < 0) {
		server_stop(s);
		return -1;
	}
	return 0;
}

int server_signal(struct server *s, int sig)
{
	if (s->pid <= 0) {
		errno = ESRCH;
		return -1;
	}
	return kill(s->pid, sig);
}

int server_wait(struct server *s, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;

	while (s->pid > 0) {
		pid_t r = waitpid(s->pid, &s->status, WNOHANG);

		if (r == s->pid || (r < 0 && errno != EINTR)) {
			s->pid = 0;
			break;
		}
		if (now_ms() >= deadline)
			return -1;
		sleep_ms(5);
	}
	return 0;
}

bool server_alive(struct server *s)
{
	return server_wait(s, 0) < 0;
}

void server_stop(struct server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		while (waitpid(s->pid, &s->status, 0) < 0 && errno == EINTR)
			;
		s->pid = 0;
	}
	if (s->out_fd >= 0)
		close(s->out_fd);
	if (s->log_fd >= 0)
		close(s->log_fd);
	s->out_fd = s->log_fd = -1;
}

char *server_log(const struct server *s)
{
	return slurp(s->log_fd);
}

int run_binary(const char *const *args, int timeout_ms, int *status,
	       char **out, char **err)
{
	char *argv[MAX_ARGS] = { (char *)server_binary() };
	struct server proc = { .out_fd = -1, .log_fd = -1 };
	size_t argc = 1;
	int out_fd = make_log(), err_fd = make_log();
	int rc = -1;

	for (; args != NULL && *args != NULL && argc < MAX_ARGS - 1; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	if (out_fd >= 0 && err_fd >= 0) {
		proc.pid = spawn(argv, out_fd, err_fd, NULL);
		if (proc.pid > 0 && server_wait(&proc, timeout_ms) == 0) {
			*status = proc.status;
			rc = 0;
		}
		server_stop(&proc);  /* kills it on timeout */
	}
	*out = slurp(out_fd);
	*err = slurp(err_fd);
	if (out_fd >= 0)
		close(out_fd);
	if (err_fd >= 0)
		close(err_fd);
	return rc;
}

int run_binary_status(const char *const *args)
{
	int status = -1;
	char *out = NULL, *err = NULL;
	int rc = run_binary(args, 10000, &status, &out, &err);

	free(out);
	free(err);
	return rc == 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ================================================================= HTTP */

int conn_open(struct conn *c, unsigned port)
{
	return conn_open_from(c, port, NULL);
}

/* Bind the client end to `source` (a 127.x.y.z address: the whole of
 * 127.0.0.0/8 is local on Linux loopback). */
static int bind_source(int fd, const char *source)
{
	struct sockaddr_in src = { .sin_family = AF_INET };

	if (inet_pton(AF_INET, source, &src.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	return bind(fd, (struct sockaddr *)&src, sizeof(src));
}

int conn_open_from(struct conn *c, unsigned port, const char *source)
{
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_port = htons((uint16_t)port) };
	struct timeval tv = { IO_TIMEOUT_S, 0 };
	int one = 1, saved;

	memset(c, 0, sizeof(*c));
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0)
		return -1;
	set_cloexec(c->fd);
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((source == NULL || bind_source(c->fd, source) == 0) &&
	    connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
		return 0;
	saved = errno;
	conn_close(c);
	errno = saved;
	return -1;
}

void conn_set_timeout(struct conn *c, int timeout_ms)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };

	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
}

void conn_abort(struct conn *c)
{
	struct linger lin = { 1, 0 };

	if (c->fd >= 0)
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
	conn_close(c);
}

int conn_send(struct conn *c, const void *data, size_t n)
{
	const char *p = data;

	while (n > 0) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int conn_request(struct conn *c, const char *method, const char *target,
		 const char *extra)
{
	size_t n = strlen(method) + strlen(target) +
		   (extra != NULL ? strlen(extra) : 0) + 64;
	char *req = malloc(n);
	int len, rc;

	if (req == NULL)
		return -1;
	len = snprintf(req, n, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n",
		       method, target, extra != NULL ? extra : "");
	rc = conn_send(c, req, (size_t)len);
	free(req);
	return rc;
}

/* Read more bytes into the buffer: >0 read, 0 at EOF, -1 on error. */
static ssize_t fill(struct conn *c)
{
	ssize_t n;

	if (c->cap - c->len < 65536) {
		size_t cap = c->cap < 65536 ? 131072 : c->cap * 2;
		char *buf = realloc(c->buf, cap);

		if (buf == NULL)
			return -1;
		c->buf = buf;
		c->cap = cap;
	}
	do
		n = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		c->len += (size_t)n;
	return n;
}

int conn_hold_budget(struct conn *c, unsigned port)
{
	if (conn_open(c, port) < 0)
		return -1;
	if (conn_request(c, "GET", "/password?quantity=100000&length=1024",
			 NULL) < 0 ||
	    conn_wait_readable(c, 20000) < 0) {
		conn_close(c);
		return -1;
	}
	return 0;
}

int conn_wait_readable(struct conn *c, int timeout_ms)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };

	if (c->len > 0)
		return 0;
	return poll(&p, 1, timeout_ms) == 1 ? 0 : -1;
}

int conn_wait_any(struct conn *c, size_t n, int timeout_ms)
{
	struct pollfd p[64];

	if (n > 64)
		n = 64;
	for (size_t i = 0; i < n; i++)
		p[i] = (struct pollfd){ .fd = c[i].fd, .events = POLLIN };
	if (poll(p, n, timeout_ms) <= 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (p[i].revents != 0)
			return (int)i;
	}
	return -1;
}

ssize_t conn_read_some(struct conn *c, size_t n)
{
	char buf[4096];
	ssize_t got;

	if (n > sizeof(buf))
		n = sizeof(buf);
	do
		got = recv(c->fd, buf, n, 0);
	while (got < 0 && errno == EINTR);
	return got;
}

/* Offset just past the "\r\n\r\n" that ends the header block, or 0. */
static size_t head_end(const struct conn *c)
{
	for (size_t i = 3; i < c->len; i++) {
		if (memcmp(c->buf + i - 3, "\r\n\r\n", 4) == 0)
			return i + 1;
	}
	return 0;
}

/* Split the header block (copied into r->head) into status and fields. */
static int parse_head(struct response *r, const char *src, size_t n)
{
	char *line, *save = NULL;

	r->head = malloc(n + 1);
	if (r->head == NULL)
		return -1;
	memcpy(r->head, src, n);
	r->head[n] = '\0';
	line = strtok_r(r->head, "\r\n", &save);
	if (line == NULL || sscanf(line, "HTTP/1.%*1[01] %3d", &r->status) != 1)
		return -1;
	while ((line = strtok_r(NULL, "\r\n", &save)) != NULL &&
	       r->nheaders < MAX_HEADERS) {
		char *colon = strchr(line, ':');

		if (colon == NULL)
			return -1;
		*colon++ = '\0';
		colon += strspn(colon, " \t");
		r->headers[r->nheaders++] = (struct header){ line, colon };
	}
	return 0;
}

/* How many body bytes follow: -1 = until EOF, -2 = unsupported framing,
 * -3 = chunked (RFC 9112 7.1; pwgend streams large replies). */
static long long body_length(const struct response *r, bool head_request)
{
	const char *cl = response_header(r, "Content-Length");
	const char *te = response_header(r, "Transfer-Encoding");
	char *end;
	long long n;

	if (head_request || r->status / 100 == 1 || r->status == 204 ||
	    r->status == 304)
		return 0;
	if (te != NULL)
		return strcasecmp(te, "chunked") == 0 ? -3 : -2;
	if (cl == NULL)
		return -1;
	n = strtoll(cl, &end, 10);
	return *end == '\0' && n >= 0 ? n : -2;
}

/* Wait for the whole body (or EOF when its length is unknown) and copy it
 * out of the buffer, keeping any pipelined bytes that follow. */
static int read_body(struct conn *c, struct response *r, size_t head,
		     long long want)
{
	while (want == -1 || c->len - head < (size_t)want) {
		ssize_t n = fill(c);

		if (n < 0 || (n == 0 && want != -1))
			return -1;
		if (n == 0) {
			want = (long long)(c->len - head);
			r->closed = true;
		}
	}
	r->body_len = (size_t)want;
	r->body = malloc(r->body_len + 1);
	if (r->body == NULL)
		return -1;
	memcpy(r->body, c->buf + head, r->body_len);
	r->body[r->body_len] = '\0';
	c->len -= head + r->body_len;
	memmove(c->buf, c->buf + head + r->body_len, c->len);
	return 0;
}

static const char *find_crlf(const char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] == '\r' && s[i + 1] == '\n')
			return s + i;
	}
	return NULL;
}

/*
 * Walk a chunked body starting at buf[at]: 1 and *end (just past the last
 * chunk and its empty trailer section) with *data the decoded size when it
 * is all in, 0 when more is needed, -1 when it is malformed (strict: hex
 * size, no extensions, CRLF after each chunk, no trailer fields).
 */
static int chunked_scan(const char *buf, size_t len, size_t at, size_t *end,
			size_t *data)
{
	*data = 0;
	for (;;) {
		const char *crlf = find_crlf(buf + at, len - at);
		char *stop;
		unsigned long size;

		if (crlf == NULL)
			return len - at > 32 ? -1 : 0;
		size = strtoul(buf + at, &stop, 16);
		if (stop == buf + at || stop != crlf)
			return -1;
		at = (size_t)(crlf - buf) + 2;
		if (len - at < size + 2)
			return 0;
		if (memcmp(buf + at + size, "\r\n", 2) != 0)
			return -1;
		at += size + 2;
		*data += size;
		if (size == 0) {
			*end = at;
			return 1;
		}
	}
}

/* Read a whole chunked body and decode it into r->body. */
static int read_chunked(struct conn *c, struct response *r, size_t head)
{
	size_t end = 0, data = 0, at = head, o = 0;
	int rc;

	while ((rc = chunked_scan(c->buf, c->len, head, &end, &data)) == 0) {
		if (fill(c) <= 0)
			return -1;
	}
	if (rc < 0 || (r->body = malloc(data + 1)) == NULL)
		return -1;
	while (o < data) {
		char *crlf;
		unsigned long size = strtoul(c->buf + at, &crlf, 16);

		at = (size_t)(crlf - c->buf) + 2;
		memcpy(r->body + o, c->buf + at, size);
		o += size;
		at += size + 2;
	}
	r->body[data] = '\0';
	r->body_len = data;
	r->chunked = true;
	c->len -= end;
	memmove(c->buf, c->buf + end, c->len);
	return 0;
}

int conn_read(struct conn *c, struct response *r, bool head_request)
{
	size_t head;
	long long want;
	const char *conn_hdr;

	memset(r, 0, sizeof(*r));
	while ((head = head_end(c)) == 0) {
		if (c->len > MAX_HEAD || fill(c) <= 0)
			return -1;
	}
	if (parse_head(r, c->buf, head - 4) < 0 ||
	    (want = body_length(r, head_request)) == -2 ||
	    (want == -3 ? read_chunked(c, r, head)
			: read_body(c, r, head, want)) < 0) {
		response_free(r);  /* a failed read leaves nothing to free */
		return -1;
	}
	conn_hdr = response_header(r, "Connection");
	if (conn_hdr != NULL && strcasecmp(conn_hdr, "close") == 0)
		r->closed = true;
	return 0;
}

unsigned free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unsigned port = 0;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

int http_do(unsigned port, const char *method, const char *target,
	    struct response *r)
{
	return http_do_with(port, method, target, NULL, r);
}

int http_do_with(unsigned port, const char *method, const char *target,
		 const char *extra, struct response *r)
{
	char headers[1024];
	struct conn c;
	int rc;

	memset(r, 0, sizeof(*r));
	snprintf(headers, sizeof(headers), "%sConnection: close\r\n",
		 extra != NULL ? extra : "");
	if (conn_open(&c, port) < 0)
		return -1;
	rc = conn_request(&c, method, target, headers);
	if (rc == 0)
		rc = conn_read(&c, r, strcmp(method, "HEAD") == 0);
	conn_close(&c);
	return rc;
}

int http_get(unsigned port, const char *target, struct response *r)
{
	return http_do(port, "GET", target, r);
}

void response_free(struct response *r)
{
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

const char *response_header(const struct response *r, const char *name)
{
	for (size_t i = 0; i < r->nheaders; i++) {
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	}
	return NULL;
}

json_t *response_json(const struct response *r)
{
	json_error_t err;

	if (r->body == NULL)
		return NULL;
	return json_loadb(r->body, r->body_len, 0, &err);
}

char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0) {
		rewind(f);
		buf = malloc((size_t)size + 1);
		if (buf != NULL &&
		    fread(buf, 1, (size_t)size, f) != (size_t)size) {
			free(buf);
			buf = NULL;
		}
		if (buf != NULL) {
			buf[size] = '\0';
			*len = (size_t)size;
		}
	}
	fclose(f);
	return buf;
}
