/* A start pose read from a text file (body.start_pose): the body starts in
 * it, at rest, instead of in the posture its MJCF is built in. Only the
 * starting state changes; no force is added. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define QUAT_TOLERANCE 1e-3  /* a written-out unit quaternion's rounding; anything further off is a mistake */
#define RANGE_TOLERANCE 1e-9 /* a range's end written out in decimal (MJCF ranges in degrees are converted) */

static int qpos_width(int type)
{
    return type == mjJNT_FREE ? 7 : type == mjJNT_BALL ? 4 : 1;
}

static const char *what_it_takes(int type)
{
    return type == mjJNT_FREE   ? "a free joint: x y z (m) and the quaternion qw qx qy qz"
           : type == mjJNT_BALL ? "a ball joint: the quaternion qw qx qy qz"
                                : "one value (rad, or m for a slide)";
}

/* One row's values into q (its joint's qpos), checked; -1 with the reason in why. */
static int read_values(const mjModel *m, int j, char *rest, double *q, char *why, size_t cap)
{
    int type = m->jnt_type[j], want = qpos_width(type), got = 0;
    for (char *tok = strtok(rest, " \t"); tok; tok = strtok(NULL, " \t")) {
        if (got == want) {
            snprintf(why, cap, "more than %d value%s (%s)", want, want > 1 ? "s" : "", what_it_takes(type));
            return -1;
        }
        char *end;
        errno = 0;
        double v = strtod(tok, &end);
        if (end == tok || *end || errno || !isfinite(v)) {
            snprintf(why, cap, "'%s' is not a finite number", tok);
            return -1;
        }
        q[got++] = v;
    }
    if (got < want) {
        snprintf(why, cap, "%d value%s, expected %d (%s)", got, got == 1 ? "" : "s", want, what_it_takes(type));
        return -1;
    }
    if (type == mjJNT_FREE || type == mjJNT_BALL) {
        double *quat = q + (type == mjJNT_FREE ? 3 : 0), n = 0;
        for (int k = 0; k < 4; k++) n += quat[k] * quat[k];
        n = sqrt(n);
        if (fabs(n - 1) > QUAT_TOLERANCE) {
            snprintf(why, cap, "the quaternion's norm is %g, not 1", n);
            return -1;
        }
        for (int k = 0; k < 4; k++) quat[k] /= n;
    }
    if ((type == mjJNT_HINGE || type == mjJNT_SLIDE) && m->jnt_limited[j] &&
        (q[0] < m->jnt_range[2 * j] - RANGE_TOLERANCE || q[0] > m->jnt_range[2 * j + 1] + RANGE_TOLERANCE)) {
        snprintf(why, cap, "%g is outside the joint's range [%g, %g]", q[0], m->jnt_range[2 * j], m->jnt_range[2 * j + 1]);
        return -1;
    }
    return 0;
}

/* Every row into qpos (a copy of the current one); -1 with "path:line: ..." in err. */
static int read_pose(const bb_body *b, FILE *f, const char *path, double *qpos, char *seen, char *err, size_t errcap)
{
    const mjModel *m = b->m;
    char line[4096], why[512];
    for (int no = 1; fgets(line, sizeof line, f); no++) {
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n' && !feof(f)) {
            snprintf(err, errcap, "%s:%d: line longer than %zu characters", path, no, sizeof line - 2);
            return -1;
        }
        char *s = line;
        while (isspace((unsigned char)*s)) s++;
        if (!*s || *s == '#') continue;
        s[strcspn(s, "\r\n")] = 0;
        char *name = s;
        s += strcspn(s, " \t");
        if (*s) *s++ = 0;
        int j = mj_name2id(m, mjOBJ_JOINT, name);
        if (j < 0) {
            snprintf(err, errcap, "%s:%d: the model has no joint '%s'", path, no, name);
            return -1;
        }
        if (seen[j]) {
            snprintf(err, errcap, "%s:%d: joint '%s' is given twice", path, no, name);
            return -1;
        }
        seen[j] = 1;
        if (read_values(m, j, s, qpos + m->jnt_qposadr[j], why, sizeof why)) {
            snprintf(err, errcap, "%s:%d: joint '%s': %s", path, no, name, why);
            return -1;
        }
    }
    if (ferror(f)) {
        snprintf(err, errcap, "%s: read error: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int bb_body_set_pose_file(bb_body *b, const char *path, char *err, size_t errcap)
{
    mjModel *m = b->m;
    mjData *d = b->d;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errcap, "%s: cannot read the pose file: %s", path, strerror(errno));
        return -1;
    }
    double *qpos = malloc(((size_t)m->nq + 1) * sizeof *qpos);
    char *seen = calloc((size_t)m->njnt + 1, 1);
    if (!qpos || !seen) {
        snprintf(err, errcap, "%s: out of memory", path);
        fclose(f);
        free(qpos);
        free(seen);
        return -1;
    }
    memcpy(qpos, d->qpos, (size_t)m->nq * sizeof *qpos);
    int rc = read_pose(b, f, path, qpos, seen, err, errcap), n = 0;
    fclose(f);
    for (int j = 0; j < m->njnt; j++) n += seen[j];
    if (rc == 0 && n == 0) {
        snprintf(err, errcap, "%s: no joint is given (rows: a joint's name, then its values)", path);
        rc = -1;
    }
    if (rc == 0) { /* at rest in the new pose: no velocity, the muscles unexcited and inactive */
        mju_zero(d->qacc_warmstart, m->nv); /* the solver's guess was for the old pose */
        bb_body_set_state(b, qpos, NULL, NULL, NULL);
        rc = n;
    }
    free(qpos);
    free(seen);
    return rc;
}
