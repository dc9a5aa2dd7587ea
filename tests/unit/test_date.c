/*
 * test_date.c - unit tests for common/date.c: every front-matter date
 * form of date.h (with exact epoch values computed independently with
 * Python's datetime), the default zone, invalid dates, Jekyll file-name
 * dates, ISO/day output, sou_tz_parse and the query language's date
 * ranges.
 */
#include <string.h>

#include "testutil.h"
#include "date.h"

#define TZ8 SOU_DEFAULT_TZ_MIN

static void check_parse(const char *s, int deftz, int64_t epoch, int tz)
{
	sou_date d = { -1, -1 };
	sou_error err;

	sou_error_clear(&err);
	if (sou_date_parse(s, deftz, &d, &err) != SOU_OK)
		fail_msg("sou_date_parse('%s') failed: %s", s, err.msg);
	if (d.epoch != epoch || d.tz_min != tz)
		fail_msg("sou_date_parse('%s') = %lld/%d, want %lld/%d", s,
			 (long long)d.epoch, d.tz_min, (long long)epoch, tz);
}

static void check_bad(const char *s)
{
	sou_date d = { 0, 0 };
	sou_error err;
	sou_status st;

	sou_error_clear(&err);
	st = sou_date_parse(s, TZ8, &d, &err);
	if (st != SOU_ERR_PARSE)
		fail_msg("sou_date_parse('%s') returned %d, want SOU_ERR_PARSE", s, (int)st);
	assert_int_equal(err.code, SOU_ERR_PARSE);
	assert_true(strlen(err.msg) > 0);
}

static void test_date_only(void **state)
{
	(void)state;
	/* 2022-03-01T00:00:00+08:00 */
	check_parse("2022-03-01", TZ8, 1646064000, 480);
	check_parse("2022-3-1", TZ8, 1646064000, 480);
	check_parse("  2022-03-01  ", TZ8, 1646064000, 480);
	/* the caller's default zone applies when none is written */
	check_parse("2022-03-01", 0, 1646092800, 0);
	check_parse("2022-03-01 09:30:15", -300, 1646145015, -300);
	/* leap day */
	check_parse("2020-02-29 23:59:59 Z", TZ8, 1583020799, 0);
	check_parse("2000-02-29 12:00:00Z", TZ8, 951825600, 0);
}

static void test_date_time(void **state)
{
	(void)state;
	check_parse("2022-03-01 09:30", TZ8, 1646098200, 480);
	check_parse("2022-03-01 09:30:15", TZ8, 1646098215, 480);
	check_parse("2022-03-01T09:30:15", TZ8, 1646098215, 480);
	check_parse("2022-03-01t09:30", TZ8, 1646098200, 480);
	check_parse("2022-03-01  9:30", TZ8, 1646098200, 480);
	check_parse("2022-03-01 09:30:15.123456", TZ8, 1646098215, 480);
}

static void test_date_zones(void **state)
{
	(void)state;
	check_parse("2022-03-01 09:30:15 +0800", 0, 1646098215, 480);
	check_parse("2022-03-01 09:30:15 +08:00", 0, 1646098215, 480);
	check_parse("2022-03-01 09:30:15+08:00", 0, 1646098215, 480);
	check_parse("2022-03-01T09:30:15+08:00", 0, 1646098215, 480);
	check_parse("2022-03-01 09:30:15 +08", 0, 1646098215, 480);
	check_parse("2022-03-01T09:30:15Z", TZ8, 1646127015, 0);
	check_parse("2022-03-01 09:30:15 Z", TZ8, 1646127015, 0);
	check_parse("2022-03-01 09:30:15 UTC", TZ8, 1646127015, 0);
	check_parse("2022-03-01 09:30:15 GMT", TZ8, 1646127015, 0);
	check_parse("2022-03-01 09:30:15 -0500", TZ8, 1646145015, -300);
	check_parse("2022-03-01 09:30 +05:30", TZ8, 1646107200, 330);
	/* a date with a zone but no time */
	check_parse("2022-03-01 +0000", TZ8, 1646092800, 0);
	check_parse("2022-03-01 +08:00", 0, 1646064000, 480);
}

