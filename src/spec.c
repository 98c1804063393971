/* spec.c - see spec.h. The .inc file is generated into $(BUILD)/gen by
 * scripts/embed.sh: comma-separated byte values, nothing else. */
#include "spec.h"

static const unsigned char json[] = {
#include "openapi_json.inc"
};

const unsigned char *spec_json(size_t *len)
{
	*len = sizeof(json);
	return json;
}
