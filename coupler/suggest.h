/* Nearest names for "did you mean" messages. */
#ifndef BB_SUGGEST_H
#define BB_SUGGEST_H

#include <stddef.h>

/* Levenshtein distance; strings longer than 63 characters count as far. */
size_t bb_edit_distance(const char *a, const char *b);

#endif
