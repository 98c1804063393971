/*
 * config.c - see config.h. One table drives defaults, environment variables,
 * flags, range checks and --help, so they cannot drift apart.
 */
#include "config.h"

#include "cpus.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* OPT_LIST: repeatable; each flag adds an entry, the environment variable
 * gives several separated by commas; entries are kept one a line. */
enum opt_type { OPT_SIZE, OPT_BOOL, OPT_STRING, OPT_CHOICE, OPT_LIST };

struct option {
	const char *flag;              /* without the leading "--" */
	const char *env;
	enum opt_type type;
	size_t offset;                 /* into struct config */
	size_t min, max;               /* OPT_SIZE range; OPT_STRING lengths */
	const char *def;               /* default, as text */
	const char *help;
	const char *const *choices;    /* OPT_CHOICE: the accepted words, NULL-
					* terminated; the field is an int
					* holding the index of the one given */
	const char *bare;              /* the value of the flag given alone
					* (OPT_BOOL: "on") */
};

/* --log-format, in enum log_format's order. */
static const char *const log_formats[] = { "text", "json", NULL };

/* --healthcheck, in enum config_probe's order ("on" is "ready", as the
 * flag was a switch before it took a probe). */
static const char *const probes[] = { "off", "ready", "live", "on", NULL };

#define SIZE_OPT(f, e, field, lo, hi, d, h) \
	{ f, e, OPT_SIZE, offsetof(struct config, field), lo, hi, d, h, NULL, \
	  NULL }

