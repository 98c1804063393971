/* tls.c - see tls.h. */
#include "tls.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "secmem.h"

enum { MAX_CHAIN = 8, PATH_MAX_LEN = 512 };

/* One loaded certificate chain and key. */
struct creds {
	gnutls_pcert_st chain[MAX_CHAIN];
	unsigned int length;
	gnutls_privkey_t key;
	struct creds *older;           /* kept until tls_shutdown */
};

/* The singleton (tls.h): what new handshakes get, and where from. Written
 * by main only; read by the loops' handshakes. */
static _Atomic(struct creds *) current;
static char cert_path[PATH_MAX_LEN], key_path[PATH_MAX_LEN];

static void creds_free(struct creds *c)
{
	for (unsigned int i = 0; i < c->length; i++)
		gnutls_pcert_deinit(&c->chain[i]);
	if (c->key != NULL)
		gnutls_privkey_deinit(c->key);
	free(c);
}

static int fail(char *err, size_t errlen, const char *what, const char *file,
		int rc)
{
	snprintf(err, errlen, "%s %s: %s", what, file, gnutls_strerror(rc));
	return -1;
}

/* GnuTLS checks that the key belongs to the certificate when both go into
 * a credentials structure: a mismatch is refused here, not at the first
 * handshake. It checks the very bytes that are then imported (each file is
 * read once), so a rotation that replaces the files between reads cannot
 * publish a certificate with the other key. */
static int check_pair(const gnutls_datum_t *cert, const gnutls_datum_t *key,
		      const char *file, char *err, size_t errlen)
{
	gnutls_certificate_credentials_t cred;
	int rc = gnutls_certificate_allocate_credentials(&cred);

	if (rc < 0)
		return fail(err, errlen, "cannot check", file, rc);
	rc = gnutls_certificate_set_x509_key_mem(cred, cert, key,
						 GNUTLS_X509_FMT_PEM);
	gnutls_certificate_free_credentials(cred);
	if (rc < 0)
		return fail(err, errlen, "certificate and key do not go together:",
			    file, rc);
	return 0;
}

static void free_pem(gnutls_datum_t *pem)
{
	if (pem->data != NULL) {
		secmem_wipe(pem->data, pem->size);  /* may be the private key */
		gnutls_free(pem->data);
	}
	pem->data = NULL;
}

static int import(struct creds *c, const gnutls_datum_t *cert,
		  const gnutls_datum_t *key, const char *cert_file,
		  const char *key_file, char *err, size_t errlen)
{
	int rc = gnutls_pcert_list_import_x509_raw(c->chain, &c->length, cert,
						   GNUTLS_X509_FMT_PEM, 0);

	if (rc < 0) {
		c->length = 0;
		return fail(err, errlen, "cannot read the certificate",
			    cert_file, rc);
	}
	rc = gnutls_privkey_init(&c->key);
	if (rc >= 0)
		rc = gnutls_privkey_import_x509_raw(c->key, key,
						    GNUTLS_X509_FMT_PEM, NULL,
						    0);
	if (rc < 0)
		return fail(err, errlen, "cannot read the key", key_file, rc);
	return check_pair(cert, key, cert_file, err, errlen);
}

static struct creds *load(const char *cert_file, const char *key_file,
			  char *err, size_t errlen)
{
	gnutls_datum_t cert = { NULL, 0 }, key = { NULL, 0 };
	struct creds *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->length = MAX_CHAIN;
	rc = gnutls_load_file(cert_file, &cert);
	if (rc < 0)
		fail(err, errlen, "cannot read the certificate", cert_file, rc);
	else if ((rc = gnutls_load_file(key_file, &key)) < 0)
		fail(err, errlen, "cannot read the key", key_file, rc);
	else
		rc = import(c, &cert, &key, cert_file, key_file, err, errlen);
	free_pem(&cert);
	free_pem(&key);
	if (rc == 0)
		return c;
	creds_free(c);
	return NULL;
}

static void publish(struct creds *c)
{
	c->older = atomic_load(&current);
	atomic_store(&current, c);
}

int tls_load(const char *cert_file, const char *key_file, char *err,
	     size_t errlen)
{
	struct creds *c;

	if (strlen(cert_file) >= PATH_MAX_LEN ||
	    strlen(key_file) >= PATH_MAX_LEN) {
		snprintf(err, errlen, "TLS file name too long");
		return -1;
	}
	c = load(cert_file, key_file, err, errlen);
	if (c == NULL)
		return -1;
	strcpy(cert_path, cert_file);
	strcpy(key_path, key_file);
	publish(c);
	return 0;
}

int tls_reload(char *err, size_t errlen)
{
	struct creds *c;

	if (!tls_enabled()) {
		snprintf(err, errlen, "no TLS certificate to reload");
		return -1;
	}
	c = load(cert_path, key_path, err, errlen);
	if (c == NULL)
		return -1;
	publish(c);
	return 0;
}

bool tls_enabled(void)
{
	return atomic_load(&current) != NULL;
}

int tls_certificate(gnutls_session_t session, const gnutls_datum_t *req_ca,
		    int nreqs, const gnutls_pk_algorithm_t *algos,
		    int nalgos, gnutls_pcert_st **pcert,
		    unsigned int *pcert_length, gnutls_privkey_t *key)
{
	struct creds *c = atomic_load(&current);

	(void)session;
	(void)req_ca;
	(void)nreqs;
	(void)algos;
	(void)nalgos;
	if (c == NULL)
		return -1;  /* no certificate: the handshake fails */
	*pcert = c->chain;
	*pcert_length = c->length;
	*key = c->key;
	return 0;
}

void tls_shutdown(void)
{
	struct creds *c = atomic_exchange(&current, NULL);

	while (c != NULL) {
		struct creds *older = c->older;

		creds_free(c);
		c = older;
	}
}
