/* probe.c - see probe.h. */
#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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

int probe_healthz(unsigned port, int ipv6, int timeout_ms)
{
	static const char request[] = "GET /healthz HTTP/1.1\r\n"
				      "Host: localhost\r\n"
				      "Connection: close\r\n\r\n";
	char reply[64] = { 0 };
	size_t got = 0;
	int status = -1, fd = connect_loopback(port, ipv6, timeout_ms);

	if (fd < 0)
		return -1;
	if (send(fd, request, sizeof(request) - 1, MSG_NOSIGNAL) !=
	    (ssize_t)(sizeof(request) - 1))
		goto out;
	/* "HTTP/1.1 200 OK" - the first 12 bytes are all we need */
	while (got < 12 && wait_for(fd, POLLIN, timeout_ms) == 0) {
		ssize_t n = recv(fd, reply + got, sizeof(reply) - 1 - got, 0);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got >= 12 && strncmp(reply, "HTTP/1.", 7) == 0)
		sscanf(reply + 9, "%3d", &status);
out:
	close(fd);
	return status;
}
