/*
 * fuzz_frontmatter.c - libFuzzer target: front matter parsing
 * (sou_frontmatter_parse) on arbitrary bytes, with the UTF-8 cleaning the
 * indexer applies first.
 */
#include <stddef.h>
#include <stdint.h>

#include "frontmatter.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sou_buf clean = SOU_BUF_INIT;
	const char *p = (const char *)data;
	sou_post *post = NULL;
	sou_error err;

	if (!sou_text_utf8_clean(p, size, &clean)) {
		p = clean.data;
		size = clean.len;
	}
	if (sou_frontmatter_parse("2024-01-02-fuzz.md", p, size, 480, &post, &err) == SOU_OK) {
		/* body must lie inside the input */
		if (post->body < p || post->body + post->body_len > p + size)
			__builtin_trap();
	}
	sou_post_destroy(post);
	sou_buf_free(&clean);
	return 0;
}
