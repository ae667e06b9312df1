/* CURVE key files for served runs (libzmq's CURVE: Curve25519 keys, Z85
 * text of 40 characters). A key file holds one key on its first line that
 * is not blank or a # comment; a secret key file must be readable by its
 * owner only (as ssh insists). A client-keys file lists the public keys
 * allowed in, one per line. `brainbody keygen NAME` writes NAME.key (secret)
 * and NAME.pub (public). */
#ifndef BB_CURVE_KEYS_H
#define BB_CURVE_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define BB_Z85_KEY 41 /* 40 characters and the terminating zero */
#define BB_MAX_CLIENT_KEYS 256

/* One key from path (secret: also its permissions are checked). 0, or -1
 * with "path:line: why" in err. */
int bb_curve_read_key(const char *path, int secret, char z85[BB_Z85_KEY], char *err, size_t cap);
/* The public keys of path, decoded (32 bytes each). 0, or -1 with "path:line: why". */
int bb_curve_read_client_keys(const char *path, uint8_t keys[][32], int max, int *n, char *err, size_t cap);
/* brainbody keygen NAME: NAME.key (mode 0600) and NAME.pub; never overwrites. */
int bb_keygen_main(int argc, char **argv);

#endif
