/* body/: the MuJoCo body library. This header is the whole public API; it
 * never includes anything from brain/. Constant things live in mjModel,
 * changing things in mjData, as in MuJoCo itself. */
#ifndef BRAINBODY_BODY_H
#define BRAINBODY_BODY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bb_body bb_body;

/* Proprioceptive channels per muscle, in this order, in bb_body_sense output. */
#define BB_PROPRIO_PER_MUSCLE 3 /* length (m), velocity (m/s), force (N, tension positive) */

/* Loads an MJCF file. On failure returns NULL and writes a message naming the
 * file (and MuJoCo's line/element) into err. */
bb_body *bb_body_open(const char *mjcf_path, char *err, size_t errcap);
void bb_body_close(bb_body *b);

uint32_t bb_body_n_muscles(const bb_body *b);
uint32_t bb_body_n_taxels(const bb_body *b);
double bb_body_timestep_ms(const bb_body *b);
/* Overrides the model file's timestep (the experiment's body_dt_ms wins). */
void bb_body_set_timestep_ms(bb_body *b, double ms);
const char *bb_body_muscle_name(const bb_body *b, uint32_t i);
double bb_body_time_s(const bb_body *b);

/* Sets muscle excitation (n_muscles values in [0, 1]) and advances nsteps
 * MuJoCo steps. Returns 0, or -1 with a message in err if the physics became
 * unstable (non-finite state or MuJoCo instability warning). */
int bb_body_step(bb_body *b, const float *excitation, uint32_t nsteps, char *err, size_t errcap);

/* Writes n_taxels touch values and n_muscles * BB_PROPRIO_PER_MUSCLE channels. */
void bb_body_sense(const bb_body *b, float *taxels, float *proprio);

#ifdef __cplusplus
}
#endif
#endif
