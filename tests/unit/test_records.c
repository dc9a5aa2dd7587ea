/*
 * test_records.c - unit tests for common/records.c: a dictionary trained
 * on generated records packs them smaller and unpacks them byte for byte;
 * plain records pass through; too few samples train no dictionary; a
 * record naming a dictionary the reader lacks, or a damaged frame, is an
 * error, never wrong bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "records.h"

/* A record shaped like docdata's: a JSON header, then Chinese text. */
static void make_record(unsigned i, sou_buf *out)
{
	static const char *const words[] = { "央行", "宣布", "下调", "存款准备金率", "市场",
					     "流动性", "银行", "贷款", "利率", "经济", "增长" };
	unsigned k;

	sou_buf_reset(out);
	sou_buf_addf(out, "{\"path\":\"2024-01-%02u-post-%u.md\",\"title\":\"第%u篇\"}\n", i % 28 + 1,
		     i, i);
	for (k = 0; k < 120; k++)
		sou_buf_adds(out, words[(i * 7 + k * 3 + k / 5) % 11]);
}

static void train(unsigned n, sou_buf *dict)
{
	sou_buf samples = SOU_BUF_INIT, rec = SOU_BUF_INIT;
	size_t *sizes = calloc(n + 1, sizeof(*sizes));
	unsigned i;

	for (i = 0; i < n; i++) {
		make_record(i, &rec);
		sou_buf_add(&samples, rec.data, rec.len);
		sizes[i] = rec.len;
	}
	sou_records_train(samples.data, sizes, n, dict);
	free(sizes);
	sou_buf_free(&samples);
	sou_buf_free(&rec);
}

static void test_roundtrip(void **state)
{
	sou_buf dict = SOU_BUF_INIT, rec = SOU_BUF_INIT, packed = SOU_BUF_INIT, back = SOU_BUF_INIT;
	sou_records *w = sou_records_create(), *r = sou_records_create();
	sou_error err;
	unsigned id, i;

	(void)state;
	train(400, &dict);
	assert_true(dict.len > 0);
	id = sou_records_add_dict(w, dict.data, dict.len, 1);
	assert_true(id != 0);
	assert_int_equal(sou_records_dict_id(dict.data, dict.len), id);
	assert_true(sou_records_packing(w));
	assert_int_equal(sou_records_add_dict(r, dict.data, dict.len, 0), id);
	assert_false(sou_records_packing(r));
	for (i = 1000; i < 1050; i++) {
		make_record(i, &rec);
		sou_records_pack(w, rec.data, rec.len, &packed);
		assert_int_equal(packed.data[0], SOU_RECORDS_ZSTD);
		assert_true(packed.len * 2 < rec.len); /* the dictionary pays */
		assert_int_equal(sou_records_unpack(r, packed.data, packed.len, &back, &err), SOU_OK);
		assert_int_equal(back.len, rec.len);
		assert_memory_equal(back.data, rec.data, rec.len);
	}
	/* a plain record passes through, also through a reader */
	assert_int_equal(sou_records_unpack(r, rec.data, rec.len, &back, &err), SOU_OK);
	assert_memory_equal(back.data, rec.data, rec.len);
	sou_records_destroy(w);
	sou_records_destroy(r);
	sou_records_destroy(NULL);
	sou_buf_free(&dict);
	sou_buf_free(&rec);
	sou_buf_free(&packed);
	sou_buf_free(&back);
}

static void test_no_dictionary(void **state)
{
	sou_buf dict = SOU_BUF_INIT, rec = SOU_BUF_INIT, out = SOU_BUF_INIT;
	sou_records *w = sou_records_create();

	(void)state;
	train(SOU_RECORDS_MIN_SAMPLES - 1, &dict);
	assert_int_equal(dict.len, 0);
	assert_int_equal(sou_records_add_dict(w, "not a dictionary", 16, 1), 0);
	assert_false(sou_records_packing(w));
	make_record(1, &rec);
	sou_records_pack(w, rec.data, rec.len, &out);
	assert_int_equal(out.len, rec.len);
	assert_memory_equal(out.data, rec.data, rec.len);
	sou_records_destroy(w);
	sou_buf_free(&dict);
	sou_buf_free(&rec);
	sou_buf_free(&out);
}

static void test_errors(void **state)
{
	sou_buf dict = SOU_BUF_INIT, rec = SOU_BUF_INIT, packed = SOU_BUF_INIT, back = SOU_BUF_INIT;
	sou_records *w = sou_records_create(), *lacking = sou_records_create();
	sou_error err;

	(void)state;
	train(400, &dict);
	sou_records_add_dict(w, dict.data, dict.len, 1);
	make_record(7, &rec);
	sou_records_pack(w, rec.data, rec.len, &packed);
	/* a reader without the dictionary */
	assert_int_equal(sou_records_unpack(lacking, packed.data, packed.len, &back, &err), SOU_ERR_DB);
	assert_non_null(strstr(err.msg, "dictionary"));
	/* cut short, and a damaged frame */
	assert_int_equal(sou_records_unpack(w, packed.data, 3, &back, &err), SOU_ERR_DB);
	packed.data[packed.len / 2] ^= 0x5a;
	packed.data[packed.len / 2 + 1] ^= 0x33;
	assert_int_equal(sou_records_unpack(w, packed.data, packed.len - 4, &back, &err), SOU_ERR_DB);
	sou_records_destroy(w);
	sou_records_destroy(lacking);
	sou_buf_free(&dict);
	sou_buf_free(&rec);
	sou_buf_free(&packed);
	sou_buf_free(&back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_no_dictionary),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
