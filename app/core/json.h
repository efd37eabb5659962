/* JSON output through cJSON into the arena. cJSON's strings end at the first
 * NUL, so callers pass it arena copies (str_dup) of values that carry a length. */
#ifndef APP_CORE_JSON_H
#define APP_CORE_JSON_H

#include <cjson/cJSON.h>

#include "core/arena.h"
#include "core/str.h"

/* doc printed compactly (FastAPI's separators), NUL-terminated, in the arena.
 * doc is not freed. A NULL doc, or cJSON running out of memory while building
 * or printing it, is out of memory (core/arena.h). */
struct str json_print(struct arena *a, const cJSON *doc);

#endif
