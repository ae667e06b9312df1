/* mouse_gen TABLES_DIR OUT.xml: the whole-body mouse from its anatomy tables.
 * Pass 1 writes the skeleton and tendon paths, which MuJoCo compiles so that
 * every muscle-tendon length can be measured (tune.c); pass 2 writes the
 * final model with each muscle's length range and force-length scaling. */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define EXPECTED_MUSCLES 853

static int generate(const char *tables, const char *out_path, const gen_model *m, gen_tuning *t)
{
    int n = gen_count_muscles(m);
    if (n != EXPECTED_MUSCLES) {
        fprintf(stderr, "%s/muscles.tsv: the tables give %d muscle-tendon units, not %d\n", tables, n,
                EXPECTED_MUSCLES);
        return 2;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.pass1.xml", out_path);
    FILE *f = fopen(tmp, "w");
    int bad = !f || gen_write_mjcf(m, NULL, f);
    if ((f && fclose(f)) || bad) {
        fprintf(stderr, "%s: cannot write\n", tmp);
        return 1;
    }
    int rc = gen_tune(tmp, n, t);
    remove(tmp);
    if (rc) return 2;
    for (int i = 0; i < n; i++)
        if (!(t->lr1[i] > t->lr0[i])) {
            fprintf(stderr, "%s/muscles.tsv: muscle %d (XML order) never changes length: it crosses no joint\n",
                    tables, i);
            return 2;
        }
    /* write next to the target, then rename: a failed run leaves the old file */
    snprintf(tmp, sizeof tmp, "%s.tmp", out_path);
    f = fopen(tmp, "w");
    bad = !f || gen_write_mjcf(m, t, f);
    if ((f && fclose(f)) || bad || rename(tmp, out_path)) {
        fprintf(stderr, "%s: cannot write\n", out_path);
        remove(tmp);
        return 1;
    }
    fprintf(stderr, "mouse_gen: %d bones, %d muscles -> %s\n", m->nbones, n, out_path);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: mouse_gen TABLES_DIR OUT.xml\n");
        return 2;
    }
    gen_model m;
    if (gen_read_tables(argv[1], &m)) return 2;
    gen_tuning t = {0};
    int rc = generate(argv[1], argv[2], &m, &t);
    free(t.lr0);
    free(t.lr1);
    free(t.stand);
    gen_free(&m);
    return rc;
}
