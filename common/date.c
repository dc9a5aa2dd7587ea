/*
 * date.c - date parsing and formatting (see date.h).
 *
 * Hand-written because the forms are few and fixed and strptime(3) depends
 * on the locale and the process's zone; the civil-date conversions are the
 * well-known days-from-civil algorithm (Howard Hinnant, public domain).
 */
#include "date.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int64_t sou_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, yy;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

static int days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12)
		return 0;
	return m == 2 ? 28 + leap : dm[m - 1];
}

/* Reads exactly n digits (n > 0) into *v; returns chars consumed or 0. */
static int digits(const char *s, int n, int *v)
{
	int i, x = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return n;
}

/* Reads 1 or 2 digits. */
static int digits12(const char *s, int *v)
{
	if (!isdigit((unsigned char)s[0]))
		return 0;
	if (isdigit((unsigned char)s[1])) {
		*v = (s[0] - '0') * 10 + (s[1] - '0');
		return 2;
	}
	*v = s[0] - '0';
	return 1;
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Parses a zone at p; on success sets *tz, returns pointer past it, else NULL. */
static const char *parse_zone(const char *p, int *tz)
{
	int sign, hh, mm = 0, n;

	if (*p == 'Z' || *p == 'z') {
		*tz = 0;
		return p + 1;
	}
	if (!strncasecmp(p, "UTC", 3) || !strncasecmp(p, "GMT", 3)) {
		*tz = 0;
		p += 3;
		if (*p != '+' && *p != '-')
			return p;
	}
	if (*p != '+' && *p != '-')
		return NULL;
	sign = *p == '-' ? -1 : 1;
	p++;
	if (!(n = digits(p, 2, &hh)))
		return NULL;
	p += n;
	if (*p == ':')
		p++;
	if (isdigit((unsigned char)*p)) {
		if (!(n = digits(p, 2, &mm)))
			return NULL;
		p += n;
	}
	if (hh > 14 || mm > 59)
		return NULL;
	*tz = sign * (hh * 60 + mm);
	return p;
}

sou_status sou_tz_parse(const char *s, int *tz_min, sou_error *err)
{
	const char *e = parse_zone(skip_ws(s), tz_min);

	if (!e || *skip_ws(e) != '\0')
		return sou_error_set(err, SOU_ERR_PARSE,
				     "invalid time zone '%s' (expected +HH:MM, +HHMM or Z)", s);
	return SOU_OK;
}

static int valid_ymd(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= days_in_month(y, m);
}

static int64_t to_epoch(int y, int mo, int d, int h, int mi, int s, int tz)
{
	return sou_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	       h * 3600 + mi * 60 + s - (int64_t)tz * 60;
}

/* "HH:MM[:SS[.frac]]" at p; returns end or NULL. */
static const char *parse_time(const char *p, int *h, int *mi, int *s)
{
	int n;

	*s = 0;
	if (!(n = digits12(p, h)))
		return NULL;
	p += n;
	if (*p++ != ':' || !(n = digits(p, 2, mi)))
		return NULL;
	p += n;
	if (*p == ':') {
		if (!(n = digits(p + 1, 2, s)))
			return NULL;
		p += 1 + n;
		if (*p == '.' || *p == ',') {
			p++;
			while (isdigit((unsigned char)*p))
				p++;
		}
	}
	if (*h > 23 || *mi > 59 || *s > 60)
		return NULL;
	if (*s == 60)
		*s = 59;
	return p;
}

static int month_from_name(const char *p)
{
	static const char *names[] = { "jan", "feb", "mar", "apr", "may", "jun",
				       "jul", "aug", "sep", "oct", "nov", "dec" };
	int i;

	for (i = 0; i < 12; i++)
		if (!strncasecmp(p, names[i], 3))
			return i + 1;
	return 0;
}

/* RFC 2822: [Wkd,] D Mon YYYY HH:MM[:SS] [zone] */
static int parse_rfc2822(const char *p, int default_tz, sou_date *out)
{
	int d, m, y, h = 0, mi = 0, s = 0, tz = default_tz, n;

	p = skip_ws(p);
	if (isalpha((unsigned char)*p)) {
		while (isalpha((unsigned char)*p))
			p++;
		if (*p == ',')
			p++;
		p = skip_ws(p);
	}
	if (!(n = digits12(p, &d)))
		return 0;
	p = skip_ws(p + n);
	if (!(m = month_from_name(p)))
		return 0;
	while (isalpha((unsigned char)*p))
		p++;
	p = skip_ws(p);
	if (!(n = digits(p, 4, &y)))
		return 0;
	p = skip_ws(p + n);
	if (*p) {
		if (!(p = parse_time(p, &h, &mi, &s)))
			return 0;
		p = skip_ws(p);
		if (*p) {
			if (!(p = parse_zone(p, &tz)))
				return 0;
			p = skip_ws(p);
		}
	}
	if (*p || !valid_ymd(y, m, d))
		return 0;
	out->epoch = to_epoch(y, m, d, h, mi, s, tz);
	out->tz_min = tz;
	return 1;
}

sou_status sou_date_parse(const char *s, int default_tz, sou_date *out,
			  sou_error *err)
{
	const char *p = skip_ws(s);
	int y, mo, d, h = 0, mi = 0, sec = 0, tz = default_tz;

	if (digits(p, 4, &y) && p[4] == '-') {
		const char *q = p + 5;
		int n;

		if (!(n = digits12(q, &mo)) || q[n] != '-')
			goto bad;
		q += n + 1;
		if (!(n = digits12(q, &d)))
			goto bad;
		q += n;
		if (*q == 'T' || *q == 't' || *q == ' ') {
			const char *t = *q == ' ' ? skip_ws(q) : q + 1;
			if (isdigit((unsigned char)*t)) {
				if (!(q = parse_time(t, &h, &mi, &sec)))
					goto bad;
			}
		}
		q = skip_ws(q);
		if (*q) {
			if (!(q = parse_zone(q, &tz)))
				goto bad;
			q = skip_ws(q);
			if (*q)
				goto bad;
		}
		if (!valid_ymd(y, mo, d))
			goto bad;
		out->epoch = to_epoch(y, mo, d, h, mi, sec, tz);
		out->tz_min = tz;
		return SOU_OK;
	}
	if (parse_rfc2822(p, default_tz, out))
		return SOU_OK;
bad:
	return sou_error_set(err, SOU_ERR_PARSE, "unrecognised date '%s'", s);
}

sou_status sou_date_from_filename(const char *name, int default_tz, sou_date *out)
{
	int y, m, d, n;
	const char *p = name;

	if (!digits(p, 4, &y) || p[4] != '-')
		return SOU_ERR_NOTFOUND;
	p += 5;
	if (!(n = digits12(p, &m)) || p[n] != '-')
		return SOU_ERR_NOTFOUND;
	p += n + 1;
	if (!(n = digits12(p, &d)) || (p[n] != '-' && p[n] != '.'))
		return SOU_ERR_NOTFOUND;
	if (!valid_ymd(y, m, d))
		return SOU_ERR_NOTFOUND;
	out->epoch = to_epoch(y, m, d, 0, 0, 0, default_tz);
	out->tz_min = default_tz;
	return SOU_OK;
}

static void local_fields(const sou_date *dt, int *y, int *m, int *d, int *hh,
			 int *mm, int *ss)
{
	int64_t t = dt->epoch + (int64_t)dt->tz_min * 60;
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t rem = t - days * 86400;

	civil_from_days(days, y, m, d);
	*hh = (int)(rem / 3600);
	*mm = (int)(rem / 60 % 60);
	*ss = (int)(rem % 60);
}

void sou_date_fields(const sou_date *d, int *year, int *month, int *day)
{
	int hh, mm, ss;

	local_fields(d, year, month, day, &hh, &mm, &ss);
}

char *sou_date_iso(const sou_date *dt, char *out)
{
	int y, m, d, hh, mm, ss, tz = dt->tz_min, a = tz < 0 ? -tz : tz;

	local_fields(dt, &y, &m, &d, &hh, &mm, &ss);
	/* the modulos only bound the widths for the compiler: every field is
	 * already in range for years 1..9999 */
	snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02u%c%02u:%02u",
		 (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u,
		 (unsigned)hh % 100u, (unsigned)mm % 100u, (unsigned)ss % 100u,
		 tz < 0 ? '-' : '+', (unsigned)(a / 60) % 100u, (unsigned)(a % 60));
	return out;
}

char *sou_date_day(const sou_date *dt, char *out)
{
	int y, m, d, hh, mm, ss;

	local_fields(dt, &y, &m, &d, &hh, &mm, &ss);
	snprintf(out, 32, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		 (unsigned)d % 100u);
	return out;
}

/*
 * One bound of a range: "YYYY", "YYYY-MM" or "YYYY-MM-DD" occupying
 * exactly [s, e).  Sets the period's start and end (exclusive) instants.
 * Returns 1 on success, 0 (with err set) on failure.
 */
static int parse_bound(const char *s, const char *e, int tz, int64_t *start,
		       int64_t *end, sou_error *err)
{
	int y, m = 0, d = 0, n;
	size_t len = (size_t)(e - s);
	const char *p = s;

	if (len < 4 || !digits(p, 4, &y))
		goto bad;
	p += 4;
	if (p < e) {
		if (*p++ != '-' || p >= e || !(n = digits12(p, &m)))
			goto bad;
		p += n;
		if (m < 1 || m > 12) {
			sou_error_set(err, SOU_ERR_QUERY,
				      "date: month %d out of range in '%.*s'", m, (int)len, s);
			return 0;
		}
		if (p < e) {
			if (*p++ != '-' || p >= e || !(n = digits12(p, &d)))
				goto bad;
			p += n;
			if (d < 1 || d > days_in_month(y, m)) {
				sou_error_set(err, SOU_ERR_QUERY,
					      "date: day %d out of range in '%.*s'", d, (int)len, s);
				return 0;
			}
		}
	}
	if (p != e || y < 1)
		goto bad;
	if (!m) {
		*start = to_epoch(y, 1, 1, 0, 0, 0, tz);
		*end = to_epoch(y + 1, 1, 1, 0, 0, 0, tz);
	} else if (!d) {
		*start = to_epoch(y, m, 1, 0, 0, 0, tz);
		*end = m == 12 ? to_epoch(y + 1, 1, 1, 0, 0, 0, tz)
			       : to_epoch(y, m + 1, 1, 0, 0, 0, tz);
	} else {
		*start = to_epoch(y, m, d, 0, 0, 0, tz);
		*end = *start + 86400;
	}
	return 1;
bad:
	sou_error_set(err, SOU_ERR_QUERY,
		      "date: expected YYYY, YYYY-MM or YYYY-MM-DD, got '%.*s'",
		      (int)len, s);
	return 0;
}

sou_status sou_date_range_parse(const char *s, int tz, sou_date_range *out,
				sou_error *err)
{
	const char *dots = strstr(s, "..");
	const char *end = s + strlen(s);
	int64_t a, b;

	memset(out, 0, sizeof(*out));
	if (!*s)
		return sou_error_set(err, SOU_ERR_QUERY, "date: needs a value, e.g. date:2022-03 or date:2022-01..2022-06");
	if (!dots) {
		if (!parse_bound(s, end, tz, &a, &b, err))
			return SOU_ERR_QUERY;
		out->has_lo = out->has_hi = 1;
		out->lo = a;
		out->hi = b;
		return SOU_OK;
	}
	if (dots == s && dots + 2 == end)
		return sou_error_set(err, SOU_ERR_QUERY, "date: '..' needs at least one end");
	if (dots > s) {
		if (!parse_bound(s, dots, tz, &a, &b, err))
			return SOU_ERR_QUERY;
		out->has_lo = 1;
		out->lo = a;
	}
	if (dots + 2 < end) {
		if (!parse_bound(dots + 2, end, tz, &a, &b, err))
			return SOU_ERR_QUERY;
		out->has_hi = 1;
		out->hi = b;
	}
	if (out->has_lo && out->has_hi && out->lo >= out->hi)
		return sou_error_set(err, SOU_ERR_QUERY, "date: range '%s' ends before it starts", s);
	return SOU_OK;
}