static void test_rfc2822(void **state)
{
	(void)state;
	check_parse("Mon, 22 Mar 2021 16:30:26 GMT", TZ8, 1616430626, 0);
	check_parse("Mon, 22 Mar 2021 16:30:26 +0000", TZ8, 1616430626, 0);
	check_parse("22 Mar 2021 16:30:26 GMT", TZ8, 1616430626, 0);  /* no weekday */
	check_parse("Mon, 22 Mar 2021 16:30:26", 0, 1616430626, 0);   /* no zone */
	check_parse("Tue, 1 Mar 2022 09:30:15 +0800", 0, 1646098215, 480);
	check_parse("1 Mar 2022", TZ8, 1646064000, 480);
}

static void test_invalid(void **state)
{
	(void)state;
	check_bad("2022-13-01");
	check_bad("2022-00-10");
	check_bad("2022-02-30");
	check_bad("2021-02-29");
	check_bad("2022-04-31");
	check_bad("2022-03-00");
	check_bad("garbage");
	check_bad("");
	check_bad("   ");
	check_bad("2022");
	check_bad("2022-03");
	check_bad("2022-03-01 25:00");
	check_bad("2022-03-01 09:60");
	check_bad("2022-03-01 09:30 +2500");
	check_bad("2022-03-01 09:30 nonsense");
	check_bad("2022-03-01T");
	check_bad("22-03-01");
	check_bad("2022/03/01");
	check_bad("Mon, 32 Mar 2021 16:30:26 GMT");
	check_bad("Mon, 22 Foo 2021 16:30:26 GMT");
	check_bad("Mon, 22 Mar 2021 16:30:26 GMT trailing");
}

static void test_error_message_names_text(void **state)
{
	sou_date d;
	sou_error err;

	(void)state;
	sou_error_clear(&err);
	assert_int_equal(sou_date_parse("2022-02-30", TZ8, &d, &err), SOU_ERR_PARSE);
	assert_non_null(strstr(err.msg, "2022-02-30"));
	/* a NULL error record is allowed */
	assert_int_equal(sou_date_parse("nope", TZ8, &d, NULL), SOU_ERR_PARSE);
}

static void test_from_filename(void **state)
{
	sou_date d = { 0, 0 };

	(void)state;
	assert_int_equal(sou_date_from_filename("2021-3-5-slug.md", TZ8, &d), SOU_OK);
	assert_int_equal(d.epoch, 1614873600); /* 2021-03-05T00:00+08:00 */
	assert_int_equal(d.tz_min, 480);
	d.epoch = 0;
	assert_int_equal(sou_date_from_filename("2021-03-05-x.md", TZ8, &d), SOU_OK);
	assert_int_equal(d.epoch, 1614873600);
	assert_int_equal(sou_date_from_filename("2021-03-05-中文标题.markdown", TZ8, &d), SOU_OK);
	assert_int_equal(d.epoch, 1614873600);
	assert_int_equal(sou_date_from_filename("2022-03-01-a.md", 0, &d), SOU_OK);
	assert_int_equal(d.epoch, 1646092800);
	assert_int_equal(d.tz_min, 0);

	assert_int_equal(sou_date_from_filename("notes.md", TZ8, &d), SOU_ERR_NOTFOUND);
	assert_int_equal(sou_date_from_filename("2021-notes.md", TZ8, &d), SOU_ERR_NOTFOUND);
	assert_int_equal(sou_date_from_filename("2021-03-notes.md", TZ8, &d), SOU_ERR_NOTFOUND);
	assert_int_equal(sou_date_from_filename("2021-02-30-x.md", TZ8, &d), SOU_ERR_NOTFOUND);
	assert_int_equal(sou_date_from_filename("2021-13-01-x.md", TZ8, &d), SOU_ERR_NOTFOUND);
	assert_int_equal(sou_date_from_filename("2021-03-051-x.md", TZ8, &d), SOU_ERR_NOTFOUND);
	assert_int_equal(sou_date_from_filename("", TZ8, &d), SOU_ERR_NOTFOUND);
}

