/*
 * policyfile.h - read an operator's policy file (`--policies FILE`) into a
 * set of named policies (policies.h).
 *
 * The file is YAML (libyaml; JSON is YAML's flow style, so a .json file
 * is read the same way, tabs and CRLF line ends included): one mapping of
 * policy names to their parameters, each naming the route it is for:
 *
 *   postgres: {kind: password, length: 32, preset: url}
 *   door:
 *     kind: pin
 *     length: 8
 *
 * A name is 1..32 of [A-Za-z0-9._-]; `kind` is a route's kind (password,
 * pin, passphrase, token); every other key is a parameter of GET /<kind>
 * with the value the query string would carry (quantity, format and
 * policy are per request, not a policy's). Each policy is checked by
 * request_parse itself on GET /<kind>?<its parameters>, so names, ranges,
 * conflicts and exact counts are the API's own (the acceptance floor
 * keeps one item within any --max-work). Limits: POLICIES_MAX_BYTES,
 * POLICIES_MAX policies.
 *
 * The set's GET /policies body is rendered here, once, so that the route
 * only copies it.
 */
#ifndef PWGEND_POLICYFILE_H
#define PWGEND_POLICYFILE_H

#include <stddef.h>

#include "policies.h"

/* The server's limits a policy must fit (config.h). */
struct policyfile_limits {
	size_t max_quantity;
};

/* Read and check the file at `path`: a new set, or NULL with the reason in
 * err, "FILE:LINE: policy NAME, parameter P: why" where a line is at
 * fault. */
struct policies *policyfile_load(const char *path,
				 const struct policyfile_limits *lim,
				 char *err, size_t errlen);

/* The same over text[0, n), called `file` in messages. */
struct policies *policyfile_parse(const char *text, size_t n, const char *file,
				  const struct policyfile_limits *lim,
				  char *err, size_t errlen);

/* GET /policies without a file: no policy. Static. */
extern const char policyfile_empty_listing[];

#endif
