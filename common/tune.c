/*
 * tune.c - SOU_TUNE, read once (see tune.h).
 */
#include "tune.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char *spec; /* a copy of SOU_TUNE, or NULL; lives for the process */

static void load(void)
{
	const char *e = getenv("SOU_TUNE");

	if (e && *e)
		spec = strdup(e);
}

long sou_tune(const char *name, long dflt)
{
	const char *p;
	size_t n = strlen(name);

	pthread_once(&once, load);
	for (p = spec; p && *p;) {
		const char *end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		if ((size_t)(end - p) > n && !strncmp(p, name, n) && p[n] == '=')
			return strtol(p + n + 1, NULL, 10);
		p = *end ? end + 1 : end;
	}
	return dflt;
}
