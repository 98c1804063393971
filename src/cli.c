/* cli.c - see cli.h. */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "gen.h"
#include "job.h"
#include "kind.h"
#include "log.h"
#include "policyfile.h"
#include "request.h"
#include "rng.h"
#include "sbuf.h"
#include "task.h"
#include "wordlist.h"

enum {
	CLI_TARGET_MAX = 16384,        /* the longest --max-url-length */
	CLI_CHUNK = 64 * 1024,         /* written, and wiped, at a time */
	CLI_QUANTUM = 16384,           /* work per task step, as a server's */
	CLI_WINDOW = 64,
};

/* The routes the CLI speaks for: every kind's own (kinds.h), its name. */
bool cli_is_command(const char *arg)
{
	char path[64];
	bool explain = false;

	if (arg == NULL || strlen(arg) + 2 > sizeof(path))
		return false;
	snprintf(path, sizeof(path), "/%s", arg);
	return kinds_find_route(path, strlen(path), &explain) >= 0 && !explain;
}

/* "--name  integer 4..1024 (default 20): its one-line doc". */
static void print_parameter(FILE *out, const struct kind_param *p)
{
	static const char *const types[] = {
		[KIND_UINT] = "integer", [KIND_BOOL] = "boolean",
		[KIND_LOOSE_BOOL] = "boolean", [KIND_WORD] = "string",
		[KIND_TEXT] = "string", [KIND_CHARS] = "characters",
	};

	fprintf(out, "  --%-18s %s", p->name, types[p->type]);
	if (p->type == KIND_UINT && p->hi > 0)
		fprintf(out, " %zu..%zu", p->lo, p->hi);
	for (size_t i = 0; p->choices != NULL && p->choices[i] != NULL; i++)
		fprintf(out, "%s%s", i == 0 ? " " : "|", p->choices[i]);
	if (p->def != NULL)
		fprintf(out, " (default %s)", p->def);
	fprintf(out, ": %s\n", p->doc);
}

/* `pwgend <kind> --help`: the route's parameters from the kind's own
 * table (kind.h), the one the server parses, so the two cannot disagree. */
static int print_help(const char *kind, FILE *out)
{
	char path[64];
	const struct kind_query *query = NULL;
	const struct kind_param *params[64];
	bool explain;
	size_t n;

	snprintf(path, sizeof(path), "/%s", kind);
	if (!request_route_query(path, strlen(path), &query, &explain))
		return -1;
	n = kind_route_params(query, false, params, 64);
	fprintf(out, "usage: pwgend %s [--parameter value | --parameter=value "
		"| --switch]...\n\nPrints items, one a line (--format json or "
		"ndjson: as GET %s replies).\nThe parameters are those of GET "
		"%s (see /docs), hyphens or underscores alike:\n\n", kind, path,
		path);
	for (size_t i = 0; i < n; i++)
		print_parameter(out, params[i]);
	fprintf(out, "  --%-18s describe what would be drawn (GET %s/explain), "
		"and draw nothing\n", "explain", path);
	return 0;
}

/* `pwgend <kind> --help` (first, so that no flag's value is taken for
 * it) */
static bool wants_help(int argc, char **argv)
{
	return argc > 2 && (strcmp(argv[2], "--help") == 0 ||
			    strcmp(argv[2], "-h") == 0);
}

/* A flag's name as the parameter's: --min-entropy is min_entropy. */
static void underscores(char *name)
{
	for (; *name != '\0'; name++)
		if (*name == '-')
			*name = '_';
}

/* --explain (alone) asks the kind's explain route. */
static bool is_explain(const char *arg)
{
	return strcmp(arg, "--explain") == 0;
}

/* --wordlist NAME=FILE loads FILE as the server's --wordlist would (a CLI
 * has no server flags; PWGEND_WORDLISTS works too) and asks for NAME; a
 * plain NAME is asked as it is. The name to ask, or NULL with a message. */
static const char *cli_wordlist(const char *value, char *name, size_t cap)
{
	const char *eq = strchr(value, '=');
	char err[512];

	if (eq == NULL)
		return value;
	if (wordlist_load_specs(value, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return NULL;
	}
	snprintf(name, cap, "%.*s", (int)(eq - value), value);
	return name;
}

/* argv (after the command) into "/<kind>?name=value&...", or
 * "/<kind>/explain?..." with --explain. A flag alone, or followed by
 * another flag, means true. 0, or -1 with a message. */
static int build_target(const char *kind, int argc, char **argv,
			struct sbuf *t)
{
	bool explain = false;

	for (int i = 0; i < argc; i++)
		explain |= is_explain(argv[i]);
	if (sbuf_add(t, "/", 1) < 0 || sbuf_add(t, kind, strlen(kind)) < 0 ||
	    (explain && sbuf_add(t, "/explain", 8) < 0))
		return -1;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i], *eq, *value = "true";
		char name[128], list[WORDLIST_NAME_MAX + 1];
		size_t n;

		if (is_explain(arg))
			continue;
		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
			log_error("unexpected argument \"%s\" (flags are "
				  "--name value)", arg);
			return -1;
		}
		arg += 2;
		eq = strchr(arg, '=');
		n = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
		if (n >= sizeof(name)) {
			log_error("flag too long: --%.32s...", arg);
			return -1;
		}
		memcpy(name, arg, n);
		name[n] = '\0';
		underscores(name);
		if (eq != NULL)
			value = eq + 1;
		else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
			value = argv[++i];
		if (strcmp(name, "wordlist") == 0 &&
		    (value = cli_wordlist(value, list, sizeof(list))) == NULL)
			return -1;
		if (sbuf_add(t, memchr(t->buf, '?', t->len) ? "&" : "?", 1) < 0 ||
		    sbuf_add_encoded(t, name, n) < 0 || sbuf_add(t, "=", 1) < 0 ||
		    sbuf_add_encoded(t, value, strlen(value)) < 0)
			return -1;
	}
	if (t->len > CLI_TARGET_MAX) {
		log_error("the flags are too long");
		return -1;
	}
	return 0;
}

