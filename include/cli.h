/*
 * cli.h - the command-line face: `pwgend password --quantity 5 --length 32`
 * (and pin, passphrase, token) prints items with the very engine the
 * server uses.
 *
 * The flags are the HTTP route's query parameters, spelled --name value,
 * --name=value, or --name alone for true (hyphens may stand for
 * underscores: --min-entropy). They are turned into the route's
 * request-target and go through request_parse and request_check_work, so
 * names, limits, conflicts and errors are the server's, byte for byte (a
 * refusal prints its detail and the parameter, exit 2). The job then runs
 * in this process through the same task, coroutines and renderers as a
 * server's job, in 64 KiB chunks written to stdout as they are made:
 * memory stays bounded whatever the quantity, and every chunk is wiped
 * once written. Text by default (one item a line); --format json|ndjson as
 * the HTTP replies; --explain prints the explain document. A closed pipe
 * (`| head -1`) ends it quietly with exit 0; any other write error exits 1.
 * The server's limits apply, read from the same environment variables
 * (PWGEND_MAX_QUANTITY, PWGEND_MAX_WORK).
 */
#ifndef PWGEND_CLI_H
#define PWGEND_CLI_H

#include <stdbool.h>

/* Is argv[1] a sub-command of this face ("password", "pin", ...)? */
bool cli_is_command(const char *arg);

/* Run `pwgend <kind> [flags]`, writing items to out_fd; the exit status.
 * sodium_init() must have succeeded. */
int cli_run(int argc, char **argv, int out_fd);

#endif
