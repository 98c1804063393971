/*
 * tls.h - the server's certificate and key for HTTPS, reloadable while
 * serving.
 *
 * libmicrohttpd does the TLS (GnuTLS) and asks, at every handshake, which
 * certificate to present (MHD_OPTION_HTTPS_CERT_CALLBACK): tls_certificate()
 * answers with the credentials loaded last. tls_reload() (main, on SIGHUP)
 * loads the files again and, only if they are good, makes them the ones
 * new handshakes get; connections already open keep theirs, so nothing is
 * dropped (cert-manager style rotation).
 *
 * The credentials in use are a process-wide singleton: the certificate
 * callback has no user pointer. Every generation stays allocated until
 * tls_shutdown(), since a handshake may still be using an older one; a
 * generation is a few KiB and rotations are rare.
 */
#ifndef PWGEND_TLS_H
#define PWGEND_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <gnutls/abstract.h>

/* TLS 1.2 and 1.3 only, AEAD ciphers only, the server's order. */
#define TLS_PRIORITIES                                                     \
	"SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:"        \
	"+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD:"      \
	"%SERVER_PRECEDENCE"

/* Load the PEM certificate chain and key (checked to match): 0, or -1 with
 * a reason naming the file in err. Nothing changes on failure. */
int tls_load(const char *cert_file, const char *key_file, char *err,
	     size_t errlen);

/* Load the same files again (after tls_load). 0: new handshakes get the
 * new certificate; -1 with a reason: the old one stays. */
int tls_reload(char *err, size_t errlen);

/* Has a certificate been loaded? */
bool tls_enabled(void);

/* The GnuTLS certificate callback (gnutls_certificate_retrieve_function2). */
int tls_certificate(gnutls_session_t session, const gnutls_datum_t *req_ca,
		    int nreqs, const gnutls_pk_algorithm_t *algos,
		    int nalgos, gnutls_pcert_st **pcert,
		    unsigned int *pcert_length, gnutls_privkey_t *key);

/* Free every generation (after the daemons have stopped). */
void tls_shutdown(void);

#endif
