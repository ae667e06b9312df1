/* The experiment schema: one row per key. config.c parses, validates,
 * defaults and prints from this table alone; docs/config.md documents each row
 * (a test checks that every key is documented). */
#ifndef BB_CONFIG_SCHEMA_H
#define BB_CONFIG_SCHEMA_H

#include <stddef.h>

typedef enum bb_key_type {
    BB_KEY_STR,      /* any scalar */
    BB_KEY_U64,      /* plain unsigned integer */
    BB_KEY_U32,
    BB_KEY_INT,
    BB_KEY_FLOAT,    /* plain finite number */
    BB_KEY_BOOL,     /* true | false */
    BB_KEY_ENUM,     /* one of .choices, '|'-separated */
    BB_KEY_PATH_IN,  /* input file, relative to the experiment file's folder */
    BB_KEY_PATH_OUT, /* output folder, relative to the working directory */
    BB_KEY_RANKS,    /* auto | integer */
    BB_KEY_MAP,      /* the word in .choices ("uniform", "none"), or an input file like BB_KEY_PATH_IN */
} bb_key_type;

typedef struct bb_key_spec {
    const char *key; /* "section.name" */
    bb_key_type type;
    int required;
    const char *def; /* default, as YAML text; NULL when required */
    double lo, hi;   /* numeric range */
    int lo_open;     /* nonzero: lo itself is not allowed */
    const char *choices;
    size_t off, size; /* field in bb_config */
} bb_key_spec;

extern const bb_key_spec bb_config_schema[];
extern const size_t bb_config_schema_len;

#endif
