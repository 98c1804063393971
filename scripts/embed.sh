#!/bin/sh
# Print FILE's bytes as a C initializer list ("111,112,...", 16 a line) for
# `static const unsigned char x[] = { #include "x.inc" };`. Only od and awk
# (both in every Debian base system), so `make` needs nothing extra.
# An empty file would make an empty initializer, which C forbids: refuse it.
set -eu
[ -s "$1" ] || { echo "embed.sh: $1 is missing or empty" >&2; exit 1; }
od -An -v -tu1 "$1" | awk '
	{ for (i = 1; i <= NF; i++) { printf "%s%s", $i, ","; if (++n % 16 == 0) printf "\n" } }
	END { if (n % 16 != 0) printf "\n" }'