static const struct option options[] = {
	{ "bind", "PWGEND_BIND", OPT_STRING, offsetof(struct config, bind), 1,
	  sizeof(((struct config *)0)->bind) - 1, "0.0.0.0",
	  "listen address (IPv4 or IPv6)", NULL, NULL },
	SIZE_OPT("port", "PORT", port, 0, 65535, "8080",
		 "listen port; 0 picks a free one"),
	SIZE_OPT("loops", "PWGEND_LOOPS", loops, 0, CONFIG_MAX_LOOPS, "0",
		 "event loops (threads), each with its own libmicrohttpd "
		 "daemon and scheduler; 0 = the CPUs this process may use "
		 "(affinity and cgroup cpu.max)"),
	SIZE_OPT("max-quantity", "PWGEND_MAX_QUANTITY", max_quantity, 1,
		 1000000, "100000", "largest quantity per request"),
	SIZE_OPT("max-work", "PWGEND_MAX_WORK", max_work, 1 << 20,
		 (size_t)1 << 40, "268435456",
		 "characters a request may be expected to draw (quantity x "
		 "length / acceptance, rejected candidates included) before "
		 "400 too-much-work: about 1 s of CPU"),
	SIZE_OPT("max-inflight-bytes", "PWGEND_MAX_INFLIGHT_BYTES",
		 max_inflight_bytes, 65536, (size_t)1 << 40, "50331648",
		 "admission budget: bytes of replies being built or sent"),
	SIZE_OPT("max-queue", "PWGEND_MAX_QUEUE", max_queue, 0, 1000000,
		 "1024", "jobs waiting for budget (all loops) before 503"),
	SIZE_OPT("connection-limit", "PWGEND_CONNECTION_LIMIT",
		 connection_limit, 0, 1000000, "0",
		 "concurrent connections (all loops; each loop takes an equal "
		 "share); 0 = what the descriptor limit allows, up to 16384"),
	SIZE_OPT("send-buffer-bytes", "PWGEND_SEND_BUFFER_BYTES",
		 send_buffer_bytes, 0, 64 << 20, "131072",
		 "kernel send buffer per connection (SO_SNDBUF; Linux "
		 "doubles it): bounds the memory a client that never reads "
		 "can hold; 0 = the kernel's autotuning"),
	SIZE_OPT("per-ip-connection-limit", "PWGEND_PER_IP_CONNECTION_LIMIT",
		 per_ip_connection_limit, 0, 1000000, "0",
		 "connections per client address, across all loops (0 = "
		 "unlimited; keep 0 behind a proxy or NAT)"),
	SIZE_OPT("strict-client", "PWGEND_STRICT_CLIENT", strict_client, 0, 2,
		 "2", "HTTP parsing strictness: 0 lenient, 1 normal, 2 strict "
		 "(HTTP/1.1 without Host is 400)"),
	SIZE_OPT("connection-timeout", "PWGEND_CONNECTION_TIMEOUT",
		 connection_timeout, 0, 86400, "10",
		 "idle connection timeout in seconds (0 = none)"),
	SIZE_OPT("connection-memory-limit", "PWGEND_CONNECTION_MEMORY_LIMIT",
		 connection_memory_limit, 16384, 16 << 20, "32768",
		 "libmicrohttpd memory per connection (zeroed on every "
		 "request; ~64 bytes per query parameter)"),
	SIZE_OPT("max-url-length", "PWGEND_MAX_URL_LENGTH", max_url_length,
		 64, 16384, "2048", "longest request-target before 414"),
	SIZE_OPT("max-body-bytes", "PWGEND_MAX_BODY_BYTES", max_body_bytes,
		 256, 1 << 20, "16384",
		 "largest request body (POST /v1/complex_password) before 413"),
	SIZE_OPT("stream-min-bytes", "PWGEND_STREAM_MIN_BYTES",
		 stream_min_bytes, 0, (size_t)1 << 40, "1048576",
		 "GET replies estimated larger than this stream in chunks "
		 "(Transfer-Encoding: chunked) and hold one chunk at a time"),
	SIZE_OPT("grace", "PWGEND_GRACE", grace, 0, 3600, "5",
		 "seconds to finish in-flight requests on SIGTERM"),
	SIZE_OPT("quantum", "PWGEND_QUANTUM", quantum, 256, 1 << 24, "16384",
		 "bytes of work (drawn, rejected ones included, and rendered) "
		 "per scheduler slice: bounds how long a job holds its loop"),
	SIZE_OPT("window", "PWGEND_WINDOW", window, 1, 65536, "64",
		 "generation coroutines in flight per request"),
	{ "admin-bind", "PWGEND_ADMIN_BIND", OPT_STRING,
	  offsetof(struct config, admin_bind), 0,
	  sizeof(((struct config *)0)->admin_bind) - 1, "",
	  "listen address of the admin listener (empty: the same as --bind)",
	  NULL, NULL },
	SIZE_OPT("admin-port", "PWGEND_ADMIN_PORT", admin_port, 0, 65535, "0",
		 "serve /metrics, /version, /livez and /readyz on this port "
		 "too, plain HTTP, and no longer /metrics and /version on "
		 "--port; 0 = no admin listener"),
	{ "web", "PWGEND_WEB", OPT_BOOL, offsetof(struct config, web), 0, 1,
	  "on", "serve the generator page at / and the API reference at "
	  "/docs (off: 404; GET / still answers JSON clients)", NULL, NULL },
	{ "cors-origins", "PWGEND_CORS_ORIGINS", OPT_STRING,
	  offsetof(struct config, cors_origins), 0,
	  sizeof(((struct config *)0)->cors_origins) - 1, "",
	  "browser origins allowed to call the API from other sites: * for "
	  "any, or a comma-separated list such as https://a.example,"
	  "https://b.example; empty: none", NULL, NULL },
	{ "tls-cert", "PWGEND_TLS_CERT", OPT_STRING,
	  offsetof(struct config, tls_cert), 0,
	  sizeof(((struct config *)0)->tls_cert) - 1, "",
	  "serve HTTPS with this PEM certificate chain (with --tls-key); "
	  "SIGHUP reloads both without dropping connections", NULL, NULL },
	{ "tls-key", "PWGEND_TLS_KEY", OPT_STRING,
	  offsetof(struct config, tls_key), 0,
	  sizeof(((struct config *)0)->tls_key) - 1, "",
	  "the PEM private key of --tls-cert", NULL, NULL },
	{ "policies", "PWGEND_POLICIES", OPT_STRING,
	  offsetof(struct config, policies), 0,
	  sizeof(((struct config *)0)->policies) - 1, "",
	  "a YAML or JSON file of named parameter sets, applied with "
	  "policy=NAME and listed at GET /policies; SIGHUP reloads it (a "
	  "bad file keeps the old set); empty: none", NULL, NULL },
	{ "wordlist", "PWGEND_WORDLISTS", OPT_LIST,
	  offsetof(struct config, wordlists), 0,
	  sizeof(((struct config *)0)->wordlists) - 1, "",
	  "NAME=FILE: load a word list for passphrases' wordlist=NAME (one "
	  "UTF-8 word a line, at least 1024 distinct; repeatable; the "
	  "variable: NAME=FILE,NAME=FILE)", NULL, NULL },
	{ "access-log", "PWGEND_ACCESS_LOG", OPT_BOOL,
	  offsetof(struct config, access_log), 0, 1, "on",
	  "one line per request on stderr: on or off", NULL, NULL },
	{ "log-format", "PWGEND_LOG_FORMAT", OPT_CHOICE,
	  offsetof(struct config, log_format), 0, 0, "text",
	  "access log lines: text or json (one JSON object per line)",
	  log_formats, NULL },
	{ "healthcheck", "PWGEND_HEALTHCHECK", OPT_CHOICE,
	  offsetof(struct config, healthcheck), 0, 0, "off",
	  "probe the pwgend on 127.0.0.1:PORT and exit 0 if it answers 200: "
	  "ready (alone: GET /readyz) or live (GET /livez); beside a "
	  "container's pwgend it takes that server's flags (container "
	  "HEALTHCHECK)", probes, "ready" },
};

