/* web.c - see web.h. The .inc files are generated into $(BUILD)/gen by
 * scripts/embed.sh (mk/web.mk): comma-separated byte values, nothing else. */
#include "web.h"

static const unsigned char index_html[] = {
#include "web_index_html.inc"
};

static const unsigned char app_js[] = {
#include "web_app_js.inc"
};

static const unsigned char style_css[] = {
#include "web_style_css.inc"
};

static const unsigned char docs_html[] = {
#include "web_docs_html.inc"
};

static const unsigned char docs_init_js[] = {
#include "web_docs_init_js.inc"
};

static const unsigned char docs_css[] = {
#include "web_docs_css.inc"
};

static const unsigned char swagger_ui_js[] = {
#include "web_swagger_ui_bundle_js.inc"
};

static const unsigned char swagger_ui_css[] = {
#include "web_swagger_ui_css.inc"
};

#define ASSET(src, type, bytes) { src, type, bytes, sizeof(bytes) }

static const struct web_asset assets[WEB_FILE_COUNT] = {
	[WEB_INDEX_HTML] = ASSET("web/index.html", WEB_TYPE_HTML, index_html),
	[WEB_APP_JS] = ASSET("web/app.js", WEB_TYPE_JS, app_js),
	[WEB_STYLE_CSS] = ASSET("web/style.css", WEB_TYPE_CSS, style_css),
	[WEB_DOCS_HTML] = ASSET("web/docs.html", WEB_TYPE_HTML, docs_html),
	[WEB_DOCS_INIT_JS] = ASSET("web/docs-init.js", WEB_TYPE_JS,
				   docs_init_js),
	[WEB_DOCS_CSS] = ASSET("web/docs.css", WEB_TYPE_CSS, docs_css),
	[WEB_SWAGGER_UI_JS] = ASSET("vendor/swagger-ui/swagger-ui-bundle.js",
				    WEB_TYPE_JS, swagger_ui_js),
	[WEB_SWAGGER_UI_CSS] = ASSET("vendor/swagger-ui/swagger-ui.css",
				     WEB_TYPE_CSS, swagger_ui_css),
};

const struct web_asset *web_asset(enum web_file file)
{
	if ((unsigned)file >= WEB_FILE_COUNT)
		return NULL;
	return &assets[file];
}
