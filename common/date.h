/*
 * date.h - post dates: parsing front-matter dates, file-name dates, ISO
 * output and the query language's date ranges.
 *
 * A sou_date is an instant (seconds since the Unix epoch, UTC) plus the
 * zone offset it was written in, so the original local time can be shown
 * again.  Dates without a zone are read in a site zone given by the caller
 * (minutes east of UTC; sou's default is +08:00).  Calendar arithmetic is
 * proleptic Gregorian and independent of the process's TZ and locale.
 */
#ifndef SOU_DATE_H
#define SOU_DATE_H

#include <stdint.h>

#include "error.h"

typedef struct sou_date {
	int64_t epoch;  /* seconds since 1970-01-01T00:00:00Z */
	int tz_min;     /* offset of the written zone, minutes east of UTC */
} sou_date;

#define SOU_DEFAULT_TZ_MIN (8 * 60)

/*
 * Parses a front-matter date.  Accepted forms:
 *   YYYY-MM-DD
 *   YYYY-MM-DD[ T]HH:MM[:SS[.frac]]
 * each optionally followed by a zone: "Z", "UTC", "GMT", +HHMM, +HH:MM, +HH
 * (with or without a space before it), and RFC 2822 dates such as
 * "Mon, 22 Mar 2021 16:30:26 GMT" (weekday optional, zone optional).
 * s need not be NUL-terminated beyond len.  On failure returns
 * SOU_ERR_PARSE with a message naming the text.
 */
sou_status sou_date_parse(const char *s, int default_tz_min, sou_date *out,
			  sou_error *err);

/*
 * Reads the date at the start of a Jekyll file name, "YYYY-M-D-slug.ext"
 * (one- or two-digit month and day), as midnight in the site zone.
 * Returns SOU_ERR_NOTFOUND if name has no such prefix.  name is a base
 * name, not a path.
 */
sou_status sou_date_from_filename(const char *name, int default_tz_min,
				  sou_date *out);

/* Parses a zone such as "+08:00", "+0800", "-05", "Z" or "UTC". */
sou_status sou_tz_parse(const char *s, int *tz_min, sou_error *err);

/*
 * Writes d as ISO 8601 in its own zone, e.g. "2022-06-01T10:00:00+08:00",
 * into out (at least 32 bytes).  Returns out.
 */
char *sou_date_iso(const sou_date *d, char *out);
/* Writes only the local calendar day, "2022-06-01", into out (at least 32 bytes). */
char *sou_date_day(const sou_date *d, char *out);

/* Local calendar fields of d in its own zone. */
void sou_date_fields(const sou_date *d, int *year, int *month, int *day);

/*
 * A query date range: the half-open interval [lo, hi) of epoch seconds.
 * has_lo/has_hi are 0 for open ends.
 */
typedef struct sou_date_range {
	int has_lo, has_hi;
	int64_t lo, hi;
} sou_date_range;

/*
 * Parses the value of a "date:" filter: "2022", "2022-03", "2022-03-01",
 * "A..B" where A and B are any of those, and open ends "..B", "A..".
 * A bound covers its whole period: "2022-01..2022-06" is from the start
 * of January to the end of June in the given zone.  Errors (e.g. month 13,
 * 30 February, lo after hi) return SOU_ERR_QUERY with a message.
 */
sou_status sou_date_range_parse(const char *s, int tz_min,
				sou_date_range *out, sou_error *err);

/* Days since 1970-01-01 for a proleptic Gregorian date. */
int64_t sou_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
