/* SPDX-License-Identifier: ISC */
/*
 * admin_fields.c: the site's own page fields in the admin's editor
 * (kiln.yaml admin.fields, decision 0201): shown after the built-in
 * fields, checked when the form comes back, kept in the page's params
 * (front matter) under their names, where templates read them.
 */
#include "common/compat.h"

#include <microhttpd.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/jsonsafe.h"
#include "common/timeutil.h"
#include "conf/conf.h"
#include "http/admin_int.h"

#define FIELD_MAX	(64 * 1024)	/* bytes of one field's value */

static const char *
value_of(json_t *values, const char *name)
{
	const char *s = json_string_value(json_object_get(values, name));

	return s ? s : "";
}

json_t *
admin_fields_view(const struct conf *c, json_t *values)
{
	json_t *a = json_array();

	for (size_t i = 0; i < c->admin.nfields; i++) {
		const struct conf_admin_field *f = &c->admin.fields[i];
		const char *v = value_of(values, f->name);
		json_t *o, *opts = json_array();
		for (size_t k = 0; k < f->noptions; k++)
			json_array_append_new(opts, json_pack("{s:o, s:b}",
			    "value", jsafe_string(f->options[k]), "selected",
			    !strcmp(v, f->options[k])));
		o = json_pack("{s:s, s:o, s:o, s:b, s:b, s:b, s:b, s:b, s:o}",
		    "name", f->name, "label", jsafe_string(f->label ? f->label :
		    f->name), "value", jsafe_string(v), "required", f->required,
		    "text", f->type == CONF_FIELD_TEXT, "textarea",
		    f->type == CONF_FIELD_TEXTAREA, "date",
		    f->type == CONF_FIELD_DATE, "select",
		    f->type == CONF_FIELD_SELECT, "options", opts);
		json_array_append_new(a, o);
	}
	return a;
}

/* is V a valid value of field F?  0, or -1 with err */
static int
check_value(const struct conf_admin_field *f, const char *v,
    struct buf *err)
{
	const char *label = f->label ? f->label : f->name;
	int64_t t;

	if (!*v) {
		if (f->required) {
			buf_setf(err, "%s: %s is required", f->name, label);
			return -1;
		}
		return 0;
	}
	if (strlen(v) > FIELD_MAX || (f->type != CONF_FIELD_TEXTAREA &&
	    strpbrk(v, "\r\n"))) {
		buf_setf(err, "%s: %s is too long or has line breaks", f->name,
		    label);
		return -1;
	}
	if (f->type == CONF_FIELD_DATE && (strlen(v) != 10 ||
	    time_parse_iso8601(v, &t) == -1)) {
		buf_setf(err, "%s: %s: expected a date (YYYY-MM-DD)", f->name,
		    label);
		return -1;
	}
	if (f->type == CONF_FIELD_SELECT) {
		for (size_t k = 0; k < f->noptions; k++)
			if (!strcmp(v, f->options[k]))
				return 0;
		buf_setf(err, "%s: %s: not one of the choices", f->name,
		    label);
		return -1;
	}
	return 0;
}

int
admin_fields_read(const struct conf *c, json_t *form, json_t *base,
    json_t **extra, struct buf *err)
{
	*extra = base ? json_deep_copy(base) : json_object();
	if (!*extra)
		*extra = json_object();
	for (size_t i = 0; i < c->admin.nfields; i++) {
		const struct conf_admin_field *f = &c->admin.fields[i];
		const char *v = admin_field(form, f->name);
		if (check_value(f, v, err) == -1)
			return -1;
		if (*v)
			json_object_set_new(*extra, f->name, jsafe_string(v));
		else
			json_object_del(*extra, f->name);
	}
	return 0;
}
