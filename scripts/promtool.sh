#!/bin/sh
# promtool.sh - print the path of a promtool, fetching it if missing.
#
# promtool (Prometheus' own checker of the text exposition format) comes
# from Debian's prometheus package. Installing that package would also
# install and start a Prometheus server, so the .deb is downloaded with
# apt-get and only promtool is unpacked into $BUILD/tools (a 19 MB
# download, once). A promtool already on PATH is used as it is.
set -eu

BUILD=${BUILD:-build}
if command -v promtool >/dev/null 2>&1; then
	command -v promtool
	exit 0
fi
tool="$BUILD/tools/usr/bin/promtool"
if [ ! -x "$tool" ]; then
	mkdir -p "$BUILD/tools/deb"
	(cd "$BUILD/tools/deb" && rm -f prometheus_*.deb &&
		apt-get download -q prometheus >&2 2>/dev/null ||
		{ apt-get update -qq >&2 && apt-get download -q prometheus >&2; })
	dpkg-deb --fsys-tarfile "$BUILD"/tools/deb/prometheus_*.deb |
		tar -x -C "$BUILD/tools" ./usr/bin/promtool
	rm -f "$BUILD"/tools/deb/prometheus_*.deb
fi
"$tool" --version >/dev/null
echo "$tool"
