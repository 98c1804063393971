/* probe.c - see probe.h. */
#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

static int wait_for(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int rc;

	while ((rc = poll(&pfd, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	return rc > 0 ? 0 : -1;
}

static int connect_loopback(unsigned port, int ipv6, int timeout_ms)
{
	struct sockaddr_in in4 = { .sin_family = AF_INET,
				   .sin_port = htons((uint16_t)port) };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6,
				    .sin6_port = htons((uint16_t)port),
				    .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = socket(ipv6 ? AF_INET6 : AF_INET,
			SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int rc;

	if (fd < 0)
		return -1;
	in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rc = ipv6 ? connect(fd, (struct sockaddr *)&in6, sizeof(in6))
		  : connect(fd, (struct sockaddr *)&in4, sizeof(in4));
	if (rc < 0 && (errno != EINPROGRESS ||
		       wait_for(fd, POLLOUT, timeout_ms) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The request for `path`, in `buf`: its length, or 0 if it does not fit. */
static size_t make_request(char *buf, size_t cap, const char *path)
{
	int n = snprintf(buf, cap, "GET %s HTTP/1.1\r\nHost: localhost\r\n"
			 "Connection: close\r\n\r\n", path);

	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* "HTTP/1.1 200 OK": the status, from the first 12 bytes. */
static int status_of(const char *reply, size_t got)
{
	int status = -1;

	if (got >= 12 && strncmp(reply, "HTTP/1.", 7) == 0)
		sscanf(reply + 9, "%3d", &status);
	return status;
}

static int probe_plain(int fd, const char *request, size_t len,
		       int timeout_ms)
{
	char reply[64] = { 0 };
	size_t got = 0;

	if (send(fd, request, len, MSG_NOSIGNAL) != (ssize_t)len)
		return -1;
	while (got < 12 && wait_for(fd, POLLIN, timeout_ms) == 0) {
		ssize_t n = recv(fd, reply + got, sizeof(reply) - 1 - got, 0);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return status_of(reply, got);
}

static int probe_tls(int fd, const char *request, size_t len,
		     int timeout_ms)
{
	gnutls_certificate_credentials_t cred = NULL;
	gnutls_session_t session = NULL;
	char reply[64] = { 0 };
	size_t got = 0;
	int status = -1;

	if (gnutls_certificate_allocate_credentials(&cred) < 0 ||
	    gnutls_init(&session, GNUTLS_CLIENT) < 0 ||
	    gnutls_set_default_priority(session) < 0 ||
	    gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, cred) < 0)
		goto out;
	gnutls_transport_set_int(session, fd);
	gnutls_handshake_set_timeout(session, (unsigned)timeout_ms);
	gnutls_record_set_timeout(session, (unsigned)timeout_ms);
	if (gnutls_handshake(session) < 0 ||
	    gnutls_record_send(session, request, len) != (ssize_t)len)
		goto out;
	while (got < 12) {
		ssize_t n = gnutls_record_recv(session, reply + got,
					       sizeof(reply) - 1 - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	status = status_of(reply, got);
out:
	if (session != NULL)
		gnutls_deinit(session);
	if (cred != NULL)
		gnutls_certificate_free_credentials(cred);
	return status;
}

int probe_healthz(unsigned port, int ipv6, bool tls, const char *path,
		  int timeout_ms)
{
	char request[256];
	size_t len = make_request(request, sizeof(request), path);
	int status, fd = len > 0 ? connect_loopback(port, ipv6, timeout_ms)
				 : -1;

	if (fd < 0)
		return -1;
	if (tls) {
		/* GnuTLS times its reads out with poll on a blocking socket */
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		status = probe_tls(fd, request, len, timeout_ms);
	} else {
		status = probe_plain(fd, request, len, timeout_ms);
	}
	close(fd);
	return status;
}