/* The same words as the server's problem+json: detail and parameter. */
static int refuse(const struct request_error *err)
{
	if (err->parameter[0] != '\0')
		log_error("%s: %s (parameter %s)", err->title, err->detail,
			  err->parameter);
	else
		log_error("%s: %s", err->title, err->detail);
	return 2;
}

/* --policies FILE (or --policies=FILE), the server's flag, is the CLI's
 * too: taken out of argv (it is no parameter of the route) into *path. */
static int take_policies_flag(int *argc, char **argv, const char **path)
{
	for (int i = 0; i < *argc; i++) {
		int used = 0;

		if (strncmp(argv[i], "--policies=", 11) == 0) {
			*path = argv[i] + 11;
			used = 1;
		} else if (strcmp(argv[i], "--policies") == 0) {
			if (i + 1 == *argc) {
				log_error("--policies needs a file");
				return -1;
			}
			*path = argv[i + 1];
			used = 2;
		}
		if (used == 0)
			continue;
		memmove(argv + i, argv + i + used,
			(size_t)(*argc - i - used) * sizeof(*argv));
		*argc -= used;
		i--;
	}
	return 0;
}

/* Parse the target with the policies of `path` ("" none), as the server
 * would: 0, or the exit status of a refusal. */
static int parse_target(const struct config *cfg, const char *path,
			const struct sbuf *target, struct request *req)
{
	struct policyfile_limits lim = { cfg->max_quantity };
	struct policies *set = NULL;
	struct request_error err;
	char why[1024];
	int rc;

	if (path[0] != '\0' &&
	    (set = policyfile_load(path, &lim, why, sizeof(why))) == NULL) {
		log_error("%s", why);
		return 2;
	}
	/* the request does not point into the set: it may go at once */
	rc = request_parse_policies(target->buf, target->len, cfg->max_quantity,
				    set, req, &err) < 0 ||
	     request_check_work(&req->gen, cfg->max_work, &err) < 0;
	policies_free(set);
	return rc ? refuse(&err) : 0;
}

/* All of buf to fd. 1 when the reader has gone (EPIPE), -errno on
 * another error, 0 when written. */
static int write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == EPIPE ? 1 : -errno;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Run the job to its end, writing each chunk as it is made. */
static int run_job(struct job *job, int out_fd)
{
	struct class_alphabets alphabets;
	struct rng rng;
	struct task_env env = { &rng, CLI_QUANTUM, CLI_WINDOW, &alphabets };
	int rc, status = 0;

	rng_init(&rng);
	class_alphabets_init(&alphabets);
	do {
		int w;

		rc = task_step(job, &env);
		if (rc < 0)
			break;
		if (rc == CORO_YIELD)
			continue;
		w = write_all(out_fd, job->body.buf, job->body.len);
		sbuf_clear(&job->body);  /* wipes the items just written */
		if (w != 0) {
			task_cancel(job);
			if (w < 0)
				log_error("cannot write: %s", strerror(-w));
			status = w < 0 ? 1 : 0;  /* a closed pipe: quietly */
			break;
		}
	} while (rc != CORO_DONE);
	if (rc < 0) {
		log_error("generation failed: %s", strerror(-rc));
		status = 1;
	}
	/* a JSON document ends its line, as text and NDJSON items do */
	if (rc == CORO_DONE && status == 0 &&
	    (job->req.explain || job->req.format == FORMAT_JSON) &&
	    write_all(out_fd, "\n", 1) < 0)
		status = 1;
	sbuf_release(&job->body);
	rng_wipe(&rng);
	return status;
}

int cli_run(int argc, char **argv, int out_fd)
{
	const char *kind = argv[1];
	char *defaults[] = { argv[0], NULL };
	struct sbuf target = SBUF_INIT;
	struct request req;
	struct config cfg;
	const char *policies;
	char why[512];
	struct job *job;
	int status;

	if (wants_help(argc, argv))
		return print_help(kind, stdout);
	if (config_load(&cfg, 1, defaults, why, sizeof(why)) != CONFIG_OK ||
	    wordlist_load_specs(cfg.wordlists, why, sizeof(why)) < 0) {
		log_error("%s", why);
		return 2;
	}
	policies = cfg.policies;  /* PWGEND_POLICIES, unless the flag */
	argc -= 2;
	if (take_policies_flag(&argc, argv + 2, &policies) < 0 ||
	    build_target(kind, argc, argv + 2, &target) < 0) {
		sbuf_release(&target);
		return 2;
	}
	/* the request may point into the target: it lives as long as the
	 * job, as an exchange's does */
	status = parse_target(&cfg, policies, &target, &req);
	if (status != 0) {
		sbuf_release(&target);
		return status;
	}
	if (!req.gen.format_given)
		req.gen.format = FORMAT_TEXT;
	job = calloc(1, sizeof(*job));
	if (job == NULL) {
		sbuf_release(&target);
		log_error("out of memory");
		return 1;
	}
	job->req = req.gen;
	job->stream_chunk = req.gen.explain ? 0 : CLI_CHUNK;
	signal(SIGPIPE, SIG_IGN);  /* a closed pipe is EPIPE, seen above */
	status = run_job(job, out_fd);
	free(job);
	sbuf_release(&target);
	return status;
}