#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

/* Settings of earlier versions that the loop design replaced: refused by
 * name, so that an old command line or manifest fails loudly instead of
 * being half-applied. */
static const struct retired {
	const char *flag;
	const char *env;
} retired[] = {
	{ "threads", "PWGEND_THREADS" },
	{ "schedulers", "PWGEND_SCHEDULERS" },
	{ "inline-max-bytes", "PWGEND_INLINE_MAX_BYTES" },
};

#define N_RETIRED (sizeof(retired) / sizeof(retired[0]))

static const char retired_why[] =
	"was removed: each of --loops (PWGEND_LOOPS) event loops runs its own "
	"libmicrohttpd daemon and scheduler, and every job goes through it";

static int parse_size(const char *s, size_t *out)
{
	size_t v = 0;

	if (*s == '\0')
		return -EINVAL;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (SIZE_MAX - (size_t)(*s - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (size_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static int parse_choice(const char *s, const char *const *choices, int *out)
{
	for (int i = 0; choices[i] != NULL; i++) {
		if (strcmp(s, choices[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "on", "true", "1", "yes" };
	static const char *const no[] = { "off", "false", "0", "no" };

	for (size_t i = 0; i < 4; i++) {
		if (strcmp(s, yes[i]) == 0 || strcmp(s, no[i]) == 0) {
			*out = strcmp(s, yes[i]) == 0;
			return 0;
		}
	}
	return -EINVAL;
}

/* Add value's entries (split at commas when `split`) to the list at
 * field, one a line, within max bytes. */
static int append_list(char *field, size_t max, const char *value,
		       bool split, const char *source, char *err,
		       size_t errlen)
{
	size_t len = strlen(field), n = strlen(value);

	if (n == 0)
		return 0;
	if (len + (len > 0) + n > max) {
		snprintf(err, errlen, "%s: the list is longer than %zu bytes",
			 source, max);
		return -1;
	}
	if (len > 0)
		field[len++] = '\n';
	for (size_t i = 0; i <= n; i++)
		field[len + i] = split && value[i] == ',' ? '\n' : value[i];
	return 0;
}

/* Store `value` into the field; `source` names it in error messages. */
static int set_option(struct config *cfg, const struct option *o,
		      const char *value, const char *source, char *err,
		      size_t errlen)
{
	char *field = (char *)cfg + o->offset;
	size_t v;

	switch (o->type) {
	case OPT_STRING:
		if (strlen(value) < o->min || strlen(value) > o->max)
			break;
		strcpy(field, value);
		return 0;
	case OPT_BOOL:
		if (parse_bool(value, (bool *)field) == 0)
			return 0;
		snprintf(err, errlen, "%s: expected on or off, got \"%s\"",
			 source, value);
		return -1;
	case OPT_CHOICE:
		if (parse_choice(value, o->choices, (int *)field) == 0)
			return 0;
		snprintf(err, errlen, "%s: expected ", source);
		for (size_t i = 0; o->choices[i] != NULL; i++)
			snprintf(err + strlen(err), errlen - strlen(err),
				 "%s%s", i > 0 ? " or " : "", o->choices[i]);
		snprintf(err + strlen(err), errlen - strlen(err),
			 ", got \"%s\"", value);
		return -1;
	case OPT_LIST:
		/* the environment's commas separate; a flag is one entry */
		return append_list(field, o->max, value, source == o->env,
				   source, err, errlen);
	case OPT_SIZE:
		if (parse_size(value, &v) == 0 && v >= o->min && v <= o->max) {
			*(size_t *)field = v;
			return 0;
		}
		snprintf(err, errlen, "%s: expected an integer from %zu to "
			 "%zu, got \"%s\"", source, o->min, o->max, value);
		return -1;
	}
	snprintf(err, errlen, "%s: invalid value \"%s\"", source, value);
	return -1;
}

static const struct option *find_flag(const char *name, size_t n)
{
	for (size_t i = 0; i < N_OPTIONS; i++) {
		if (strlen(options[i].flag) == n &&
		    memcmp(options[i].flag, name, n) == 0)
			return &options[i];
	}
	return NULL;
}

static int refuse_retired_env(char *err, size_t errlen)
{
	for (size_t i = 0; i < N_RETIRED; i++) {
		if (getenv(retired[i].env) != NULL) {
			snprintf(err, errlen, "%s %s", retired[i].env,
				 retired_why);
			return -1;
		}
	}
	return 0;
}

static bool is_retired_flag(const char *name, size_t n)
{
	for (size_t i = 0; i < N_RETIRED; i++) {
		if (strlen(retired[i].flag) == n &&
		    memcmp(retired[i].flag, name, n) == 0)
			return true;
	}
	return false;
}

static int load_defaults_and_env(struct config *cfg, char *err,
				 size_t errlen)
{
	memset(cfg, 0, sizeof(*cfg));
	if (refuse_retired_env(err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const char *env = getenv(options[i].env);

		if (set_option(cfg, &options[i], options[i].def, "default",
			       err, errlen) < 0)
			return -1;
		if (env != NULL && set_option(cfg, &options[i], env,
					      options[i].env, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* argv[*i] is "--name", "--name=value" or "--name value". */
static enum config_result load_flag(struct config *cfg, int argc, char **argv,
				    int *i, char *err, size_t errlen)
{
	const char *arg = argv[*i];
	const char *name = arg + 2, *eq = strchr(name, '='), *value;
	size_t n = eq != NULL ? (size_t)(eq - name) : strlen(name);
	const struct option *o;

	if (strncmp(arg, "--", 2) != 0) {
		snprintf(err, errlen, "unexpected argument \"%s\"", arg);
		return CONFIG_ERROR;
	}
	if (strcmp(name, "help") == 0)
		return CONFIG_HELP;
	o = find_flag(name, n);
	if (o == NULL && is_retired_flag(name, n)) {
		snprintf(err, errlen, "--%.*s %s", (int)n, name, retired_why);
		return CONFIG_ERROR;
	}
	if (o == NULL) {
		snprintf(err, errlen, "unknown flag \"%s\" (see --help)", arg);
		return CONFIG_ERROR;
	}
	if (eq != NULL) {
		value = eq + 1;
	} else if ((o->type == OPT_BOOL || o->bare != NULL) &&
		   (*i + 1 >= argc || strncmp(argv[*i + 1], "--", 2) == 0)) {
		/* a bare boolean flag switches it on */
		value = o->bare != NULL ? o->bare : "on";
	} else if (*i + 1 < argc) {
		value = argv[++*i];
	} else {
		snprintf(err, errlen, "%s needs a value", arg);
		return CONFIG_ERROR;
	}
	return set_option(cfg, o, value, arg, err, errlen) < 0 ? CONFIG_ERROR
							     : CONFIG_OK;
}

size_t config_connections_for_fds(size_t fds, size_t loops)
{
	/* each loop's epoll, eventfd and libmicrohttpd's epoll set (3), and
	 * the listening socket, log files, the odd probe: an eighth of the
	 * descriptors, at most 64 and at least 8 */
	size_t reserve = (fds / 8 > 64 ? 64 : fds / 8 < 8 ? 8 : fds / 8) +
			 3 * loops;
	size_t n = fds > reserve ? fds - reserve : 1;

	return n > CONFIG_AUTO_CONNECTIONS ? CONFIG_AUTO_CONNECTIONS : n;
}

/* The soft descriptor limit (main raises it to the hard one first). */
static size_t open_max(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return CONFIG_AUTO_CONNECTIONS;
	return (size_t)rl.rlim_cur;
}

static enum config_result load_args(struct config *cfg, int argc,
				    char **argv, char *err, size_t errlen)
{
	int first = 1;

	if (load_defaults_and_env(cfg, err, errlen) < 0)
		return CONFIG_ERROR;
	/* `pwgend serve --flags` is the server too; beside a container's
	 * pwgend started so, its arguments come here with the word */
	if (argc > 1 && strcmp(argv[1], "serve") == 0)
		first = 2;
	for (int i = first; i < argc; i++) {
		enum config_result r = load_flag(cfg, argc, argv, &i, err,
						 errlen);

		if (r != CONFIG_OK)
			return r;
	}
	return CONFIG_OK;
}

/*
 * The image's HEALTHCHECK runs `pwgend --healthcheck` beside the server,
 * which may have been started with flags (`podman run pwgend --port 9000`)
 * that the probe's own command line does not carry. When PID 1 is a pwgend
 * (a container's main process), its arguments come first and the probe's
 * own after them, so the probe asks the port, address and TLS the server
 * really uses, and its own flags still win. argv[0] plus PID 1's arguments
 * plus argv[1..], in one malloc'd block; NULL when PID 1 is not pwgend.
 */
static char **with_pid1_args(int argc, char **argv, int *out_argc)
{
	static char text[8192];
	FILE *f = fopen("/proc/1/cmdline", "re");
	size_t n = f != NULL ? fread(text, 1, sizeof(text) - 1, f) : 0;
	const char *base;
	char **all;
	int count = 0;

	if (f != NULL)
		fclose(f);
	if (n == 0 || n == sizeof(text) - 1)
		return NULL;  /* unreadable, or too long to be ours */
	text[n] = '\0';
	base = strrchr(text, '/') != NULL ? strrchr(text, '/') + 1 : text;
	if (strcmp(base, "pwgend") != 0)
		return NULL;
	for (size_t i = strlen(text) + 1; i < n; i += strlen(text + i) + 1)
		count++;
	all = calloc((size_t)(count + argc + 1), sizeof(*all));
	if (all == NULL)
		return NULL;
	all[0] = argv[0];
	count = 1;
	for (size_t i = strlen(text) + 1; i < n; i += strlen(text + i) + 1)
		all[count++] = text + i;
	for (int i = 1; i < argc; i++)
		all[count++] = argv[i];
	*out_argc = count;
	return all;
}

enum config_result config_load(struct config *cfg, int argc, char **argv,
			       char *err, size_t errlen)
{
	enum config_result r = load_args(cfg, argc, argv, err, errlen);
	int all_argc = 0;
	char **all;

	if (r != CONFIG_OK || cfg->healthcheck == CONFIG_PROBE_OFF ||
	    (all = with_pid1_args(argc, argv, &all_argc)) == NULL)
		return r == CONFIG_OK ? config_settle(cfg, err, errlen) : r;
	r = load_args(cfg, all_argc, all, err, errlen);
	free(all);
	return r == CONFIG_OK ? config_settle(cfg, err, errlen) : r;
}

enum config_result config_settle(struct config *cfg, char *err,
				 size_t errlen)
{
	if (cfg->loops == 0)
		cfg->loops = cpus_usable(CONFIG_MAX_LOOPS);
	if (cfg->connection_limit == 0)
		cfg->connection_limit = config_connections_for_fds(open_max(),
								   cfg->loops);
	if (cfg->admin_bind[0] == '\0')
		snprintf(cfg->admin_bind, sizeof(cfg->admin_bind), "%s",
			 cfg->bind);
	if (cfg->admin_port != 0 && cfg->admin_port == cfg->port) {
		snprintf(err, errlen, "--admin-port must differ from --port");
		return CONFIG_ERROR;
	}
	if ((cfg->tls_cert[0] == '\0') != (cfg->tls_key[0] == '\0')) {
		snprintf(err, errlen, "--tls-cert and --tls-key go together");
		return CONFIG_ERROR;
	}
	return CONFIG_OK;
}

void config_usage(FILE *out)
{
	fprintf(out, "usage: pwgend [serve] [--flag value | --flag=value]...\n"
		"       pwgend password|pin|passphrase|token [--parameter "
		"value]...   (--help lists them)\n\n"
		"Serves random passwords, PINs, passphrases and tokens over "
		"HTTP,\nor prints them (the second form). Server flags:\n\n");
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct option *o = &options[i];

		fprintf(out, "  --%-20s %s\n  %-22s env %s, default %s\n",
			o->flag, o->help, "", o->env, o->def);
	}
	fprintf(out, "  --%-20s print this help\n", "help");
}
