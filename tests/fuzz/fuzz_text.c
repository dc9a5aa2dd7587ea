/*
 * fuzz_text.c - libFuzzer target: Markdown and HTML bodies to text
 * (sou_text_from_body); the first byte picks the format.
 */
#include <stddef.h>
#include <stdint.h>

#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sou_buf out = SOU_BUF_INIT;
	sou_error err;
	sou_body_format fmt;

	if (!size)
		return 0;
	fmt = data[0] % 3 == 0 ? SOU_BODY_AUTO : data[0] % 3 == 1 ? SOU_BODY_MARKDOWN : SOU_BODY_HTML;
	sou_text_from_body((const char *)data + 1, size - 1, fmt, &out, &err);
	/* output invariants of text.h: no leading/trailing whitespace */
	if (out.len && (out.data[0] == ' ' || out.data[0] == '\n' ||
			out.data[out.len - 1] == ' ' || out.data[out.len - 1] == '\n'))
		__builtin_trap();
	sou_buf_free(&out);
	return 0;
}
