#!/bin/sh
# Run a command against a fresh pwgend on an ephemeral loopback port.
# Usage: scripts/with-server.sh BIN COMMAND [ARG...]
#
# Starts BIN (--port 0 --bind 127.0.0.1 --access-log off), reads the base
# URL from its first stdout line ("pwgend listening on http://..."),
# exports it as B and runs COMMAND with it; then stops the server with
# SIGTERM (by its pid) and fails if COMMAND failed or the server did not
# exit 0. The server's output is kept in a temporary file, shown on failure.
# Used by the client test and the example runner (mk/docs.mk).
set -u

bin=$1
shift
out=$(mktemp)
"$bin" --port 0 --bind 127.0.0.1 --access-log off >"$out" 2>&1 &
pid=$!
B=
i=0
while [ $i -lt 200 ]; do
	B=$(sed -n 's/^pwgend listening on \(http:[^ ]*\)$/\1/p' "$out")
	[ -n "$B" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.05
	i=$((i + 1))
done
if [ -z "$B" ]; then
	echo "with-server: $bin did not start:" >&2
	cat "$out" >&2
	kill "$pid" 2>/dev/null
	rm -f "$out"
	exit 1
fi
export B
"$@"
rc=$?
kill -TERM "$pid"
wait "$pid"
src=$?
if [ "$src" -ne 0 ]; then
	echo "with-server: $bin exited $src after SIGTERM:" >&2
	cat "$out" >&2
	[ "$rc" -eq 0 ] && rc=1
fi
rm -f "$out"
exit "$rc"
