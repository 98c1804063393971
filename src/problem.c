/* problem.c - see problem.h. */
#include "problem.h"

#include <stdarg.h>
#include <stdio.h>

int request_fail(struct request_error *err, int status, const char *type,
		 const char *title, const char *param, const char *fmt, ...)
{
	va_list ap;

	err->status = status;
	err->type = type;
	err->title = title;
	snprintf(err->parameter, sizeof(err->parameter), "%s",
		 param != NULL ? param : "");
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
	return -1;
}
