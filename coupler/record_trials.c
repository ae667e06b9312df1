/* trials.tsv (record_trials.h). Missing values (a miss has no response
 * time) are written as "nan", as numpy and pandas read them. */
#include "record_trials.h"

#include <errno.h>
#include <math.h>
#include <string.h>

FILE *bb_trials_file_create(const char *dir, char *err, size_t cap)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/trials.tsv", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, cap, "cannot write '%s': %s", path, strerror(errno));
        return NULL;
    }
    fprintf(f, "trial\tcue_s\toutcome\toutcome_s\tresponse_ms\tonset_ms\treach_ms\tclosest_mm\tlever_deg\n");
    return f;
}

FILE *bb_trials_file_open(const char *dir, char *err, size_t cap)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/trials.tsv", dir);
    FILE *f = fopen(path, "r+");
    if (!f) snprintf(err, cap, "cannot continue '%s': %s", path, strerror(errno));
    return f;
}

static void num(FILE *f, double v, const char *sep)
{
    if (isnan(v) || isinf(v)) fprintf(f, "nan%s", sep);
    else fprintf(f, "%.3f%s", v, sep);
}

int bb_trials_file_add(FILE *f, const bb_trial_result *r)
{
    fprintf(f, "%u\t%.3f\t%s\t%.3f\t", r->trial, r->cue_s, r->hit ? "hit" : "miss", r->outcome_s);
    num(f, r->response_ms, "\t");
    num(f, r->onset_ms, "\t");
    num(f, r->reach_ms, "\t");
    num(f, r->closest_mm, "\t");
    num(f, r->lever_deg, "\n");
    return ferror(f) ? -1 : 0;
}
