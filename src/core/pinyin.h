/*
 * pinyin.h - pinyin initials of Chinese names ("张三" → "zs"), for the
 * phone-call search box.
 *
 * The 3,755 first-level characters of GB2312 are ordered by pinyin, so the
 * initial follows from the character's GB2312 code; common surnames read
 * differently from their usual reading (曾 zeng, 单 shan, 仇 qiu …) are
 * overridden when they open a name. Second-level characters and anything not
 * in GB2312 contribute nothing; ASCII letters and digits are kept lower-case.
 */
#ifndef PINYIN_H
#define PINYIN_H

#include <stddef.h>

/* Write the initials of utf8 into out (always NUL-terminated). */
void pinyin_initials(char *out, size_t size, const char *utf8);

#endif
