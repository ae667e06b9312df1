/* State files and checkpoint folders (checkpoint.h). A state file is
 *   "BBSTATE1", u32 version,
 *   then per field: u16 name length, name, u64 size, u32 CRC-32 of the data, data,
 *   then the field "end" of size 0,
 * little-endian as every other format of ours (proto/PROTOCOL.md). */
#include "checkpoint.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "brainbody/proto.h"

#define MAGIC "BBSTATE1"
#define VERSION 1u
#define NAME_MAX_LEN 255

struct bb_state_file {
    bb_state_io io; /* first: the io callbacks get the file back from it */
    FILE *f;
    char path[1100];
    uint64_t at; /* byte offset of the next field */
    int failed;
};

/* Keeps "FILE: byte OFFSET: field 'NAME' ...what" as the reason. */
static int io_fail(bb_state_file *s, const char *name, const char *what, size_t bytes, uint64_t saved)
{
    char detail[160] = "";
    if (saved != bytes) snprintf(detail, sizeof detail, " (%llu bytes saved, this run needs %zu)", (unsigned long long)saved, bytes);
    snprintf(s->io.why, sizeof s->io.why, "%s: byte %llu: field '%s': %s%s", s->path, (unsigned long long)s->at, name,
             what, detail);
    s->failed = 1;
    return -1;
}

static int put_field(bb_state_io *io, const char *name, void *data, size_t bytes)
{
    bb_state_file *s = (bb_state_file *)io;
    if (s->failed) return -1;
    size_t len = strlen(name);
    uint16_t n16 = (uint16_t)len;
    uint64_t size = bytes;
    uint32_t crc = bb_crc32(0, data, bytes);
    if (fwrite(&n16, 2, 1, s->f) != 1 || fwrite(name, 1, len, s->f) != len || fwrite(&size, 8, 1, s->f) != 1 ||
        fwrite(&crc, 4, 1, s->f) != 1 || (bytes && fwrite(data, 1, bytes, s->f) != bytes))
        return io_fail(s, name, strerror(errno), bytes, bytes);
    s->at += 2 + len + 8 + 4 + bytes;
    return 0;
}

/* A field's header: its name (zero-terminated into name), size and CRC.
 * Returns the header's length in bytes, or 0 when the file ends or the
 * name is too long. */
static size_t read_header(FILE *f, char name[NAME_MAX_LEN + 1], uint64_t *size, uint32_t *crc)
{
    uint16_t n16 = 0;
    if (fread(&n16, 2, 1, f) != 1 || n16 > NAME_MAX_LEN || fread(name, 1, n16, f) != n16 || fread(size, 8, 1, f) != 1 ||
        fread(crc, 4, 1, f) != 1)
        return 0;
    name[n16] = '\0';
    return 2u + n16 + 8u + 4u;
}

static int get_field(bb_state_io *io, const char *name, void *data, size_t bytes)
{
    bb_state_file *s = (bb_state_file *)io;
    if (s->failed) return -1;
    char saved[NAME_MAX_LEN + 1];
    uint64_t size = 0;
    uint32_t crc = 0;
    size_t head = read_header(s->f, saved, &size, &crc);
    if (!head) return io_fail(s, name, "the file ends (or is damaged) where it should be", bytes, bytes);
    if (strcmp(saved, name)) {
        snprintf(s->io.why, sizeof s->io.why, "%s: byte %llu: field '%s' found where '%s' was expected (another version or model)",
                 s->path, (unsigned long long)s->at, saved, name);
        s->failed = 1;
        return -1;
    }
    if (size != bytes) return io_fail(s, name, "another size (another model, experiment or rank count)", bytes, size);
    if (bytes && fread(data, 1, bytes, s->f) != bytes) return io_fail(s, name, "the file ends inside it", bytes, bytes);
    if (bb_crc32(0, data, bytes) != crc) return io_fail(s, name, "fails its CRC-32: the file is damaged", bytes, bytes);
    s->at += head + bytes;
    return 0;
}

static bb_state_file *state_file(const char *path, const char *mode, char *err, size_t cap)
{
    bb_state_file *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    snprintf(s->path, sizeof s->path, "%s", path);
    s->f = fopen(path, mode);
    if (!s->f) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        free(s);
        return NULL;
    }
    return s;
}

