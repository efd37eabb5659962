/* JSON output into the arena: through cJSON for documents of any shape, and
 * straight into a buffer for the short fixed-shape answers of the hot path.
 * cJSON's strings end at the first NUL, so callers pass it arena copies
 * (str_dup) of values that carry a length. */
#ifndef APP_CORE_JSON_H
#define APP_CORE_JSON_H

#include <cjson/cJSON.h>

#include "core/arena.h"
#include "core/str.h"

/* doc printed compactly (FastAPI's separators), NUL-terminated, in the arena.
 * doc is not freed. A NULL doc, or cJSON running out of memory while building
 * or printing it, is out of memory (core/arena.h). */
struct str json_print(struct arena *a, const cJSON *doc);

/* Appends s as a JSON string, quotes included, byte for byte as cJSON prints
 * it: '"' '\\' \b \f \n \r \t escaped by letter, other bytes below 0x20 as
 * \u00xx (lower-case hex), every other byte (DEL, UTF-8, invalid UTF-8) as it
 * is. Like cJSON, which reads a C string, it stops at the first NUL of s;
 * STR_NULL gives "". */
void json_append_string(struct buf *b, struct str s);

/* {"key":"value"} (json_append_string for both), NUL-terminated in b's arena:
 * what cJSON prints for an object of one string member. */
struct str json_object1(struct arena *a, const char *key, struct str value);

#endif
