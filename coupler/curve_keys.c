#include "curve_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

/* Z85's alphabet (ZeroMQ RFC 32). */
static int z85_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c && strchr(".-:+=^!/*?&<>()[]{}@%$#", c));
}

/* The next key line of f: 1 with the key in z85 (and *line its number), 0
 * at the end, -1 for a line that is not a key (message in err). */
static int next_key(FILE *f, const char *path, int *line, char z85[BB_Z85_KEY], char *err, size_t cap)
{
    char buf[256];
    while (fgets(buf, sizeof buf, f)) {
        ++*line;
        size_t n = strlen(buf);
        while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ')) buf[--n] = '\0';
        const char *p = buf;
        while (*p == ' ') p++;
        if (!*p || *p == '#') continue;
        size_t len = strlen(p), ok = len == 40;
        for (size_t i = 0; ok && i < len; i++) ok = z85_char(p[i]);
        if (!ok) {
            snprintf(err, cap, "%s:%d: not a CURVE key (40 characters of Z85 text; brainbody keygen makes them)", path,
                     *line);
            return -1;
        }
        memcpy(z85, p, 41);
        return 1;
    }
    return 0;
}

int bb_curve_read_key(const char *path, int secret, char z85[BB_Z85_KEY], char *err, size_t cap)
{
    struct stat st;
    if (stat(path, &st)) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (secret && (st.st_mode & 077)) {
        snprintf(err, cap, "%s: a secret key readable by others (mode %03o): chmod 600 it", path,
                 (unsigned)(st.st_mode & 0777));
        return -1;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    int line = 0, rc = next_key(f, path, &line, z85, err, cap);
    fclose(f);
    if (rc == 0) snprintf(err, cap, "%s: no key in the file", path);
    return rc == 1 ? 0 : -1;
}

int bb_curve_read_client_keys(const char *path, uint8_t keys[][32], int max, int *n, char *err, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    int line = 0, rc;
    char z85[BB_Z85_KEY];
    *n = 0;
    while ((rc = next_key(f, path, &line, z85, err, cap)) == 1) {
        if (*n == max) {
            snprintf(err, cap, "%s:%d: more than %d client keys", path, line, max);
            rc = -1;
            break;
        }
        zmq_z85_decode(keys[(*n)++], z85);
    }
    fclose(f);
    if (rc == 0 && *n == 0) {
        snprintf(err, cap, "%s: no client key in the file: nobody could connect", path);
        rc = -1;
    }
    return rc < 0 ? -1 : 0;
}

static int write_new(const char *path, mode_t mode, const char *what, const char *key)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(stderr, "brainbody keygen: %s: %s\n", path, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    fprintf(f, "# brainbody CURVE %s key (ZeroMQ Z85)\n%s\n", what, key);
    return fclose(f) ? -1 : 0;
}

int bb_keygen_main(int argc, char **argv)
{
    if (argc != 1 || argv[0][0] == '-') {
        fprintf(stderr, "usage: brainbody keygen NAME   (writes NAME.key, the secret key, and NAME.pub)\n");
        return 2;
    }
    char pub[41], sec[41], pk[1100], sk[1100];
    if (zmq_curve_keypair(pub, sec)) {
        fprintf(stderr, "brainbody keygen: %s (libzmq built without CURVE?)\n", zmq_strerror(zmq_errno()));
        return 2;
    }
    snprintf(sk, sizeof sk, "%s.key", argv[0]);
    snprintf(pk, sizeof pk, "%s.pub", argv[0]);
    if (write_new(sk, 0600, "secret", sec)) return 2;
    if (write_new(pk, 0644, "public", pub)) {
        unlink(sk);
        return 2;
    }
    printf("brainbody keygen: secret key %s (keep it), public key %s (give it out)\n", sk, pk);
    return 0;
}
