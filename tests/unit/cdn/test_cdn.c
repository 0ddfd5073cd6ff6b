/* SPDX-License-Identifier: ISC */
/* test_cdn.c: invalidation paths and CloudFront's limits. */
#include "test.h"

#include <jansson.h>

#include "cdn/cdn.h"
#include "conf/conf.h"

TEST(cdn, pages_are_invalidated_three_ways)
{
	json_t *in = json_pack("[s, s, s]", "/news/a/", "/", "/feeds/x.xml");
	json_t *out = cdn_plan(in);
	char *s = json_dumps(out, JSON_COMPACT);

	CHECK_STR_EQ(s, "[\"/news/a/\",\"/news/a\",\"/news/a/index.html\","
	    "\"/\",\"/index.html\",\"/feeds/x.xml\"]");
	free(s);
	json_decref(in);
	json_decref(out);
}

TEST(cdn, cloudfront_collapses_into_wildcards)
{
	json_t *few = json_array(), *many = json_array(), *wide = json_array();
	json_t *out;
	char p[64], *s;

	for (int i = 0; i < 10; i++) {
		snprintf(p, sizeof(p), "/news/%d/", i);
		json_array_append_new(few, json_string(p));
	}
	out = cdn_cloudfront_paths(few);
	CHECK_INT_EQ(json_array_size(out), 10);
	json_decref(out);
	for (int i = 0; i < 1500; i++) {
		snprintf(p, sizeof(p), "/%s/%d/", i % 3 ? "news" : "events", i);
		json_array_append_new(many, json_string(p));
	}
	json_array_append_new(many, json_string("/index.html"));
	out = cdn_cloudfront_paths(many);
	s = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	CHECK_INT_EQ(json_array_size(out), 3);
	CHECK(strstr(s, "\"/news/*\"") && strstr(s, "\"/events/*\"") &&
	    strstr(s, "\"/index.html\""));
	free(s);
	json_decref(out);
	for (int i = 0; i < 1200; i++) {
		snprintf(p, sizeof(p), "/s%d/p%d/", i % 40, i);
		json_array_append_new(wide, json_string(p));
	}
	out = cdn_cloudfront_paths(wide);
	CHECK_INT_EQ(json_array_size(out), 1);
	CHECK_STR_EQ(json_string_value(json_array_get(out, 0)), "/*");
	json_decref(out);
	json_decref(few);
	json_decref(many);
	json_decref(wide);
}

TEST(cdn, provider_plans_and_surrogate_key)
{
	struct cdn_conf cf, fa;
	json_t *many = json_array(), *few = json_pack("[s]", "/a/"), *out;
	char p[32];

	memset(&cf, 0, sizeof(cf));
	memset(&fa, 0, sizeof(fa));
	cf.type = CONF_CDN_CLOUDFRONT;
	fa.type = CONF_CDN_FASTLY;
	for (int i = 0; i < 1200; i++) {
		snprintf(p, sizeof(p), "/news/%d/", i);
		json_array_append_new(many, json_string(p));
	}
	/* no CDN: nothing to send */
	out = cdn_invalidation_plan(NULL, few);
	CHECK_INT_EQ(json_array_size(out), 0);
	json_decref(out);
	/* a page three ways, then CloudFront's limits */
	out = cdn_invalidation_plan(&fa, few);
	CHECK_INT_EQ(json_array_size(out), 3);
	json_decref(out);
	out = cdn_invalidation_plan(&cf, many);
	CHECK_INT_EQ(json_array_size(out), 1);
	CHECK_STR_EQ(json_string_value(json_array_get(out, 0)), "/news/*");
	json_decref(out);
	out = cdn_invalidation_plan(&fa, many);
	CHECK_INT_EQ(json_array_size(out), 3600);
	json_decref(out);
	CHECK_STR_EQ(cdn_surrogate_key(&fa), CDN_SURROGATE_KEY);
	CHECK_NULL(cdn_surrogate_key(&cf));
	CHECK_NULL(cdn_surrogate_key(NULL));
	json_decref(many);
	json_decref(few);
}