bb_state_file *bb_state_file_create(const char *path, char *err, size_t cap)
{
    bb_state_file *s = state_file(path, "wbx", err, cap);
    if (!s) return NULL;
    s->io = (bb_state_io){.restoring = 0, .field = put_field};
    uint32_t v = VERSION;
    if (fwrite(MAGIC, 1, 8, s->f) != 8 || fwrite(&v, 4, 1, s->f) != 1) {
        snprintf(err, cap, "%s: cannot write: %s", path, strerror(errno));
        fclose(s->f);
        free(s);
        return NULL;
    }
    s->at = 12;
    return s;
}

bb_state_file *bb_state_file_open(const char *path, char *err, size_t cap)
{
    bb_state_file *s = state_file(path, "rb", err, cap);
    if (!s) return NULL;
    s->io = (bb_state_io){.restoring = 1, .field = get_field};
    char magic[8];
    uint32_t v = 0;
    if (fread(magic, 1, 8, s->f) != 8 || memcmp(magic, MAGIC, 8) || fread(&v, 4, 1, s->f) != 1 || v != VERSION) {
        snprintf(err, cap, "%s: byte 0: not a brainbody state file of version %u", path, VERSION);
        fclose(s->f);
        free(s);
        return NULL;
    }
    s->at = 12;
    return s;
}

bb_state_io *bb_state_file_io(bb_state_file *f) { return &f->io; }

int bb_state_file_check(const char *path, char *err, size_t cap)
{
    bb_state_file *s = bb_state_file_open(path, err, cap);
    if (!s) return -1;
    static unsigned char buf[65536]; /* the data is read through in pieces, its CRC chained */
    int rc = 0;
    for (;;) {
        char name[NAME_MAX_LEN + 1];
        uint64_t size = 0, left;
        uint32_t crc = 0, sum = 0;
        size_t head = read_header(s->f, name, &size, &crc), got = 1;
        if (!head) {
            snprintf(err, cap, "%s: byte %llu: the file ends (or is damaged) before its end marker", path,
                     (unsigned long long)s->at);
            rc = -1;
            break;
        }
        for (left = size; left && got; left -= got) {
            got = fread(buf, 1, left < sizeof buf ? (size_t)left : sizeof buf, s->f);
            sum = bb_crc32(sum, buf, got);
        }
        if (left || sum != crc) {
            snprintf(err, cap, "%s: byte %llu: field '%s' is cut short or fails its CRC-32: the file is damaged",
                     path, (unsigned long long)s->at, name);
            rc = -1;
            break;
        }
        s->at += head + size;
        if (!strcmp(name, "end") && size == 0) {
            if (fgetc(s->f) != EOF) {
                snprintf(err, cap, "%s: byte %llu: data after the end marker", path, (unsigned long long)s->at);
                rc = -1;
            }
            break;
        }
    }
    fclose(s->f);
    free(s);
    return rc;
}

int bb_state_file_close(bb_state_file *s, int failed, char *err, size_t cap)
{
    int rc = 0;
    if (!s->failed && !failed) bb_state_field(&s->io, "end", NULL, 0);
    if (s->failed) {
        snprintf(err, cap, "%s", s->io.why);
        rc = -1;
    } else if (failed) {
        snprintf(err, cap, "%s: %s", s->path, s->io.why);
        rc = -1;
    } else if (!s->io.restoring && (fflush(s->f) || fsync(fileno(s->f)))) {
        snprintf(err, cap, "%s: cannot write: %s", s->path, strerror(errno));
        rc = -1;
    }
    if (fclose(s->f) && !rc) {
        snprintf(err, cap, "%s: cannot close: %s", s->path, strerror(errno));
        rc = -1;
    }
    free(s);
    return rc;
}

/* ---- folders */

void bb_checkpoint_paths(const char *outdir, uint64_t exchanges, char *final, char *partial, size_t cap)
{
    if (final) snprintf(final, cap, "%s/checkpoints/exchange_%09llu", outdir, (unsigned long long)exchanges);
    if (partial) snprintf(partial, cap, "%s/checkpoints/.partial_%09llu", outdir, (unsigned long long)exchanges);
}

