/*
 * fuzz_query.c - libFuzzer target: the query language (sou_query_parse)
 * on arbitrary strings: it must either compile a query or fail with a
 * query error, never crash or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qparse.h"

static sou_termgen *tg;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	sou_query *q = NULL;
	sou_error err;
	sou_status st;
	sou_strlist words = { NULL, 0 };

	if (!tg && sou_termgen_create(&tg, &err))
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	st = sou_query_parse(tg, s, 480, &q, &err);
	if (st != SOU_OK && st != SOU_ERR_QUERY)
		__builtin_trap();
	if (st == SOU_OK && !sou_query_xq(q))
		__builtin_trap();
	sou_query_destroy(q);
	sou_query_split_line(s, &words);
	sou_strlist_free(&words);
	free(s);
	return 0;
}