static void test_iso_and_day(void **state)
{
	char out[32];
	sou_date d;

	(void)state;
	d.epoch = 1646064000;
	d.tz_min = 480;
	assert_string_equal(sou_date_iso(&d, out), "2022-03-01T00:00:00+08:00");
	assert_string_equal(sou_date_day(&d, out), "2022-03-01");
	/* the same instant shown in UTC falls on the previous day */
	d.tz_min = 0;
	assert_string_equal(sou_date_iso(&d, out), "2022-02-28T16:00:00+00:00");
	assert_string_equal(sou_date_day(&d, out), "2022-02-28");
	d.epoch = 1646145015;
	d.tz_min = -300;
	assert_string_equal(sou_date_iso(&d, out), "2022-03-01T09:30:15-05:00");
	d.epoch = 1646107200;
	d.tz_min = 330;
	assert_string_equal(sou_date_iso(&d, out), "2022-03-01T09:30:00+05:30");
	/* before the epoch */
	d.epoch = -3600;
	d.tz_min = 0;
	assert_string_equal(sou_date_iso(&d, out), "1969-12-31T23:00:00+00:00");
	{
		int y, m, dd;
		sou_date_fields(&d, &y, &m, &dd);
		assert_int_equal(y, 1969);
		assert_int_equal(m, 12);
		assert_int_equal(dd, 31);
	}
	/* round trip: parse, print */
	assert_int_equal(sou_date_parse("2022-06-01 10:00:00 +0800", 0, &d, NULL), SOU_OK);
	assert_string_equal(sou_date_iso(&d, out), "2022-06-01T10:00:00+08:00");
}

