# nginx load balancer for docker/compose.yaml, built from Debian's package
# so that it needs no registry besides the Debian base image. Build from the
# repository root:  docker build -f docker/nginx.Dockerfile -t pwgend-nginx .
FROM debian:bookworm-slim

# Debian's nginx, without the recommended extras.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log \
           /etc/nginx/sites-enabled /etc/nginx/conf.d

COPY docker/nginx.conf /etc/nginx/nginx.conf

# Numeric non-root user: it binds 8080 and writes only to /tmp.
USER 10002:10002
EXPOSE 8080
STOPSIGNAL SIGQUIT
# -e stderr: the compiled-in /var/log/nginx/error.log is not writable
ENTRYPOINT ["/usr/sbin/nginx", "-e", "stderr", "-g", "daemon off;"]
