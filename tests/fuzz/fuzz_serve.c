/*
 * fuzz_serve.c - libFuzzer target: sou-serve's /search parameters
 * (query/serve/params.c) on arbitrary query strings.  The input is split
 * as a query string (on '&', then the first '='; '+' and %XX decoded, as
 * libmicrohttpd does), each pair added, the set checked and built; then
 * each part and the whole text are parsed as the search workers do, and
 * the error body is made.  Invariants: a built set has at least one part
 * and the text holds every part; a refused one has a message; an error
 * body is one valid JSON document.  Never a crash or a leak.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "qparse.h"

static sou_termgen *tg;

static int hex(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes s[0..n) in place ('+' and %XX); returns the new length. */
static size_t unescape(char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			s[o++] = ' ';
		} else if (s[i] == '%' && i + 2 < n && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
			s[o++] = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
			i += 2;
		} else {
			s[o++] = s[i];
		}
	}
	s[o] = '\0';
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const sou_serve_limits lim = { 1000, 100, 10000, 480 };
	char *s = malloc(size + 1), *p, *end;
	sou_serve_params sp;
	sou_buf body = SOU_BUF_INIT;
	sou_error err;
	size_t i;

	if (!tg && sou_termgen_create(&tg, &err))
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	sou_serve_params_init(&sp, &lim);
	for (p = s, end = s + size; p <= end;) {
		char *amp = memchr(p, '&', (size_t)(end - p));
		char *pair_end = amp ? amp : end, *eq;
		size_t klen, vlen = 0;
		char *val = NULL;

		*pair_end = '\0';
		eq = memchr(p, '=', (size_t)(pair_end - p));
		if (eq) {
			*eq = '\0';
			val = eq + 1;
			vlen = unescape(val, (size_t)(pair_end - val));
		}
		klen = unescape(p, strlen(p));
		if (!sou_serve_params_add(&sp, p, klen, val, vlen))
			break;
		p = pair_end + 1;
	}
	if (sou_serve_params_build(&sp)) {
		sou_query *q = NULL;
		if (!sp.parts.n || !sp.text.len)
			__builtin_trap();
		for (i = 0; i < sp.parts.n; i++) {
			if (!strstr(sp.text.data, sp.parts.v[i]))
				__builtin_trap();
			if (!sou_query_parse(tg, sp.parts.v[i], lim.tz_min, &q, &err))
				sou_query_destroy(q);
			q = NULL;
		}
		if (!sou_query_parse(tg, sp.text.data, lim.tz_min, &q, &err))
			sou_query_destroy(q);
	} else {
		json_t *j;
		if (!sp.bad.len)
			__builtin_trap();
		sou_serve_error_json(&body, 400, sp.bad_param, sp.bad.data);
		j = json_loadb(body.data, body.len, 0, NULL);
		if (!j)
			__builtin_trap();
		json_decref(j);
	}
	sou_buf_free(&body);
	sou_serve_params_free(&sp);
	free(s);
	return 0;
}
