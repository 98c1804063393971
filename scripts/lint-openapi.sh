#!/bin/sh
# Lint openapi.yaml with the Redocly CLI pinned in package.json and
# package-lock.json (rules: redocly.yaml). Installs it with `npm ci` when it
# is missing or the lock file changed since the last install. Needs Node.js
# and npm; the npm registry is the only network access.
set -eu

cd "$(dirname "$0")/.."

# `find -newer` rather than `test -nt`, which POSIX does not define.
if [ ! -x node_modules/.bin/redocly ] ||
   [ ! -f node_modules/.package-lock.json ] ||
   [ -n "$(find package-lock.json -newer node_modules/.package-lock.json)" ]; then
	npm ci --no-audit --no-fund
fi

node_modules/.bin/redocly lint openapi.yaml
