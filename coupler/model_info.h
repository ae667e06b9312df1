#ifndef BB_MODEL_INFO_H
#define BB_MODEL_INFO_H

#include <stdio.h>

/* Prints what the body model holds. Returns 0, or 2 (message on stderr). */
int bb_model_info(const char *path, FILE *out);

#endif
