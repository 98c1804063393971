#!/bin/sh
# Install the Debian packages pwgend needs, but only those that are missing.
# Usage: scripts/deps.sh [build|test]   (test adds the tools `make test` uses)
set -eu

need_pkgs=""
want() { need_pkgs="$need_pkgs $1"; }

# libraries, found through pkg-config
command -v pkg-config >/dev/null 2>&1 || want pkg-config
command -v make >/dev/null 2>&1 || want make
command -v cc >/dev/null 2>&1 || want gcc
for pair in libmicrohttpd:libmicrohttpd-dev libsodium:libsodium-dev \
            jansson:libjansson-dev gnutls:libgnutls28-dev check:check \
            yaml-0.1:libyaml-dev; do
	lib=${pair%%:*}
	deb=${pair#*:}
	if ! pkg-config --exists "$lib" 2>/dev/null; then
		want "$deb"
	fi
done
if command -v pkg-config >/dev/null 2>&1 &&
   pkg-config --exists libmicrohttpd 2>/dev/null &&
   ! pkg-config --atleast-version=0.9.75 libmicrohttpd; then
	echo "deps: libmicrohttpd >= 0.9.75 is required" >&2
	exit 1
fi

if [ "${1:-build}" = test ]; then
	command -v node >/dev/null 2>&1 || want nodejs
	command -v npm >/dev/null 2>&1 || want npm
	command -v clang >/dev/null 2>&1 || want clang
	# the contract test: Debian's Python with a JSON Schema validator and
	# Prometheus' own exposition-format parser
	for deb in python3 python3-yaml python3-jsonschema \
	           python3-prometheus-client; do
		dpkg -s "$deb" >/dev/null 2>&1 || want "$deb"
	done
	# the TLS test: throwaway certificates and a second client
	command -v openssl >/dev/null 2>&1 || want openssl
	command -v curl >/dev/null 2>&1 || want curl
	# libFuzzer and the sanitizer runtimes for clang (make fuzz)
	[ -d /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux ] ||
		dpkg -s libclang-rt-14-dev >/dev/null 2>&1 || want libclang-rt-14-dev
fi

if [ -n "$need_pkgs" ]; then
	echo "deps: installing$need_pkgs"
	if [ "$(id -u)" -ne 0 ]; then
		SUDO=sudo
	else
		SUDO=
	fi
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
		--no-install-recommends $need_pkgs
fi
