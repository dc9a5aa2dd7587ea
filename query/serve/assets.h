/*
 * assets.h - the files of sou-serve's search page, compiled into the
 * binary.
 *
 * The table is generated at build time from query/serve/assets/ by
 * query/serve/assets/embed.cmake (assets.c in the build directory), so
 * the server never opens a file to answer a request: these are the only
 * paths besides /search and /health it answers.
 */
#ifndef SOU_SERVE_ASSETS_H
#define SOU_SERVE_ASSETS_H

#include <stddef.h>

typedef struct sou_asset {
	const char *path;          /* URL path, e.g. "/sou.js" ("/" for index.html) */
	const char *type;          /* Content-Type */
	const unsigned char *data; /* len bytes, followed by one NUL byte */
	size_t len;
} sou_asset;

/* All assets, static storage. */
extern const sou_asset sou_assets[];
extern const size_t sou_nassets;

#endif
