/*
 * web.h - the browser face: the generator page and Swagger UI's files,
 * embedded at build time.
 *
 *   web/index.html, web/app.js, web/style.css     the generator page at /
 *   web/docs.html, web/docs-init.js, web/docs.css  the /docs page
 *   vendor/swagger-ui/swagger-ui-bundle.js, swagger-ui.css
 *                                                  Swagger UI (swagger-ui-dist,
 *                                                  pinned; vendor/swagger-ui/)
 *
 * Compiled in as byte arrays (scripts/embed.sh, mk/web.mk), like the spec,
 * so the binary serves the files of the commit it was built from and opens
 * none at run time. Which path serves which file is ops.c's business (the
 * routes table); this module only holds the bytes, their Content-Type and
 * the security headers that every one of these replies carries.
 *
 * No page has an inline script or style, so the Content-Security-Policy
 * allows only this origin's files: `img-src data:` is for the icons that
 * swagger-ui.css inlines; `connect-src 'self'` lets the pages call this
 * API (and Swagger UI's "Try it out" only this server). http.c adds
 * Cache-Control: no-store and X-Content-Type-Options: nosniff to every
 * reply, these included.
 */
#ifndef PWGEND_WEB_H
#define PWGEND_WEB_H

#include <stddef.h>

enum web_file {
	WEB_INDEX_HTML,
	WEB_APP_JS,
	WEB_STYLE_CSS,
	WEB_DOCS_HTML,
	WEB_DOCS_INIT_JS,
	WEB_DOCS_CSS,
	WEB_SWAGGER_UI_JS,
	WEB_SWAGGER_UI_CSS,
	WEB_FILE_COUNT,
};

#define WEB_TYPE_HTML "text/html; charset=utf-8"
#define WEB_TYPE_JS "text/javascript; charset=utf-8"
#define WEB_TYPE_CSS "text/css; charset=utf-8"

#define WEB_CONTENT_SECURITY_POLICY \
	"default-src 'none'; script-src 'self'; style-src 'self'; " \
	"img-src 'self' data:; connect-src 'self'; base-uri 'none'; " \
	"form-action 'self'; frame-ancestors 'none'"
#define WEB_FRAME_OPTIONS "DENY"
#define WEB_REFERRER_POLICY "no-referrer"

struct web_asset {
	const char *source;            /* the file in the repository */
	const char *type;              /* Content-Type */
	const unsigned char *body;     /* static, not NUL-terminated */
	size_t len;
};

/* The embedded file, or NULL for a value out of range. */
const struct web_asset *web_asset(enum web_file file);

#endif
