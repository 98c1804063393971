/*
 * kinds.h - the registry of the kinds of secret pwgend generates.
 *
 * Each kind is one module (src/kind_<name>.c) that defines one
 * `const struct kind kind_<name>` (kind.h). KINDS below lists them, one
 * line each: it gives the kinds their index (enum gen_kind, the order of
 * /metrics' series), declares their structs, and says whether a kind has
 * routes of its own, GET /<name> and GET /<name>/explain (ROUTED), or is
 * only a variant answered on other routes (UNROUTED); kinds.c builds its
 * table of paths from it. Adding a kind is its file and its line here.
 *
 * A kind's own route id (enum route, request.h) and its metrics route
 * label (metrics.h) are its index, so nothing outside the kind modules and
 * the registry names a kind to route, count or label it.
 */
#ifndef PWGEND_KINDS_H
#define PWGEND_KINDS_H

#include <stdbool.h>
#include <stddef.h>

/* X(ID, name, routes): the enum is GEN_KIND_<ID>, the struct kind_<name>,
 * and routes ROUTED (GET /<name>, GET /<name>/explain) or UNROUTED. */
#define KINDS(X)                                                             \
	X(PASSWORD, password, ROUTED)                                        \
	X(PIN, pin, ROUTED)                                                  \
	X(PASSPHRASE, passphrase, ROUTED)                                    \
	X(TOKEN, token, ROUTED)                                              \
	X(COMPLEX, complex, UNROUTED)

#define KINDS_ENUM_(ID, name, routes) GEN_KIND_##ID,
enum gen_kind { KINDS(KINDS_ENUM_) GEN_KIND_COUNT };
#undef KINDS_ENUM_

enum { KINDS_COUNT = GEN_KIND_COUNT };

struct kind;
#define KINDS_DECLARE_(ID, name, routes) extern const struct kind kind_##name;
KINDS(KINDS_DECLARE_)
#undef KINDS_DECLARE_

/* The kind of index `k`, or NULL past the list. */
const struct kind *kinds_get(enum gen_kind k);

/* The kind whose own path (or, with *explain set, explain path) is
 * path[0, n), not NUL-terminated; -1 if none. */
int kinds_find_route(const char *path, size_t n, bool *explain);

/* Does kind `k` answer GET /<name> (and count under its own route label)? */
bool kinds_has_route(enum gen_kind k);

/* The kind's name ("password", ...; "unknown" past the list). */
const char *gen_kind_name(enum gen_kind k);

/* The name its items are counted and logged under: its own, or that of
 * the kind it is a variant of (a complex password counts as a password). */
const char *kinds_label(enum gen_kind k);

/* The index that pwgend_items_generated_total counts kind `k` under: the
 * first kind with the same label. */
enum gen_kind kinds_items_index(enum gen_kind k);

#endif
