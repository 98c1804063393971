/* spec.c - see spec.h. The .inc files are generated into $(BUILD)/gen by
 * scripts/embed.sh: comma-separated byte values, nothing else. */
#include "spec.h"

static const unsigned char yaml[] = {
#include "openapi_yaml.inc"
};

static const unsigned char json[] = {
#include "openapi_json.inc"
};

const unsigned char *spec_yaml(size_t *len)
{
	*len = sizeof(yaml);
	return yaml;
}

const unsigned char *spec_json(size_t *len)
{
	*len = sizeof(json);
	return json;
}
