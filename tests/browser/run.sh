#!/bin/sh
# The end-to-end browser test (tests/browser/e2e.mjs) with Debian's chromium.
# Usage: tests/browser/run.sh [BUILD]   (default: build; the binary is
# BUILD/pwgend, screenshots go to BUILD/browser/).
#
# Installs chromium with apt-get when it is missing, and the pinned
# playwright-core with `npm ci` when node_modules is missing or older than
# package-lock.json. Prints "browser-test: SKIPPED: <reason>" and exits 0
# only when chromium cannot start; any other failure fails.
set -eu

cd "$(dirname "$0")/../.."
BUILD=${1:-build}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMIUM
export PWGEND_BIN="${PWGEND_BIN:-$BUILD/pwgend}"

if [ ! -x "$CHROMIUM" ]; then
	echo "browser-test: installing chromium"
	if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
	{ $SUDO apt-get update -qq &&
	  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium; } ||
		echo "browser-test: apt-get could not install chromium" >&2
fi
if [ ! -x "$CHROMIUM" ]; then
	echo "browser-test: SKIPPED: $CHROMIUM is missing and could not be installed"
	exit 0
fi

# The same rule as scripts/lint-openapi.sh (`find -newer`: POSIX test has
# no -nt).
if [ ! -f node_modules/playwright-core/package.json ] ||
   [ ! -f node_modules/.package-lock.json ] ||
   [ -n "$(find package-lock.json -newer node_modules/.package-lock.json)" ]; then
	npm ci --no-audit --no-fund
fi

# Can chromium start at all? A fresh profile, the flags e2e.mjs uses.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
if ! probe=$(timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
	--disable-quic --no-first-run --disable-background-networking \
	--disable-component-update --disable-sync --user-data-dir="$profile" \
	--dump-dom about:blank 2>&1); then
	reason=$(printf '%s\n' "$probe" | grep -v '^\s*$' | tail -n 1)
	echo "browser-test: SKIPPED: chromium cannot start: ${reason:-no output}"
	exit 0
fi

mkdir -p "$BUILD/browser"
rc=0
node tests/browser/e2e.mjs "$BUILD/browser" || rc=$?
if [ "$rc" -eq 77 ]; then
	exit 0  # e2e.mjs printed "browser-test: SKIPPED: ..."
fi
exit "$rc"