static void test_days_from_civil(void **state)
{
	(void)state;
	assert_int_equal(sou_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(sou_days_from_civil(1970, 1, 2), 1);
	assert_int_equal(sou_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(sou_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(sou_days_from_civil(2022, 3, 1), 19052);
}

static void test_tz_parse(void **state)
{
	int tz = 12345;
	sou_error err;

	(void)state;
	assert_int_equal(sou_tz_parse("+08:00", &tz, NULL), SOU_OK);
	assert_int_equal(tz, 480);
	assert_int_equal(sou_tz_parse("+0800", &tz, NULL), SOU_OK);
	assert_int_equal(tz, 480);
	assert_int_equal(sou_tz_parse("-05", &tz, NULL), SOU_OK);
	assert_int_equal(tz, -300);
	assert_int_equal(sou_tz_parse("Z", &tz, NULL), SOU_OK);
	assert_int_equal(tz, 0);
	assert_int_equal(sou_tz_parse("UTC", &tz, NULL), SOU_OK);
	assert_int_equal(tz, 0);
	assert_int_equal(sou_tz_parse("+05:30", &tz, NULL), SOU_OK);
	assert_int_equal(tz, 330);
	assert_int_equal(sou_tz_parse("0800", &tz, &err), SOU_ERR_PARSE);
	assert_int_equal(sou_tz_parse("+8", &tz, &err), SOU_ERR_PARSE);
	assert_int_equal(sou_tz_parse("+08:00x", &tz, &err), SOU_ERR_PARSE);
	assert_int_equal(sou_tz_parse("", &tz, &err), SOU_ERR_PARSE);
}

static void check_range(const char *s, int has_lo, int64_t lo, int has_hi, int64_t hi)
{
	sou_date_range r;
	sou_error err;

	memset(&r, 0x5a, sizeof(r));
	sou_error_clear(&err);
	if (sou_date_range_parse(s, TZ8, &r, &err) != SOU_OK)
		fail_msg("sou_date_range_parse('%s') failed: %s", s, err.msg);
	assert_int_equal(r.has_lo, has_lo);
	assert_int_equal(r.has_hi, has_hi);
	if (has_lo && r.lo != lo)
		fail_msg("'%s': lo %lld, want %lld", s, (long long)r.lo, (long long)lo);
	if (has_hi && r.hi != hi)
		fail_msg("'%s': hi %lld, want %lld", s, (long long)r.hi, (long long)hi);
}

static void check_range_bad(const char *s)
{
	sou_date_range r;
	sou_error err;
	sou_status st;

	sou_error_clear(&err);
	st = sou_date_range_parse(s, TZ8, &r, &err);
	if (st != SOU_ERR_QUERY)
		fail_msg("sou_date_range_parse('%s') returned %d, want SOU_ERR_QUERY", s, (int)st);
	assert_true(strlen(err.msg) > 0);
}

static void test_ranges(void **state)
{
	(void)state;
	/* 2022-01-01+08:00 .. 2023-01-01+08:00 */
	check_range("2022", 1, 1640966400, 1, 1672502400);
	check_range("2022-03", 1, 1646064000, 1, 1648742400);
	check_range("2022-3", 1, 1646064000, 1, 1648742400);
	check_range("2022-03-01", 1, 1646064000, 1, 1646150400);
	/* a range covers the whole of both bounds: January..end of June */
	check_range("2022-01..2022-06", 1, 1640966400, 1, 1656604800);
	check_range("..2021", 0, 0, 1, 1640966400);
	check_range("2022..", 1, 1640966400, 0, 0);
	check_range("2022-12", 1, 1669824000, 1, 1672502400); /* December wraps */
	check_range("2024-12-31", 1, 1735574400, 1, 1735660800);
	check_range("2022-03..2022-03", 1, 1646064000, 1, 1648742400);
	check_range("2022-03-01..2022-03-01", 1, 1646064000, 1, 1646150400);
}

static void test_ranges_zone(void **state)
{
	sou_date_range r;

	(void)state;
	assert_int_equal(sou_date_range_parse("2022-03-01", 0, &r, NULL), SOU_OK);
	assert_int_equal(r.lo, 1646092800);
	assert_int_equal(r.hi, 1646092800 + 86400);
}

static void test_ranges_bad_month(void **state)
{
	(void)state;
	check_range_bad("2022-13");
}

static void test_ranges_bad_month0(void **state)
{
	(void)state;
	check_range_bad("2022-00");
}

static void test_ranges_bad_day(void **state)
{
	(void)state;
	check_range_bad("2022-02-30");
}

static void test_ranges_bad_day_in_range(void **state)
{
	(void)state;
	/* in either bound of a range */
	check_range_bad("2021-02-29..2021-03");
	check_range_bad("2021-01..2021-13");
}

static void test_ranges_bad(void **state)
{
	(void)state;
	check_range_bad("..");
	check_range_bad("2023..2022");
	check_range_bad("2022-07..2022-06");
	check_range_bad("");
	check_range_bad("22");
	check_range_bad("2022-");
	check_range_bad("2022-03-");
	check_range_bad("abcd");
	check_range_bad("2022-03-01x");
	check_range_bad("...2022");
	check_range_bad("2022..2023..2024");
	check_range_bad("0000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_only),
		cmocka_unit_test(test_date_time),
		cmocka_unit_test(test_date_zones),
		cmocka_unit_test(test_rfc2822),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_error_message_names_text),
		cmocka_unit_test(test_from_filename),
		cmocka_unit_test(test_iso_and_day),
		cmocka_unit_test(test_days_from_civil),
		cmocka_unit_test(test_tz_parse),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_ranges_zone),
		cmocka_unit_test(test_ranges_bad_month),
		cmocka_unit_test(test_ranges_bad_month0),
		cmocka_unit_test(test_ranges_bad_day),
		cmocka_unit_test(test_ranges_bad_day_in_range),
		cmocka_unit_test(test_ranges_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
