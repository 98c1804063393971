#!/bin/sh
# Throwaway test certificates, made at test time (nothing secret is
# committed): a CA, and leaf certificates for 127.0.0.1 signed by it.
#   make-certs.sh DIR NAME...   -> DIR/ca.pem, DIR/NAME.pem, DIR/NAME.key
# Each leaf's subject is CN=NAME, so a test can tell which one it got.
set -eu
dir=$1
shift
cd "$dir"
if [ ! -f ca.pem ]; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout ca.key -out ca.pem -days 2 -subj /CN=pwgend-test-ca \
		2>/dev/null
fi
for name in "$@"; do
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$name.key" -out "$name.csr" -subj "/CN=$name" \
		2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\n' > "$name.ext"
	openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key \
		-CAcreateserial -out "$name.pem" -days 2 -extfile "$name.ext" \
		2>/dev/null
	rm -f "$name.csr" "$name.ext"
done