void bb_checkpoint_rank_file(const char *dir, int rank, char *path, size_t cap)
{
    snprintf(path, cap, "%s/rank_%03d.state", dir, rank);
}

/* Removes a checkpoint folder: its files, then itself (it holds no folders). */
static void remove_folder(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char p[2048];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    closedir(d);
    rmdir(dir);
}

static int sync_path(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int bb_checkpoint_begin(const char *outdir, const char *partial, char *err, size_t cap)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/checkpoints", outdir);
    if (mkdir(dir, 0777) && errno != EEXIST) {
        snprintf(err, cap, "cannot create '%s': %s", dir, strerror(errno));
        return -1;
    }
    remove_folder(partial);
    if (mkdir(partial, 0777)) {
        snprintf(err, cap, "cannot create '%s': %s", partial, strerror(errno));
        return -1;
    }
    return 0;
}

static int copy_file(const char *from, const char *to, char *err, size_t cap)
{
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wbx") : NULL;
    int rc = in && out ? 0 : -1;
    char buf[65536];
    size_t n;
    while (!rc && (n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n) rc = -1;
    if (out && (fflush(out) || fsync(fileno(out)))) rc = -1;
    if (out && fclose(out)) rc = -1;
    if (in) fclose(in);
    if (rc) snprintf(err, cap, "cannot copy '%s' to '%s': %s", from, to, strerror(errno));
    return rc;
}

uint64_t bb_checkpoint_bytes(const char *dir, int n_ranks)
{
    uint64_t total = 0;
    for (int r = 0; r < n_ranks; r++) {
        char path[1200];
        struct stat st;
        bb_checkpoint_rank_file(dir, r, path, sizeof path);
        if (stat(path, &st) == 0) total += (uint64_t)st.st_size;
    }
    return total;
}

int64_t bb_checkpoint_exchanges(const char *dir)
{
    const char *base = strrchr(dir, '/');
    base = base ? base + 1 : dir;
    unsigned long long n;
    char tail;
    if (strncmp(base, "exchange_", 9) || sscanf(base + 9, "%llu%c", &n, &tail) != 1) return -1;
    return (int64_t)n;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Removes the oldest exchange_* folders beyond keep (names sort by
 * exchange); keep 0: all are kept; remove_all: none is. */
static void prune(const char *outdir, uint32_t keep, int remove_all)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/checkpoints", outdir);
    DIR *d = opendir(dir);
    if (!d || (!keep && !remove_all)) {
        if (d) closedir(d);
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (bb_checkpoint_exchanges(e->d_name) < 0 && (!remove_all || strncmp(e->d_name, ".partial_", 9))) continue;
        if (n == cap) {
            char **g = realloc(names, (cap = cap * 2 + 8) * sizeof *g);
            if (!g) break;
            names = g;
        }
        if (!(names[n] = strdup(e->d_name))) break;
        n++;
    }
    closedir(d);
    if (names) qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        if (remove_all || i + keep < n) {
            char p[1400];
            snprintf(p, sizeof p, "%s/%s", dir, names[i]);
            remove_folder(p);
        }
        free(names[i]);
    }
    free(names);
}

int bb_checkpoint_commit(const char *outdir, const char *partial, const char *final, uint32_t keep, char *err,
                         size_t cap)
{
    char from[1100], to[1100], dir[1100];
    snprintf(from, sizeof from, "%s/run.yaml", outdir);
    snprintf(to, sizeof to, "%s/run.yaml", partial);
    if (copy_file(from, to, err, cap)) return -1;
    snprintf(dir, sizeof dir, "%s/checkpoints", outdir);
    remove_folder(final); /* a checkpoint of the same exchange, from a run resumed before it */
    if (sync_path(partial) || rename(partial, final) || sync_path(dir)) {
        snprintf(err, cap, "cannot complete checkpoint '%s': %s", final, strerror(errno));
        return -1;
    }
    prune(outdir, keep, 0);
    return 0;
}

void bb_checkpoint_abandon(const char *partial) { remove_folder(partial); }

void bb_checkpoint_remove_all(const char *outdir)
{
    char dir[1100];
    prune(outdir, 0, 1);
    snprintf(dir, sizeof dir, "%s/checkpoints", outdir);
    rmdir(dir); /* when empty */
}
