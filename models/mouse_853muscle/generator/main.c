/* mouse_gen TABLES_DIR OUT.xml: the whole-body mouse from its anatomy tables.
 * Pass 1 writes the skeleton and tendon paths, which MuJoCo compiles so that
 * every muscle-tendon length can be measured (tune.c); pass 2 writes the
 * final model with each muscle's length range and force-length scaling. */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define EXPECTED_MUSCLES 853

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: mouse_gen TABLES_DIR OUT.xml\n");
        return 2;
    }
    gen_model m;
    if (gen_read_tables(argv[1], &m)) return 2;
    int n = gen_count_muscles(&m);
    if (n != EXPECTED_MUSCLES) {
        fprintf(stderr, "%s/muscles.tsv: the tables give %d muscle-tendon units, not %d\n", argv[1], n,
                EXPECTED_MUSCLES);
        return 2;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.pass1.xml", argv[2]);
    FILE *f = fopen(tmp, "w");
    if (!f || gen_write_mjcf(&m, NULL, f) || fclose(f)) {
        fprintf(stderr, "%s: cannot write\n", tmp);
        return 1;
    }
    gen_tuning t = {0};
    int rc = gen_tune(tmp, n, &t);
    remove(tmp);
    if (rc) return 1;
    for (int i = 0; i < n; i++)
        if (!(t.lr1[i] > t.lr0[i])) {
            fprintf(stderr, "%s/muscles.tsv: muscle %d (XML order) never changes length: it crosses no joint\n",
                    argv[1], i);
            return 2;
        }
    /* write next to the target, then rename: a failed run leaves the old file */
    snprintf(tmp, sizeof tmp, "%s.tmp", argv[2]);
    f = fopen(tmp, "w");
    if (!f || gen_write_mjcf(&m, &t, f) || fclose(f) || rename(tmp, argv[2])) {
        fprintf(stderr, "%s: cannot write\n", argv[2]);
        remove(tmp);
        return 1;
    }
    fprintf(stderr, "mouse_gen: %d bones, %d muscles -> %s\n", m.nbones, n, argv[2]);
    free(t.lr0);
    free(t.lr1);
    free(t.stand);
    gen_free(&m);
    return 0;
}
